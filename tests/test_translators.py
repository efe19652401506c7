"""Translators in the console: accounts scoped to languages, the translator's view of a
draft's catalog (stale strings with their old English, placeholders checked, saved in the
draft and published by the ordinary publish), PO files downloaded and uploaded back (checked
as `msgfmt -c` checks them, GNU msgfmt itself as the oracle when installed), and each
catalog's review status. On SQLite and PostgreSQL, with a real Redis behind the hotline."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess

import polib
import pytest
from click.testing import CliRunner

from console_db import database_url  # noqa: F401  (fixture)
from console_helpers import PASSWORD, Staff, console_app  # noqa: F401  (fixture)
from conftest import Twilio, message_text
from hotline.content.editing import nodes_of
from hotline.errors import AccountError
from hotline.staff import catalog_edit as ce
from hotline.staff.accounts import may_review_catalog, may_translate

NEW_ENGLISH = "What is happening to you?"
NEW_SPANISH = "¿Qué le está pasando a usted?"
ES = ce.po_name("es")


def page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def entry_in(po_text: str, context: str) -> polib.POEntry:
    return next(e for e in polib.pofile(po_text) if e.msgctxt == context and not e.obsolete)


def change_main_menu(editor: Staff) -> None:
    """An editor rewrites the main menu's question in English (through the node form)."""
    _, node = nodes_of(editor.app.extensions["hotline_revisions"].live().files)["main_menu"]
    form = {"text": NEW_ENGLISH}
    for i, item in enumerate(node["menu"], start=1):
        form[f"menu_label_{i}"], form[f"menu_goto_{i}"] = item["label"], item["goto"]
    editor.get("/staff/nodes/main_menu")
    assert editor.post("/staff/nodes/main_menu", form).status_code == 302


def stale_row(person: Staff, context: str):
    page = person.get("/staff/translate/es?show=stale")
    body = page.get_data(as_text=True)
    key = ce.entry_key(context, NEW_ENGLISH)
    assert f'name="t-{key}"' in body
    return page, key


# ---- accounts ------------------------------------------------------------------------------

def test_translator_accounts_carry_their_languages_and_see_only_those(console_app):
    accounts = console_app.extensions["hotline_console"].accounts
    with pytest.raises(AccountError, match="needs the languages"):
        accounts.add("nolang", "translator", PASSWORD)
    with pytest.raises(AccountError, match="no catalog for xx"):
        accounts.add("badlang", "translator", PASSWORD, languages="es,xx")
    translator = Staff(console_app, "dari1", "translator", languages="fa_AF, ps")
    assert accounts.get("dari1").languages == "fa_AF,ps"
    editor = Staff(console_app, "editor1", "editor")
    for person in (translator, editor):
        assert person.sign_in().status_code == 302
    assert may_translate(accounts.get("dari1"), "ps") and not may_translate(accounts.get("dari1"), "es")
    assert may_translate(accounts.get("editor1"), "es") and not may_review_catalog(accounts.get("editor1"), "es")
    index = page_text(translator.get("/staff/translate"))
    assert "fa_AF" in index and "ps" in index and "(es)" not in index
    assert translator.get("/staff/translate/fa_AF").status_code == 200
    assert translator.get("/staff/translate/es").status_code == 403
    assert translator.get("/staff/translate/es/messages.po").status_code == 403
    assert translator.post("/staff/translate/es", {"t-x": "y"}).status_code == 403
    assert translator.get("/staff/nodes/main_menu").status_code == 403  # the English is not theirs
    assert editor.get("/staff/translate/es").status_code == 200  # editors may do any


def test_the_command_line_and_the_accounts_page_add_a_translator(console_app, database_url, monkeypatch):
    from hotline.staff.cli import main

    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["staff", "add", "pashto1", "--role", "translator", "--languages", "fa_AF,ps"],
                                input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "languages fa_AF,ps" in result.output
    refused = CliRunner().invoke(main, ["staff", "add", "nolang", "--role", "translator"], input=PASSWORD + "\n")
    assert refused.exit_code == 2 and "needs the languages" in refused.output
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    admin.get("/staff/accounts")
    added = admin.post("/staff/accounts", {"username": "maria", "role": "translator", "password": PASSWORD,
                                           "languages": ["es"], "reviews_translations": "1"})
    assert added.status_code == 200 and "Account maria (translator) created" in page_text(added)
    account = console_app.extensions["hotline_console"].accounts.get("maria")
    assert account.languages == "es" and account.reviews_translations
    bad = admin.post("/staff/accounts", {"username": "nolang2", "role": "translator", "password": PASSWORD})
    assert bad.status_code == 400 and "needs the languages" in page_text(bad)
    log = page_text(admin.get("/staff/audit"))
    assert "admin1 account added maria (translator, es, reviews translations)" in " ".join(log.split())


# ---- the translator's view -----------------------------------------------------------------

def test_a_stale_string_is_brought_up_to_date_saved_in_the_draft_and_published(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    editor, admin = Staff(console_app, "editor1", "editor"), Staff(console_app, "admin1", "admin")
    translator = Staff(console_app, "maria", "translator", languages="es")
    for person in (editor, admin, translator):
        assert person.sign_in().status_code == 302
    first = revisions.live_id()
    change_main_menu(editor)
    page, key = stale_row(translator, "main:main_menu:text")
    text = " ".join(page_text(page).split())
    assert "1 stale" in text and "It was translated from: What is happening?" in text
    assert "topic main, step main_menu, by SMS and by phone" in text and "SMS cost of this text" in text
    # the filters and pages: every string is there, 25 to a page
    every = page_text(translator.get("/staff/translate/es?show=all"))
    total = int(re.search(r"of (\d+) strings", every).group(1))
    assert total > 200 and f"page 1 of {-(-total // 25)}" in every
    assert "0 string(s) match" in page_text(translator.get("/staff/translate/es?show=missing"))
    # saved without confirming: the words change, it stays stale (not served)
    translator.get("/staff/translate/es?show=stale")
    saved = translator.post("/staff/translate/es", {f"t-{key}": NEW_SPANISH, f"was-{key}": "¿Qué está pasando?",
                                                    "show": "stale"})
    assert saved.status_code == 302
    entry = entry_in(revisions.open_draft().files[ES], "main:main_menu:text")
    assert entry.msgstr == NEW_SPANISH and "fuzzy" in entry.flags and entry.msgid == NEW_ENGLISH
    # confirmed: no longer fuzzy, the old English gone; the header says who
    translator.get("/staff/translate/es?show=stale")
    confirmed = translator.post("/staff/translate/es", {f"t-{key}": NEW_SPANISH, f"was-{key}": NEW_SPANISH,
                                                        f"ok-{key}": "on"})
    assert confirmed.status_code == 302
    po_text = revisions.open_draft().files[ES]
    entry = entry_in(po_text, "main:main_menu:text")
    assert "fuzzy" not in entry.flags and entry.previous_msgid is None
    assert polib.pofile(po_text).metadata["Last-Translator"] == "maria"
    assert "0 stale" in page_text(translator.get("/staff/translate/es"))
    # the translator cannot publish; the admin publishes as any change (check, reviews)
    assert translator.post("/staff/publish", {}).status_code == 403
    admin.get("/staff/")
    assert admin.post("/staff/publish", {"note": "main menu question"}).status_code == 302
    assert revisions.live_id() != first
    assert console_app.extensions["hotline_publisher"].poll_live() is True
    reply = message_text(Twilio(console_app.test_client()).sms("+16075550177", "hola"))
    assert NEW_SPANISH in reply
    log = " ".join(page_text(admin.get("/staff/audit")).split())
    assert "maria translated 1 string(s) of es" in log and "main:main_menu:text" in log


def test_a_translation_that_loses_a_placeholder_is_refused_and_nothing_is_saved(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    translator = Staff(console_app, "maria", "translator", languages="es")
    translator.sign_in()
    page = translator.get("/staff/translate/es?group=messages")
    row = next(r for r in ce.rows(revisions.live().files[ES]) if r.placeholders and r.group == "messages")
    other = next(r for r in ce.rows(revisions.live().files[ES]) if not r.placeholders and r.group == "messages")
    assert f'data-placeholders="{",".join(row.placeholders)}"' in page.get_data(as_text=True)
    refused = translator.post("/staff/translate/es?group=messages", {
        f"t-{row.key}": "Llame sin el número", f"was-{row.key}": row.translation,
        f"t-{other.key}": "Cambiado", f"was-{other.key}": other.translation, "group": "messages"})
    assert refused.status_code == 400
    text = page_text(refused)
    assert "Nothing was saved" in text and "keep the placeholder(s) {" + row.placeholders[0] + "}" in text
    assert "Llame sin el número" in text  # what they typed is still there to fix
    assert revisions.open_draft() is None or revisions.open_draft().files[ES] == revisions.live().files[ES]
    stray = translator.post("/staff/translate/es", {f"t-{other.key}": "Hola {name}", f"was-{other.key}": other.translation})
    assert stray.status_code == 400 and "the English has no {name}" in page_text(stray)


def test_a_translation_changed_meanwhile_by_someone_else_is_not_overwritten(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    one, two = (Staff(console_app, "maria", "translator", languages="es"),
                Staff(console_app, "jose", "translator", languages="es"))
    for person in (one, two):
        person.sign_in()
        person.get("/staff/translate/es")
    row = ce.rows(revisions.live().files[ES])[0]
    assert one.post("/staff/translate/es", {f"t-{row.key}": "Primera", f"was-{row.key}": row.translation}).status_code == 302
    late = two.post("/staff/translate/es", {f"t-{row.key}": "Segunda", f"was-{row.key}": row.translation})
    assert late.status_code == 400 and "someone else changed this translation meanwhile" in page_text(late)
    assert entry_in(revisions.open_draft().files[ES], row.context).msgstr == "Primera"


# ---- PO files ------------------------------------------------------------------------------

BROKEN = {
    "unterminated string": lambda t: t.replace('msgstr "Sobre esta línea"', 'msgstr "Sobre esta línea', 1),
    "unknown keyword": lambda t: t.replace('msgstr "Sobre esta línea"', 'msgstring "Sobre esta línea"', 1),
    "bad escape": lambda t: t.replace('msgstr "Sobre esta línea"', 'msgstr "Sobre esta \\q línea"', 1),
    "twice": lambda t: t + '\nmsgctxt "main:help:menu:1"\nmsgid "About this line"\nmsgstr "Otra vez"\n',
    "newline mismatch": lambda t: t.replace('msgstr "Sobre esta línea"', 'msgstr "Sobre esta línea\\n"', 1),
    "brace format": lambda t: t.replace('msgid "About this line"\nmsgstr "Sobre esta línea"',
                                        '#, python-brace-format\nmsgid "About this line {x}"\nmsgstr "Sobre esta línea"', 1),
    "plural without header": lambda t: re.sub(r'"Plural-Forms:[^\n]*\n(?:"[^\n]*\n)?', "", t, count=1)
                                       + '\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "uno"\nmsgstr[1] "muchos"\n',
}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_po_file_is_checked_as_msgfmt_c_checks_it(console_app, tmp_path):
    """Each broken file is refused, with a line; GNU msgfmt -c (when installed) refuses the same ones."""
    revisions = console_app.extensions["hotline_revisions"]
    good = revisions.live().files[ES]
    template = revisions.live().files[ce.TEMPLATE]
    po, problems = ce.checked_upload(good.encode(), "es", template)
    assert po is not None and problems == []
    msgfmt = shutil.which("msgfmt")
    for name, breaking in BROKEN.items():
        text = breaking(good)
        assert text != good, name
        po, problems = ce.checked_upload(text.encode(), "es", template)
        assert po is None and problems and all(p.line >= 1 for p in problems), name
        if msgfmt:
            path = tmp_path / f"{name.replace(' ', '-')}.po"
            path.write_text(text, encoding="utf-8")
            done = subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
            assert done.returncode != 0, f"{name}: GNU msgfmt -c accepts it ({done.stderr})"
    if msgfmt:
        path = tmp_path / "good.po"
        path.write_text(good, encoding="utf-8")
        assert subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(path)]).returncode == 0
    # the hotline's own rules on top: the template's strings only, this language, placeholders, UTF-8
    unknown = good + '\nmsgctxt "main:nowhere:text"\nmsgid "Not a string of ours"\nmsgstr "No"\n'
    _, problems = ce.checked_upload(unknown.encode(), "es", template)
    assert [p.line for p in problems] == [_line_of(unknown, 'msgid "Not a string of ours"')]
    assert "not in the draft's template" in problems[0].reason
    _, problems = ce.checked_upload(good.replace('"Language: es\\n"', '"Language: ru\\n"').encode(), "es", template)
    assert "not for es" in problems[0].reason
    _, problems = ce.checked_upload("Café".encode("latin-1") + good.encode(), "es", template)
    assert "not UTF-8" in problems[0].reason and problems[0].line == 1
    catalog = polib.pofile(good)
    entry = next(e for e in catalog if "{" in e.msgid and "{" in e.msgstr and "fuzzy" not in e.flags)
    name = sorted(set(re.findall(r"\{(\w+)\}", entry.msgid)))[0]
    entry.msgstr = entry.msgstr.replace("{" + name + "}", "")
    lost = str(catalog)
    _, problems = ce.checked_upload(lost.encode(), "es", template)
    assert any(p.line == _line_of(lost, f'msgctxt "{entry.msgctxt}"') + 1 and name in p.reason
               for p in problems), problems


def test_download_edit_in_poedit_and_upload_back(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    translator = Staff(console_app, "maria", "translator", languages="es")
    translator.sign_in()
    translator.get("/staff/translate/es")
    download = translator.get("/staff/translate/es/messages.po")
    assert download.status_code == 200 and "attachment; filename=hotline-es.po" in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    edited = text.replace('msgstr "Sobre esta línea"', 'msgstr "Acerca de esta línea"', 1)
    # a broken file: refused with its line, nothing changes
    broken = edited.replace('msgstr "Acerca de esta línea"', 'msgstr "Acerca de esta línea', 1)
    refused = translator.post("/staff/translate/es/upload",
                              {"catalog": (io.BytesIO(broken.encode()), "es.po")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    line = _line_of(broken, 'msgstr "Acerca de esta línea')
    assert f"line {line}: " in page_text(refused) and "end-of-line within string" in page_text(refused)
    assert revisions.open_draft() is None or revisions.open_draft().files[ES] == revisions.live().files[ES]
    # the good one replaces the draft's catalog
    done = translator.post("/staff/translate/es/upload",
                           {"catalog": (io.BytesIO(edited.encode()), "es.po")}, content_type="multipart/form-data")
    assert done.status_code == 302
    assert entry_in(revisions.open_draft().files[ES], "main:help:menu:1").msgstr == "Acerca de esta línea"
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    log = " ".join(page_text(admin.get("/staff/audit")).split())
    assert "maria catalog refused es: line" in log and "maria uploaded catalog es in draft" in log


# ---- review status ---------------------------------------------------------------------------

def test_a_native_speaker_marks_the_catalog_reviewed_and_a_later_change_makes_it_draft_again(console_app, tmp_path,
                                                                                             monkeypatch):
    revisions = console_app.extensions["hotline_revisions"]
    translator = Staff(console_app, "maria", "translator", languages="es")
    reviewer = Staff(console_app, "ana", "translator", languages="es", reviews_translations=True)
    for person in (translator, reviewer):
        person.sign_in()
    translator.get("/staff/translate/es")
    assert translator.post("/staff/translate/es/review").status_code == 403
    page = reviewer.get("/staff/translate/es")
    assert 'id="mark-reviewed"' in page.get_data(as_text=True)
    assert reviewer.post("/staff/translate/es/review").status_code == 302
    today = dt.date.today().isoformat()
    po_text = revisions.open_draft().files[ES]
    assert ce.reviewed_by(po_text) == ("ana", today)
    assert f"reviewed by ana on {today}" in page_text(translator.get("/staff/translate"))
    # `hotline translations status` shows it, from the files the revision carries
    from hotline.staff.cli import main
    from hotline.content.revisions import write_files

    root = write_files(revisions.open_draft().files, tmp_path / "export")
    result = CliRunner().invoke(main, ["translations", "status", "--flows", str(root / "flows"),
                                       "--translations", str(root / "translations")])
    assert result.exit_code == 0, result.output
    es_line = next(line for line in result.output.splitlines() if line.startswith("es "))
    assert f"reviewed (ana {today})" in es_line
    # a translator's change afterwards: to be reviewed again
    row = ce.rows(po_text)[0]
    translator.get("/staff/translate/es")
    translator.post("/staff/translate/es", {f"t-{row.key}": "Otra cosa", f"was-{row.key}": row.translation})
    assert not ce.is_reviewed(revisions.open_draft().files[ES])


def test_a_draft_whose_english_is_broken_still_shows_its_catalog(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    translator = Staff(console_app, "maria", "translator", languages="es")
    translator.sign_in()
    draft = revisions.draft(by="editor1")
    revisions.save(draft.id, "flows/main.yaml", draft.files["flows/main.yaml"].replace("next: main_menu", "next: nowhere"),
                   by="editor1")
    page = translator.get("/staff/translate/es")
    assert page.status_code == 200 and "The draft's English has errors" in page_text(page)
