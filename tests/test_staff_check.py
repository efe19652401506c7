"""`hotline check`: one fixture per kind of finding, each asserted with its group, severity,
file, line and the exit status it leads to (with and without --strict)."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from hotline.staff.cli import main
from hotline.content.bundle import load_content
from hotline.core.languages import LANGUAGES
from hotline.staff.check import run_check
from hotline.staff.sms_budget import SMS_BUDGET, SmsBudget, every_reply, measure
from hotline.staff.limits import DEFAULT_LIMITS, CheckLimits

TODAY = "2026-11-28"
NO_CATALOGS = FIXTURES / "no_catalogs_here"
STAFF = FIXTURES / "staff"

# kind -> (patch folder, catalogs, group, severity, file, line, words, exit, exit with --strict)
CASES = {
    "dangling_goto": (FIXTURES / "invalid" / "dangling_goto", NO_CATALOGS, "errors", "error",
                      "flows/main.yaml", 18, "menu item 3 goes to 'front_door'", 2, 2),
    "unreachable_node": (FIXTURES / "invalid" / "unreachable_node", NO_CATALOGS, "structure", "error",
                         "flows/main.yaml", 27, "node 'orphan' cannot be reached", 2, 2),
    "next_loop": (FIXTURES / "invalid" / "next_loop", NO_CATALOGS, "structure", "error",
                  "flows/main.yaml", 24, "`next` goes round in a circle", 2, 2),
    "menu_too_long": (STAFF / "menu_too_long", NO_CATALOGS, "structure", "error",
                      "flows/main.yaml", 9, "the menu of 'main_menu' has 10 choices", 2, 2),
    "closed_loop": (STAFF / "closed_loop", NO_CATALOGS, "structure", "warning",
                    "flows/main.yaml", 30, "closed loop: loop_a, loop_b only lead to each other", 0, 1),
    "review_due": (STAFF / "review_due", NO_CATALOGS, "freshness", "warning",
                   "flows/main.yaml", 22, "legal node 'door' was last reviewed on 2025-03-01 (637 days ago", 0, 1),
    "verified_old": (STAFF / "verified_old", NO_CATALOGS, "freshness", "warning",
                     "flows/referrals.yaml", 15, "referral 'ona' (NYS Office for New Americans Hotline) was last verified on 2026-01-05 (327 days ago", 0, 1),
    "phone_unconfirmed": (STAFF / "phone_unconfirmed", NO_CATALOGS, "freshness", "warning",
                          "flows/referrals.yaml", 5, "shows 1-800-566-7636 to callers, but the number is not confirmed", 0, 1),
    "no_phone": (STAFF / "no_phone", NO_CATALOGS, "freshness", "warning",
                 "flows/referrals.yaml", 2, "has no phone number: callers on the phone line get no way to reach it", 0, 1),
    "sms_over_budget": (STAFF / "sms_over_budget", NO_CATALOGS, "sms", "warning",
                        "flows/main.yaml", 24, "legal_help [en]: 738 characters, 12 SMS segments (UCS-2, 738 UTF-16 units); "
                        "a reply may have 320 characters and cost 5 segments in UCS-2. "
                        "UCS-2 because of 'í' (U+00ED LATIN SMALL LETTER I WITH ACUTE); without them it would cost 5 (GSM-7, budget 3)", 0, 1),
    "translation_gaps": (None, STAFF / "translations", "translations", "warning",
                         "translations/es/LC_MESSAGES/messages.po", 23, "español (es): 2 missing, 1 fuzzy, 2 stale; callers get these in English", 0, 1),
    "translation_fuzzy": (None, STAFF / "translations", "translations", "warning",
                          "translations/es/LC_MESSAGES/messages.po", 44, "fuzzy: 'main:door:text'", 0, 1),
    "translation_stale": (None, STAFF / "translations", "translations", "warning",
                          "translations/es/LC_MESSAGES/messages.po", 23, "stale: 'main:welcome:text': the English changed since this was translated", 0, 1),
    "translation_obsolete": (None, STAFF / "translations", "translations", "warning",
                             "translations/es/LC_MESSAGES/messages.po", 150, "stale: 'main:gone:text': kept as obsolete", 0, 1),
    "translation_draft": (None, STAFF / "translations", "translations", "warning",
                          "translations/es/LC_MESSAGES/messages.po", 19, "is offered to callers but its review status is 'draft'", 0, 1),
    "translation_not_offered": (None, STAFF / "translations", "translations", "note",
                                "translations/uk/LC_MESSAGES/messages.po", 24, "not offered to callers until 80% is translated (now 2 of 51)", 0, 1),
    "voice_without_tts": (None, STAFF / "translations", "voice", "warning",
                          "translations/ht/LC_MESSAGES/messages.po", 1, "Kreyòl Ayisyen (ht) has no Twilio voice", 0, 1),
    "catalog_placeholder": (None, STAFF / "translations_bad_placeholder", "errors", "error",
                            "translations_bad_placeholder/ru/LC_MESSAGES/messages.po", 77,
                            "'messages:referral_phone' has placeholders {telefon} but the English has {phone}", 2, 2),
}


def flows_with(tmp_path, patch):
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows_min", target)
    for path in (patch.iterdir() if patch else ()):
        shutil.copy(path, target / path.name)
    return target


def check(flows, catalogs, *args, languages=""):
    env = {"HOTLINE_FLOWS_DIR": str(flows), "HOTLINE_TRANSLATIONS_DIR": str(catalogs), "HOTLINE_LANGUAGES": languages}
    return CliRunner().invoke(main, ["check", "--today", TODAY, *args], env=env)


def test_every_staff_fixture_is_used():
    used = {case[0].name for case in CASES.values() if case[0] is not None and case[0].parent == STAFF}
    folders = {p.name for p in STAFF.iterdir() if p.is_dir() and not p.name.startswith("translations")}
    assert folders == used


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_finding_with_its_file_line_and_exit_status(tmp_path, kind):
    patch, catalogs, group, severity, file, line, words, status, strict_status = CASES[kind]
    flows = flows_with(tmp_path, patch)
    result = check(flows, catalogs, "--json")
    report = json.loads(result.output)
    matches = [f for f in report["groups"][group] if words in f["reason"]]
    assert len(matches) == 1, json.dumps(report["groups"], indent=1, ensure_ascii=False)
    assert (matches[0]["severity"], matches[0]["file"], matches[0]["line"]) == (severity, file, line), matches[0]
    assert result.exit_code == status == report["exit_status"]
    assert check(flows, catalogs, "--strict").exit_code == strict_status
    # The text a staff member reads names the same place, in the form editors turn into a link.
    text = check(flows, catalogs).output
    assert f"{file}:{line}: " in text and words.split("(")[0].strip() in text


def test_the_minimal_hotline_is_clean(tmp_path):
    result = check(flows_with(tmp_path, None), NO_CATALOGS, "--json", "--strict", languages="en")
    report = json.loads(result.output)
    assert result.exit_code == 0, result.output
    assert report["counts"] == {"error": 0, "warning": 0, "note": 0}


def test_scripts_that_do_not_load_get_only_their_errors(tmp_path):
    report = json.loads(check(flows_with(tmp_path, FIXTURES / "invalid" / "missing_source"), STAFF / "translations", "--json").output)
    assert report["version"] is None and report["languages"] == []
    assert [f["reason"] for f in report["groups"]["errors"]] == ["source 'afsc' is not in sources.yaml"]


def test_the_translation_table(tmp_path):
    report = json.loads(check(flows_with(tmp_path, None), STAFF / "translations", "--json").output)
    table = {row["code"]: row for row in report["languages"]}
    expected = {"offered": True, "review_status": "draft", "total": 51, "translated": 48, "missing": 2, "fuzzy": 1, "stale": 2}
    assert {key: table["es"][key] for key in expected} == expected
    assert (table["ht"]["offered"], table["ht"]["review_status"], table["ht"]["translated"]) == (True, "reviewed", 51)
    assert (table["uk"]["offered"], table["uk"]["translated"]) == (False, 2)
    voice = {row["code"]: row for row in report["voice"]}
    assert voice["es"]["tts"] == "es-US" and voice["ht"]["tts"] is None and voice["ht"]["speech_input"] is False


def test_a_menu_reply_is_held_to_the_menu_budget(tmp_path):
    report = run_check(flows_with(tmp_path, None), NO_CATALOGS, today=dt.date(2026, 11, 28),
                       limits=CheckLimits(sms=SmsBudget(menu_segments=0, ucs2_menu_segments=0, content_segments=99, ucs2_content_segments=99)))
    found = [f for f in report.findings if f.group == "sms"]
    assert found and all(f.detail["kind"] == "menu" and "cost 0 segments in GSM-7" in f.reason for f in found)
    assert {f.detail["reply"] for f in found} >= {"main_menu", "welcome", "wrong key at main_menu", "the 'moved' notice and main menu"}


def test_the_review_age_and_the_clock_are_options(tmp_path):
    flows = flows_with(tmp_path, None)  # door reviewed 2026-11-28
    env = {"HOTLINE_FLOWS_DIR": str(flows), "HOTLINE_TRANSLATIONS_DIR": str(NO_CATALOGS)}
    runner = CliRunner()
    assert runner.invoke(main, ["check", "--strict", "--today", "2027-01-27"], env=env).exit_code == 0  # 60 days
    result = runner.invoke(main, ["check", "--strict", "--today", "2027-01-27", "--review-days", "30", "--json"], env=env)
    assert result.exit_code == 1
    assert "legal node 'door' was last reviewed on 2026-11-28 (60 days ago; the limit is 30)" in result.output
    assert DEFAULT_LIMITS.review_days == 180 and DEFAULT_LIMITS.verified_days == 90


def test_text_is_grouped_in_order_and_coloured_only_when_asked(tmp_path):
    flows = flows_with(tmp_path, STAFF / "review_due")
    plain = check(flows, STAFF / "translations").output
    headings = ["Errors", "Translations", "SMS cost", "Voice readiness", "Content freshness", "Structure"]
    positions = [plain.index("\n" + h) for h in headings]
    assert positions == sorted(positions)
    assert "\x1b[" not in plain  # not a terminal: no colour codes
    coloured = check(flows, STAFF / "translations", "--color").output
    assert "\x1b[33mwarning" in coloured


def test_the_shipped_scripts(tmp_path):
    result = CliRunner().invoke(main, ["check", "--json"], env={"HOTLINE_FLOWS_DIR": "", "HOTLINE_TRANSLATIONS_DIR": ""})
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["counts"]["error"] == 0, result.output
    served = load_content(ROOT / "flows", ROOT / "translations", LANGUAGES)
    assert report["version"] == served.version  # the version /healthz would show for these files
    assert [row["code"] for row in report["languages"]] == list(LANGUAGES)


def test_a_language_without_a_catalog_is_noted(tmp_path):
    report = run_check(flows_with(tmp_path, None), STAFF / "translations", ("en", "es", "ps"), today=dt.date(2026, 11, 28))
    noted = [f for f in report.findings if f.language == "ps"]
    assert [(f.group, f.severity, f.file) for f in noted] == [("translations", "note", "translations/ps/LC_MESSAGES/messages.po")]
    assert "has no catalog yet" in noted[0].reason


def test_an_unreadable_catalog_is_an_error_with_its_line(tmp_path):
    catalogs = tmp_path / "translations"
    shutil.copytree(STAFF / "translations", catalogs)
    path = catalogs / "es" / "LC_MESSAGES" / "messages.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[30] = "garbage where a keyword should be"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_check(flows_with(tmp_path, None), catalogs, ("en", "es"), today=dt.date(2026, 11, 28))
    errors = [f for f in report.findings if f.severity == "error"]
    assert [(f.group, f.file, f.line) for f in errors] == [("errors", "translations/es/LC_MESSAGES/messages.po", 31)]
    assert errors[0].reason == "this catalog cannot be read: not valid gettext syntax (check the quotes): 'garbage where a keyword should be'"
    assert report.exit_status() == 2 and report.languages[1].broken


def test_a_lower_menu_limit_warns_about_long_menus(tmp_path):
    report = run_check(flows_with(tmp_path, STAFF / "closed_loop"), NO_CATALOGS, today=dt.date(2026, 11, 28),
                       limits=CheckLimits(menu_options=2))
    long_menus = [f for f in report.findings if "choices" in f.reason]
    assert [(f.severity, f.line, f.reason) for f in long_menus] == [
        ("warning", 9, "the menu of 'main_menu' has 3 choices: the limit set for the check is 2")]


def test_the_check_holds_replies_to_the_one_sms_budget(tmp_path):
    assert DEFAULT_LIMITS.sms is SMS_BUDGET  # CheckLimits carries the budget; it keeps no numbers of its own
    report = json.loads(check(flows_with(tmp_path, None), NO_CATALOGS, "--json").output)
    assert report["limits"] == {"characters": 320, "content_segments": 3, "menu_segments": 3, "ucs2_content_segments": 5,
                                "ucs2_menu_segments": 5, "review_days": 180, "verified_days": 90, "menu_options": 9,
                                "reading_grade": 6}


def test_the_check_finds_exactly_the_replies_the_budget_test_finds_over():
    """One walk, one measure: `hotline check` and tests/test_sms_budget.py cannot disagree."""
    flows, catalogs = FIXTURES / "i18n" / "flows", FIXTURES / "i18n" / "translations"
    tight = SmsBudget(content_segments=1, menu_segments=1, ucs2_content_segments=2, ucs2_menu_segments=1)
    report = run_check(flows, catalogs, today=dt.date(2026, 11, 28), limits=CheckLimits(sms=tight))
    found = {(f.language, f.detail["reply"]) for f in report.findings if f.group == "sms"}
    content = load_content(flows, catalogs)
    over = {(r.lang, r.where) for r in every_reply(content) if measure(content, r, tight).over}
    assert found == over
    assert {lang for lang, _ in over} == set(content.languages.codes)  # every language has some


def test_a_page_above_grade_six_is_named_with_its_grade(tmp_path):
    flows = flows_with(tmp_path, None)
    main = flows / "main.yaml"
    main.write_text(main.read_text().replace(
        "text: Keep the door closed.",
        "text: >-\n      Notwithstanding administrative considerations, individuals experiencing enforcement "
        "interactions should systematically document circumstances, communications and identification "
        "characteristics of participating personnel."), encoding="utf-8")
    report = run_check(flows, NO_CATALOGS, today=dt.date(2026, 11, 28))
    plain = [f for f in report.findings if f.group == "plain"]
    assert [f.detail["node"] for f in plain] == ["door"]
    assert plain[0].severity == "warning" and plain[0].detail["grade"] > 6
    assert "reads at US grade" in plain[0].reason and plain[0].file.endswith("main.yaml")
    quiet = run_check(flows_with(tmp_path / "plain", None), NO_CATALOGS, today=dt.date(2026, 11, 28))
    assert not [f for f in quiet.findings if f.group == "plain"]  # short, plain pages pass
