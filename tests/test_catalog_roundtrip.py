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



@pytest.fixture
def shipped_copy(tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    return tmp_path


def _longest_translated_text(flows):
    """The longest node text that every catalog translates: the kind of string that broke."""
    from hotline.content.loader import load_script

    script = load_script(flows)
    catalogs = [polib.pofile(str(catalog_path(ROOT / "translations", code))) for code in LANGUAGES[1:]]
    translated = [{(e.msgctxt, e.msgid) for e in po if e.msgstr and not e.fuzzy} for po in catalogs]
    candidates = [(len(node.text), node_id) for node_id, node in script.nodes.items()
                  if node.text and all((f"{script.flow_of(node_id)}:{node_id}:text", node.text) in t for t in translated)]
    _, node_id = max(candidates)
    return script, node_id


def msgfmt_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, "-c", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})


def _round_trip(copy):
    """Change one word inside the longest translated multi-line English text, then extract and
    update as STAFF.md says. Returns (context, old English, new English)."""
    from hotline.content.loader import load_script
    from hotline.content.yamlsource import read_yaml

    script, node_id = _longest_translated_text(copy / "flows")
    old = script.nodes[node_id].text
    assert len(old) > 150, "a long string: Babel wrapped its previous msgid over several lines"
    path = copy / "flows" / script.places[node_id].file.split("/")[-1]
    lines = path.read_text(encoding="utf-8").split("\n")
    doc = read_yaml("\n".join(lines), path.name)
    text_line = doc.line_of(("nodes", node_id, "text"))  # `text: >-`; the words start below it
    assert lines[text_line - 1].rstrip().endswith((">-", ">", "|", "|-")), lines[text_line - 1]
    body = lines[text_line]  # 0-based: the first line of the text itself
    indent = len(body) - len(body.lstrip())
    lines[text_line] = " " * indent + "Really, " + body.lstrip()
    path.write_text("\n".join(lines), encoding="utf-8")
    new = load_script(copy / "flows").nodes[node_id].text
    assert new != old and new.startswith("Really, ")
    folders = ["--flows", str(copy / "flows"), "--translations", str(copy / "translations")]
    for step in ("extract", "update"):
        result = CliRunner().invoke(main, ["translations", step, *folders])
        assert result.exit_code == 0, result.output
    return f"{script.flow_of(node_id)}:{node_id}:text", old, new


def test_update_keeps_the_previous_english_in_valid_po_that_polib_and_the_hotline_read(shipped_copy):
    context, old, new = _round_trip(shipped_copy)
    for code in LANGUAGES[1:]:
        path = catalog_path(shipped_copy / "translations", code)
        entry = next(e for e in polib.pofile(str(path)) if e.msgctxt == context)
        assert entry.fuzzy and entry.msgid == new and entry.msgstr  # the translation kept, for the translator
        assert entry.previous_msgid == old, code  # the English it translated, exactly
        ours = read_catalog(path, code)  # the hotline's strict reading: no error
        assert ours.get(new, context).previous_msgid == old
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


def test_a_catalog_read_again_is_a_fresh_copy_of_the_same_reading():
    """pocheck keeps what it read by the file's text; what one caller changes reaches no other."""
    text = catalog_path(ROOT / "translations", "es").read_text(encoding="utf-8")
    first, problems = pocheck.check(text)
    fresh = pocheck._check(text)[0]  # polib's own parse, not the kept one
    assert str(first) == str(fresh) and [e.linenum for e in first] == [e.linenum for e in fresh]
    assert first.metadata == fresh.metadata and problems == pocheck._check(text)[1]
    entry = next(e for e in first if e.msgstr)
    entry.msgstr, entry.flags = "changed", ["fuzzy"]
    first.metadata["Language"] = "xx"
    problems.append(pocheck.Problem(1, "added by a caller"))
    again, problems_again = pocheck.check(text)
    assert again is not first and str(again) == str(fresh) and again.metadata["Language"] == "es"
    assert "added by a caller" not in {p.reason for p in problems_again}


def _babel_broken_catalog(tmp_path):
    """What `pybabel update --previous` wrote: Babel's writer with a long multi-line previous msgid."""
    script, node_id = _longest_translated_text(ROOT / "flows")
    context = f"{script.flow_of(node_id)}:{node_id}:text"
    path = catalog_path(ROOT / "translations", "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    message = next(m for m in catalog if m.context == context)
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
