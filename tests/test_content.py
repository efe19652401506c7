"""The content is sourced, local and consistent: what an attorney and staff rely on."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from hotline.config import Settings
from hotline.core.words import Words
from hotline.content.bundle import load_content
from hotline.core.engine import State, step
from hotline.core import contract
from hotline.content.catalogs.strings import translatables
from hotline.core.hours import OpenNow, Opens, open_first, status
from hotline.content.review_trail import sources_markdown

ET = dt.timezone(dt.timedelta(hours=-5))  # only used to write readable EST instants


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def test_every_legal_node_has_sources_a_review_date_and_a_reviewer(content):
    legal = {n: node for n, node in content.script.nodes.items() if node.legal}
    assert len(legal) >= 25
    for node_id, node in legal.items():
        assert node.sources, node_id
        assert all(s in content.script.sources for s in node.sources), node_id
        assert isinstance(node.reviewed, dt.date) and node.reviewed <= dt.date.today(), node_id
        assert node.reviewer, node_id


def test_nothing_legal_hides_in_an_unsourced_node(content):
    """A node without sources may only welcome, navigate, explain the line or list referrals."""
    for node_id, node in content.script.nodes.items():
        if node.legal:
            continue
        text = node.text or ""
        is_navigation = node.menu and len(text) <= 60
        is_listing = node.referrals and len(text) <= 60
        assert is_navigation or is_listing or node_id in ("welcome", "help", "about"), (node_id, text)


def test_every_source_is_used(content):
    used = {s for node in content.script.nodes.values() for s in node.sources}
    assert used == set(content.script.sources)


PHONE = re.compile(r"(?<![\d-])(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}(?![\d-])")


def test_every_phone_number_served_is_a_directory_number(content):
    directory = {r.phone for r in content.script.referrals.values() if r.phone}
    assert "1-800-566-7636" in directory
    for phone in directory:  # the documented local format: 1-800-NXX-XXXX or NXX-NXX-XXXX
        assert re.fullmatch(r"(1-\d{3}|\d{3})-\d{3}-\d{4}", phone), phone
    seen = 0
    for book in content.languages.books.values():
        for item in translatables(content.script):
            for number in PHONE.findall(book.phrase(item.context, item.english)):
                seen += 1
                assert number in directory, (book.code, item.context, number)
    assert seen >= 1  # the outage message carries the ONA number


def test_referral_entries_say_only_what_is_confirmed(content):
    referrals = content.script.referrals
    assert {"ona", "aca", "lasmny", "idp", "eoir", "ice_locator", "wjcny", "nyclu"} <= set(referrals)
    for referral_id, referral in referrals.items():
        assert referral.cost in ("free", "low-cost", "varies", "unknown")
        assert referral.languages or "languages" in referral.unconfirmed, referral_id
        if referral.phone is None:
            assert "phone" in referral.unconfirmed or referral.website, referral_id


def test_sources_md_is_generated_from_the_scripts(content):
    from hotline.config import ROOT

    committed = (ROOT / "flows" / "SOURCES.md").read_text(encoding="utf-8")
    assert committed == sources_markdown(content.script), "run `hotline sources --write`"


def test_about_is_reachable_from_help_and_says_what_is_stored(content):
    turn = step(content, State(node=contract.MAIN_MENU), Words("HELP"))
    help_node = content.script.nodes[turn.state.node]
    assert any(item.goto == "about" for item in help_node.menu)
    about = content.script.nodes["about"].text.lower()
    assert "free" in about and "confidential" in about and "not legal advice" in about
    assert "phone number" in about


# --- open now -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ona(content):
    return content.script.referrals["ona"]


def at(year, month, day, hour, minute=0, *, utc_offset):
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=utc_offset)))


@pytest.mark.parametrize("when,expected", [
    # Saturday 28 Nov 2026, 9pm in Binghamton (EST): closed, opens Sunday 9am.
    (at(2026, 11, 28, 21, utc_offset=-5), Opens(1, 6, dt.time(9, 0))),
    # Friday evening: open until 8pm, closed at 8pm sharp, and then opens Saturday at 9.
    (at(2026, 11, 27, 19, 59, utc_offset=-5), OpenNow(dt.time(20, 0))),
    (at(2026, 11, 27, 20, 0, utc_offset=-5), Opens(1, 5, dt.time(9, 0))),
    # Sunday 5pm: weekend hours end; next is Monday 8am.
    (at(2026, 11, 29, 17, 0, utc_offset=-5), Opens(1, 0, dt.time(8, 0))),
    # Monday 7:30am: opens later today.
    (at(2026, 11, 30, 7, 30, utc_offset=-5), Opens(0, 0, dt.time(8, 0))),
    # Weekend morning before opening.
    (at(2026, 11, 28, 8, 59, utc_offset=-5), Opens(0, 5, dt.time(9, 0))),
])
def test_open_now_at_the_boundaries(ona, when, expected):
    assert status(ona, when) == expected


def test_open_now_follows_daylight_saving_time(ona):
    # 12:00 UTC is 7am EST before the change (2 Mar 2026) and 8am EDT after it (9 Mar 2026).
    before = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
    after = dt.datetime(2026, 3, 9, 12, 0, tzinfo=dt.timezone.utc)
    assert status(ona, before) == Opens(0, 0, dt.time(8, 0))
    assert status(ona, after) == OpenNow(dt.time(20, 0))
    # Fall back: Sunday 1 Nov 2026. 21:30 UTC is 4:30pm EST (open) - in EDT it would be 5:30pm.
    assert status(ona, dt.datetime(2026, 11, 1, 21, 30, tzinfo=dt.timezone.utc)) == OpenNow(dt.time(17, 0))
    # The day before, 21:30 UTC is 5:30pm EDT: closed.
    assert isinstance(status(ona, dt.datetime(2026, 10, 31, 21, 30, tzinfo=dt.timezone.utc)), Opens)


def test_entries_without_hours_have_no_status(content):
    assert status(content.script.referrals["aca"], at(2026, 11, 30, 12, utc_offset=-5)) is None


def test_legal_help_lists_the_open_lines_first(content):
    from hotline.content.model import Hours, Opening

    referrals = dict(content.script.referrals)
    # A second line open on Saturday evenings, listed after ONA: it must come first at 9pm.
    referrals["late"] = referrals["ona"].model_copy(update={
        "hours": Hours(weekly=(Opening(days=("sat",), open="18:00", close="23:00"),))})
    saturday_9pm = at(2026, 11, 28, 21, utc_offset=-5)
    assert open_first(("ona", "late"), referrals, saturday_9pm) == ["late", "ona"]
    saturday_noon = at(2026, 11, 28, 12, utc_offset=-5)
    assert open_first(("ona", "late"), referrals, saturday_noon) == ["ona", "late"]


def test_a_saturday_9pm_text_is_told_when_the_line_opens(content):
    from hotline.channels import sms

    turn = step(content, State(node=contract.MAIN_MENU), Words("7"))
    reply = sms.reply_text(content, turn, at(2026, 11, 28, 21, utc_offset=-5))
    assert "1-800-566-7636" in reply
    assert "Closed now. Opens Sunday at 9:00" in reply


def test_the_card_says_what_its_steps_say(content):
    card = content.script.card
    assert card is not None and card.referrals == ("ona",)
    for point in card.points:
        assert content.script.nodes[point.step].legal
