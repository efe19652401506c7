"""Catalogs: what is served, what falls back to English, and what stops the start."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from hotline.staff.cli import main
from hotline.core.words import Words
from hotline.content.bundle import load_content
from hotline.errors import CatalogError
from hotline.content.catalogs.languages import MIN_COVERAGE, review_status

I18N = FIXTURES / "i18n"


@pytest.fixture(scope="module")
def content():
    return load_content(I18N / "flows", I18N / "translations")


@pytest.fixture
def catalogs(tmp_path):
    """A copy of the fixture catalogs to break."""
    target = tmp_path / "translations"
    shutil.copytree(I18N / "translations", target)
    return target


def po(catalogs, code="es"):
    return catalogs / code / "LC_MESSAGES" / "messages.po"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- what is served -----------------------------------------------------------------------

def test_a_complete_translation_is_served(content):
    es = content.languages.book("es")
    assert es.text("door", "sms") == "Mantenga la puerta cerrada."
    assert es.labels[("main_menu", 3)] == "ICE en Broome"
    assert es.message("referral_opens_on", day="lunes", time="8:00") == "Cerrado ahora. Abre el lunes a las 8:00"


def test_a_fuzzy_translation_is_never_served(content):
    es = content.languages.book("es")
    assert es.text("door_say", "sms") == 'Say: "I do not consent."'
    assert content.languages.reports["es"].fuzzy == ["main:door_say:text"]


def test_a_missing_translation_falls_back_to_english(content):
    ar = content.languages.book("ar")
    assert ar.message("voice_goodbye") == "Thank you for calling. Goodbye."
    assert "messages:voice_goodbye" in content.languages.reports["ar"].missing


def test_reports_count_every_string(content):
    reports = content.languages.reports
    assert (reports["uk"].translated, reports["uk"].total, len(reports["uk"].missing)) == (53, 55, 2)
    assert (reports["es"].translated, len(reports["es"].fuzzy)) == (52, 1)
    assert all(r.served for r in reports.values())
    assert reports["en"].review_status == "source"


def test_review_status_is_read_from_the_header(content):
    reports = content.languages.reports
    assert reports["es"].review_status == "reviewed"
    assert {reports[c].review_status for c in ("uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans")} == {"draft"}
    assert review_status('msgid ""\nmsgstr ""\n"Language: es\\n"\n') == "draft"  # no header: draft, the safe side


def test_a_catalog_below_the_threshold_is_not_offered(catalogs):
    path = po(catalogs, "uk")
    text = path.read_text(encoding="utf-8")
    # blank the first ten translations: 43 of 55 left, under 80%
    entries = text.split("\n\n")
    for i, entry in enumerate(entries[1:11], start=1):
        entries[i] = re.sub(r'msgstr ".*"(\n".*")*$', 'msgstr ""', entry)
    path.write_text("\n\n".join(entries), encoding="utf-8")
    loaded = load_content(I18N / "flows", catalogs)
    report = loaded.languages.reports["uk"]
    assert report.translated < MIN_COVERAGE * report.total and not report.served
    assert "uk" not in loaded.languages.codes
    assert loaded.languages.detect(Words("привіт")) == ()


def test_keyword_problems_are_reported_not_served(catalogs):
    edit(po(catalogs), 'msgstr "ATRÁS, VOLVER"', 'msgstr "ATRÁS, VOLVER, 2, AYUDA"')
    loaded = load_content(I18N / "flows", catalogs)
    problems = loaded.languages.reports["es"].keyword_problems
    assert any("'2' is a digit" in p for p in problems)
    assert any("'ayuda' is also a word for" in p for p in problems)
    es = loaded.languages.book("es")
    assert "2" not in es.commands  # a menu choice stays a menu choice


# --- what stops the start --------------------------------------------------------------------

BROKEN = {
    "placeholder renamed": ('msgstr "Llame al {phone}"', 'msgstr "Llame al {telefono}"',
                            r"es/LC_MESSAGES/messages.po:\d+: 'messages:referral_phone' has placeholders \{telefono\}, the English has \{phone\}"),
    "placeholder dropped": ('msgstr "Abierto ahora, hasta las {time}"', 'msgstr "Abierto ahora"',
                            r"messages.po:\d+: 'messages:referral_open_now' has placeholders none, the English has \{time\}"),
    "unbalanced brace": ('msgstr "Web: {website}"', 'msgstr "Web: {website"',
                         r"'messages:referral_website' has placeholders \{<unbalanced brace>\}"),
    "unterminated string": ('msgstr "Elija."', 'msgstr "Elija.',
                            r"es/LC_MESSAGES/messages.po:\d+: not valid gettext syntax \(check the quotes\)"),
    "unquoted msgid": ('msgid "Choose."', "msgid Choose.",
                       r"es/LC_MESSAGES/messages.po:\d+: not valid gettext syntax"),
    "msgstr without msgid": ('msgctxt "main:main_menu:text"\nmsgid "Choose."\n', "",
                             r"es/LC_MESSAGES/messages.po:\d+: `msgstr` here, but gettext expects msgctxt or msgid"),
    "merge conflict": ('msgctxt "main:help:text"', '<<<<<<< HEAD\nmsgctxt "main:help:text"',
                       r"es/LC_MESSAGES/messages.po:\d+: not valid gettext syntax .*<<<<<<< HEAD"),
    "entry twice": ('msgctxt "main:help:text"', 'msgctxt "main:help:text"\nmsgid "Send a number."\nmsgstr "Mande un número."\n\nmsgctxt "main:help:text"',
                    r"es/LC_MESSAGES/messages.po:\d+: entry 'main:help:text' appears twice \(first at line \d+\)"),
    "wrong folder": ('"Language: es\\n"', '"Language: ru\\n"',
                     r"es/LC_MESSAGES/messages.po: the header says `Language: ru`, but the file is the es catalog"),
}


def _break(catalogs, case):
    old, new, _ = BROKEN[case]
    edit(po(catalogs), old, new)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_catalog_stops_loading_naming_file_and_entry(catalogs, case):
    _break(catalogs, case)
    with pytest.raises(CatalogError, match=BROKEN[case][2]):
        load_content(I18N / "flows", catalogs)


def test_a_catalog_that_is_not_utf8_names_the_line(catalogs):
    path = po(catalogs)
    raw = path.read_bytes().replace("Mantenga la puerta cerrada.".encode(), "Mantenga la puerta cerrada \xe9.".encode("latin-1"))
    path.write_bytes(raw)
    line = raw[: raw.index(b"\xe9")].count(b"\n") + 1
    with pytest.raises(CatalogError, match=rf"es/LC_MESSAGES/messages.po:{line}: this catalog is not UTF-8"):
        load_content(I18N / "flows", catalogs)


def test_a_byte_order_mark_is_harmless(catalogs):
    path = po(catalogs)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_content(I18N / "flows", catalogs).languages.book("es").text("door", "sms") == "Mantenga la puerta cerrada."


def test_a_catalog_updated_by_plain_pybabel_with_obsolete_entries_loads(catalogs, tmp_path):
    from babel.messages.frontend import CommandLineInterface

    from hotline.content.catalogs.maintenance import extract

    flows = tmp_path / "flows"
    shutil.copytree(I18N / "flows", flows)
    main_yaml = flows / "main.yaml"
    main_yaml.write_text(main_yaml.read_text(encoding="utf-8").replace(
        "text: Call 1-800-566-7636 at 8:00.", "text: The state hotline answers from eight in the morning."), encoding="utf-8")
    extract(flows, catalogs)
    CommandLineInterface().run(["pybabel", "-q", "update", "-i", str(catalogs / "messages.pot"), "-d", str(catalogs), "--previous"])
    assert "#~ msgctxt" in po(catalogs, "ar").read_text(encoding="utf-8")
    loaded = load_content(flows, catalogs)
    assert loaded.languages.book("ar").text("local", "sms") == "The state hotline answers from eight in the morning."


def test_garbage_in_place_of_a_catalog_stops_loading(catalogs):
    po(catalogs, "zh_Hans").write_text("<html><body>404 Not Found</body></html>\n")
    with pytest.raises(CatalogError, match=r"zh_Hans/LC_MESSAGES/messages.po:1: not valid gettext syntax"):
        load_content(I18N / "flows", catalogs)


@pytest.mark.parametrize("case", ["placeholder renamed", "unterminated string"])
def test_the_app_refuses_to_start_with_a_broken_catalog(make_app, catalogs, case):
    _break(catalogs, case)
    with pytest.raises(CatalogError, match=BROKEN[case][2]):
        make_app(redis_url=None, flows_dir=I18N / "flows", translations_dir=catalogs)


# What the staff check says (file:line: reason, the form editors turn into a link).
CHECK_SAYS = {
    "placeholder renamed": r"es/LC_MESSAGES/messages.po:\d+: 'messages:referral_phone' has placeholders \{telefono\} but the English has \{phone\}",
    "unterminated string": r"es/LC_MESSAGES/messages.po:\d+: this catalog cannot be read: not valid gettext syntax \(check the quotes\)",
}


@pytest.mark.parametrize("case", sorted(CHECK_SAYS))
def test_the_staff_check_names_the_broken_catalog(monkeypatch, catalogs, case):
    _break(catalogs, case)
    monkeypatch.setenv("HOTLINE_FLOWS_DIR", str(I18N / "flows"))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS_DIR", str(catalogs))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert re.search(CHECK_SAYS[case], result.output), result.output
    assert "Traceback" not in result.output


def test_broken_catalogs_are_caught_in_a_language_not_even_wanted_is_not_read(catalogs):
    _break(catalogs, "unterminated string")
    loaded = load_content(I18N / "flows", catalogs, ("en", "ar"))  # es is not served here
    assert loaded.languages.codes == ("en", "ar")


def test_the_staff_check_reports_each_catalog_and_its_review_status(monkeypatch):
    monkeypatch.setenv("HOTLINE_FLOWS_DIR", str(I18N / "flows"))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS_DIR", str(I18N / "translations"))
    result = CliRunner().invoke(main, ["check", "--json"])
    assert result.exit_code == 0, result.output
    table = {row["code"]: row for row in json.loads(result.output)["languages"]}
    assert {k: table["es"][k] for k in ("offered", "translated", "total", "fuzzy", "missing", "review_status")} == {
        "offered": True, "translated": 52, "total": 55, "fuzzy": 1, "missing": 2, "review_status": "reviewed"}
    assert {k: table["ar"][k] for k in ("offered", "translated", "total", "fuzzy", "missing", "review_status")} == {
        "offered": True, "translated": 53, "total": 55, "fuzzy": 0, "missing": 2, "review_status": "draft"}
