"""Every reply that names a day names it in the reader's language.

Babel's locale data has no Haitian Creole day names (it falls back to English "Sun"), so day
names come from the catalogs where the locale data lacks them. Walked here: every referral
page, in every language, at moments through a whole week, through the same compose the SMS
and voice channels use.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import SATURDAY_AFTERNOON
from hotline.channels.compose import compose
from hotline.config import Settings
from hotline.content.bundle import load_content
from hotline.core.engine import Show

ENGLISH_DAYS = re.compile(r"\b(Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(day|nesday|rsday|urday|sday)?\b")
ENGLISH_MONTHS = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b")


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def replies_naming_a_day(content, lang):
    """(node, moment, text) of every referral page that says on which day a line opens."""
    referral_pages = [node_id for node_id, node in content.script.nodes.items() if node.referrals]
    assert referral_pages
    book = content.languages.book(lang)
    found = []
    for node_id in referral_pages:
        for n in range(7 * 8):  # every three hours through a week
            now = SATURDAY_AFTERNOON + dt.timedelta(hours=3 * n)
            for channel in ("sms", "voice"):
                text = "\n".join(getattr(part, "text", "") for part in compose(content, lang, (Show(node_id),), channel, now))
                if any(day in text for day in book.days):
                    found.append((node_id, now, channel, text))
    return found


@pytest.mark.parametrize("lang", ["es", "uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans"])
def test_no_english_day_or_month_name_outside_english(content, lang):
    assert lang in content.languages.books
    found = replies_naming_a_day(content, lang)
    assert found, "some referral page names the day a line opens (otherwise this test checks nothing)"
    for node_id, now, channel, text in found:
        assert not ENGLISH_DAYS.search(text), (lang, node_id, now, channel, text)
        assert not ENGLISH_MONTHS.search(text), (lang, node_id, now, channel, text)


def test_haitian_creole_day_names_come_from_its_catalog(content):
    assert content.languages.book("ht").days == ("Lendi", "Madi", "Mèkredi", "Jedi", "Vandredi", "Samdi", "Dimanch")
    assert content.languages.book("en").days[6] == "Sunday"
    english = replies_naming_a_day(content, "en")
    assert english and all(ENGLISH_DAYS.search(text) for *_, text in english)  # the pattern does match English
