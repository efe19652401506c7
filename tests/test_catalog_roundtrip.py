"""The translation round trip every gettext tool accepts (issue: update corrupted every catalog).

A long, multi-line English string changes; `hotline translations update` must keep the old
English as a valid `#| msgid` that GNU msgfmt -c, polib and the hotline all read back. And the
hotline's own check (pocheck, run by `hotline check` and at start-up) must refuse what msgfmt
refuses, so a broken catalog cannot get past `hotline check` on a machine without gettext.
"""
from __future__ import annotations

import io
import shutil
import subprocess

import polib
import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from conftest import ROOT
from hotline.content.catalogs import pocheck
from hotline.content.catalogs.languages import LANGUAGES, catalog_path, read_catalog
from hotline.staff.cli import main

MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed; .ci/run installs it")

OLD = "you can let a trusted adult make school"
NEW = "you can let an adult you trust make school"
CONTEXT = "family:family_ppr:text"


@pytest.fixture
def shipped_copy(tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    return tmp_path


def msgfmt_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, "-c", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})


def _round_trip(copy):
    family = copy / "flows" / "family.yaml"
    text = family.read_text(encoding="utf-8")
    assert OLD in text
    family.write_text(text.replace(OLD, NEW), encoding="utf-8")
    folders = ["--flows", str(copy / "flows"), "--translations", str(copy / "translations")]
    for step in ("extract", "update"):
        result = CliRunner().invoke(main, ["translations", step, *folders])
        assert result.exit_code == 0, result.output
    return folders


def test_update_keeps_the_previous_english_in_valid_po_that_polib_and_the_hotline_read(shipped_copy):
    _round_trip(shipped_copy)
    for code in LANGUAGES[1:]:
        path = catalog_path(shipped_copy / "translations", code)
        entry = next(e for e in polib.pofile(str(path)) if e.msgctxt == CONTEXT)
        assert entry.fuzzy and NEW in entry.msgid
        assert OLD in entry.previous_msgid and entry.previous_msgid.startswith('"Person in parental relation"'), code
        ours = read_catalog(path, code)  # the hotline's strict reading: no error
        assert ours.get(entry.msgid, CONTEXT).previous_msgid == entry.previous_msgid
        assert [p for p in ours.problems if p.severity == "error"] == []


@needs_msgfmt
def test_update_writes_catalogs_msgfmt_check_accepts(shipped_copy):
    _round_trip(shipped_copy)
    for code in LANGUAGES[1:]:
        done = msgfmt_check(catalog_path(shipped_copy / "translations", code))
        assert done.returncode == 0, (code, done.stderr)


def test_the_shipped_catalogs_pass_the_hotlines_msgfmt_checks():
    for code in LANGUAGES[1:]:
        po, problems = pocheck.check(catalog_path(ROOT / "translations", code).read_text(encoding="utf-8"))
        assert po is not None and [p for p in problems if p.severity == "error"] == [], (code, problems)


def _babel_broken_catalog(tmp_path):
    """What `pybabel update --previous` wrote: Babel's writer with a long multi-line previous msgid."""
    path = catalog_path(ROOT / "translations", "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    message = next(m for m in catalog if m.context == CONTEXT)
    message.previous_id = [message.id]
    message.flags.add("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog, include_previous=True)
    target = tmp_path / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    target.write_bytes(buffer.getvalue())
    return target


def test_hotline_check_refuses_the_catalog_pybabel_update_broke(tmp_path, monkeypatch):
    target = _babel_broken_catalog(tmp_path)
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    monkeypatch.setenv("HOTLINE_LANGUAGES", "en,es")
    result = CliRunner().invoke(main, ["check", "--flows", str(tmp_path / "flows"),
                                       "--translations", str(tmp_path / "translations")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "es/LC_MESSAGES/messages.po" in line and "error" in line]
    assert lines and "end-of-line within string" in lines[0], result.output
    problems = pocheck.syntax_problems(target.read_text(encoding="utf-8"))
    assert problems and problems[0].reason.startswith("not valid gettext syntax")
    if MSGFMT:
        done = msgfmt_check(target)
        # msgfmt notices the missing quote at the end of the line, and counts the next one
        assert done.returncode == 1 and f":{problems[0].line + 1}: end-of-line within string" in done.stderr


HEADER = '''msgid ""
msgstr ""
"Project-Id-Version: hotline 0.1\\n"
"PO-Revision-Date: 2026-11-28 22:46+0000\\n"
"Last-Translator: x <x@example.org>\\n"
"Language-Team: es <x@example.org>\\n"
"Language: es\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

'''

# name -> (entries after the header, whether msgfmt -c fails on them)
CASES = {
    "valid": ('msgctxt "a"\nmsgid "Hello"\nmsgstr "Hola"\n', False),
    "valid previous": ('#, fuzzy\n#| msgid ""\n#| "Hello "\n#| "there"\nmsgctxt "a"\nmsgid "Hi"\nmsgstr "Hola"\n', False),
    "valid obsolete": ('#~ msgctxt "a"\n#~ msgid "Old"\n#~ msgstr "Viejo"\n', False),
    "fuzzy newline": ('#, fuzzy\nmsgid "Hello\\n"\nmsgstr "Hola"\n', False),
    "unquoted msgid": ('msgid Hello\nmsgstr "Hola"\n', True),
    "unterminated": ('msgid "Hello\nmsgstr "Hola"\n', True),
    "broken previous": ('#, fuzzy\n#| msgid "" "Hello\n#| " "there"\nmsgid "Hi"\nmsgstr "Hola"\n', True),
    "broken obsolete": ('#~ msgid "Old\n#~ msgstr "Viejo"\n', True),
    "bad escape": ('msgid "Hello"\nmsgstr "Hola\\q"\n', True),
    "duplicate": ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', True),
    "msgstr first": ('msgstr "Hola"\n', True),
    "missing msgstr": ('msgid "Hello"\n', True),
    "newline at end": ('msgid "Hello\\n"\nmsgstr "Hola"\n', True),
    "newline at start": ('msgid "\\nHello"\nmsgstr "Hola"\n', True),
    "brace format": ('#, python-brace-format\nmsgid "Call {phone}"\nmsgstr "Llame {telefono}"\n', True),
    "percent format": ('#, python-format\nmsgid "Call %s"\nmsgstr "Llame"\n', True),
    "plural without header": ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n', True),
    "merge conflict": ('<<<<<<< HEAD\nmsgid "a"\nmsgstr "b"\n', True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_hotline_refuses_what_msgfmt_refuses(tmp_path, case):
    body, fails = CASES[case]
    text = HEADER + body
    _, problems = pocheck.check(text)
    errors = [p for p in problems if p.severity == "error"]
    assert bool(errors) == fails, (case, problems)
    if MSGFMT:
        path = tmp_path / "case.po"
        path.write_text(text, encoding="utf-8")
        done = msgfmt_check(path)
        assert (done.returncode != 0) == fails, (case, done.stderr)
        if errors and errors[0].line > 1:
            # Both point at the same entry: msgfmt names the line after a broken one (it notices
            # at the end of the line) and the msgstr line of an entry; the hotline its msgid line.
            first = int(done.stderr.split(f"{path}:", 1)[1].split(":", 1)[0])
            assert errors[0].line <= first <= errors[0].line + 2, (case, errors, done.stderr)


def test_missing_header_fields_are_warnings_as_in_msgfmt():
    _, problems = pocheck.check('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n')
    assert {p.severity for p in problems} == {"warning"}
    assert "header field 'Language' missing in header" in [p.reason for p in problems]
