"""The gettext round trip: extract, update and compile the catalogs (commands: hotline/staff/).

    extract   flows/*.yaml -> translations/messages.pot   (pybabel extract, our extractor)
    update    messages.pot -> every translations/<lang>/LC_MESSAGES/messages.po   (polib)
    compile   every messages.po -> messages.mo, each checked as `msgfmt -c` checks it (polib)

`update` is msgmerge plus two rules the hotline needs:
- A string whose English changed keeps its context (msgctxt says where it lives), so its old
  translation is carried to the new English and marked fuzzy, with the old English kept as
  `#| msgid` for the translator. Plain msgmerge or pybabel match by similar wording only, and
  a rewritten sentence would lose its translation or, worse, borrow one from another place.
  Fuzzy entries are never served: callers get the new English until a translator clears it.
- The review status (`# Review status: draft` in the header comment) survives.

The catalogs are written with polib: `pybabel update --previous` (Babel 2.x) writes a long
multi-line previous msgid as broken PO syntax, which msgfmt, polib, Poedit and Weblate all
refuse. Use `hotline translations update` (STAFF.md), never pybabel update.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import polib
from babel.messages.frontend import BaseError, CommandLineInterface

from hotline.errors import CatalogError
from hotline.content.catalogs import pocheck
from hotline.core.languages import LANGUAGES
from hotline.content.catalogs.languages import catalog_path, read_catalog, review_status

TEMPLATE = "messages.pot"
# The extractor by its import path: works in a fresh clone, before `pip install -e .` has
# registered the `hotline_yaml` entry point that babel.cfg names.
EXTRACTOR = "hotline.content.catalogs.extract:extract"


def template_path(translations_dir: Path) -> Path:
    return translations_dir / TEMPLATE


def _pybabel(*args: str) -> int:
    """Run one pybabel command in this process (so it extracts with this checkout's code)."""
    try:
        return CommandLineInterface().run(["pybabel", "--quiet", *args]) or 0
    except BaseError as exc:
        raise CatalogError(f"pybabel {args[0]}: {exc}") from exc


def extract(flows_dir: Path, translations_dir: Path) -> Path:
    """Write the template from the flow scripts; returns its path. Raises ScriptError on bad scripts."""
    from hotline.content.loader import load_script

    load_script(flows_dir)  # a clear list of findings, rather than an extractor traceback
    pot = template_path(translations_dir)
    pot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False, encoding="utf-8") as mapping:
        mapping.write(f"[extractors]\nhotline_yaml = {EXTRACTOR}\n\n[hotline_yaml: *.yaml]\n")
    try:
        # --no-location and sorted output: the template changes only when words change,
        # not when a node moves down a file; the context already says where a string lives.
        _pybabel("extract", "-F", mapping.name, "-o", str(pot), "--no-location", "--sort-output",
                 "--project", "hotline", "--version", "0.1", "--copyright-holder", "hotline contributors",
                 str(flows_dir))
    finally:
        os.unlink(mapping.name)
    return pot


def update(translations_dir: Path, languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """Bring every catalog in line with the template. Returns, per language, the contexts made fuzzy.

    Read and written with polib, which writes the previous English (`#| msgid`) in the PO
    syntax GNU gettext, Poedit and Weblate read. (Babel's writer breaks a long multi-line
    previous msgid mid-string, and every gettext tool then refuses the whole file.)
    """
    pot = template_path(translations_dir)
    if not pot.exists():
        raise CatalogError(f"{pot}: no template; run `hotline translations extract` first")
    template = _read(pot)
    changed: dict[str, list[str]] = {}
    for code in languages:
        if code == "en":
            continue
        path = catalog_path(translations_dir, code)
        if path.exists():
            status = review_status(path.read_text(encoding="utf-8"))
            catalog = read_catalog(path, code).po
        else:
            status = "draft"
            catalog = _new_catalog(code)
            path.parent.mkdir(parents=True, exist_ok=True)
        catalog, moved = merge(catalog, template)
        catalog.metadata["POT-Creation-Date"] = template.metadata.get("POT-Creation-Date", "")
        changed[code] = moved
        path.write_bytes(_with_review_status(_po_bytes(catalog), status))
    return changed


def merge(catalog: polib.POFile, template: polib.POFile) -> tuple[polib.POFile, list[str]]:
    """msgmerge, with the hotline's rule for changed English; returns the new file and the
    contexts whose English changed (now fuzzy, the old English kept as `#| msgid`).

    Entries come out in the template's order, then the obsolete ones (`#~`). Translator
    comments, flags and translations stay; extracted comments come from the template.
    """
    current = {(e.msgid, e.msgctxt): e for e in catalog if not e.obsolete and (e.msgid or e.msgctxt)}
    by_context: dict[str, polib.POEntry] = {}
    for entry in current.values():
        if entry.msgctxt and (entry.msgstr or entry.msgstr_plural):
            by_context.setdefault(entry.msgctxt, entry)
    wanted = {(e.msgid, e.msgctxt) for e in template if e.msgid}
    out = polib.POFile(wrapwidth=WIDTH, check_for_duplicates=True)
    out.header, out.metadata = catalog.header, dict(catalog.metadata)
    moved, used = [], set()
    for new in template:
        if not new.msgid:
            continue
        old = current.get((new.msgid, new.msgctxt))
        if old is None and new.msgctxt in by_context and (by_context[new.msgctxt].msgid, new.msgctxt) not in wanted:
            old = by_context[new.msgctxt]
            # The first English a translator translated stays the "previous" one, however
            # often it changed since: that is the difference they need to see.
            if not old.previous_msgid:
                old.previous_msgid = old.msgid
            if "fuzzy" not in old.flags:
                old.flags.append("fuzzy")
            moved.append(new.msgctxt)
        entry = old if old is not None else polib.POEntry(msgid=new.msgid, msgctxt=new.msgctxt, msgstr="")
        used.add(id(entry))
        entry.msgid, entry.msgctxt = new.msgid, new.msgctxt
        entry.comment, entry.occurrences = new.comment, list(new.occurrences)
        entry.flags = [f for f in new.flags if f != "fuzzy"] + (["fuzzy"] if "fuzzy" in entry.flags else [])
        if "fuzzy" not in entry.flags:
            entry.previous_msgid = entry.previous_msgctxt = None
        entry.obsolete = False
        out.append(entry)
    for entry in catalog:
        key = (entry.msgid, entry.msgctxt)
        if id(entry) in used or not entry.msgid or key in wanted or not (entry.msgstr or entry.msgstr_plural):
            continue
        entry.obsolete = True
        entry.previous_msgid = entry.previous_msgctxt = None
        out.append(entry)
    return out, sorted(moved)


# GNU msgmerge's width (what Poedit and Weblate write too), so their edits and ours wrap alike.
WIDTH = 79


def _read(path: Path) -> polib.POFile:
    text = path.read_text(encoding="utf-8")
    po, problems = pocheck.check(text)
    errors = [p for p in problems if p.severity == "error"]
    if po is None or errors:
        raise CatalogError(f"{path}:{errors[0].line}: {errors[0].reason}")
    return po


def _new_catalog(code: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=WIDTH)
    po.metadata = {
        "Project-Id-Version": "hotline 0.1",
        "Report-Msgid-Bugs-To": "",
        "PO-Revision-Date": "",
        "Last-Translator": "",
        "Language": code,
        "Language-Team": code,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Transfer-Encoding": "8bit",
    }
    return po


def _po_bytes(po: polib.POFile) -> bytes:
    po.wrapwidth = WIDTH
    return (str(po).rstrip("\n") + "\n").encode("utf-8")


def read_template(pot: Path) -> polib.POFile:
    return _read(pot)


def _with_review_status(po: bytes, status: str) -> bytes:
    """Keep the review status in the header comment (`# Review status: draft ...`)."""
    text = po.decode("utf-8")
    comment = re.compile(r"^#\s*Review status:\s*\w+", re.MULTILINE | re.IGNORECASE)
    if comment.search(text):
        text = comment.sub(f"# Review status: {status}", text, count=1)
    else:
        note = " (a native speaker must review it)" if status == "draft" else ""
        text = text.replace('msgid ""\n', f'# Review status: {status}{note}\n#\nmsgid ""\n', 1)
    return text.encode("utf-8")


def compile_catalogs(translations_dir: Path, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Write each catalog's .mo beside it (for other gettext tools; the hotline reads the .po).

    Each catalog is checked as msgfmt -c checks it first; fuzzy entries are left out, as
    msgfmt leaves them out."""
    written = []
    for code in languages:
        path = catalog_path(translations_dir, code)
        if code == "en" or not path.exists():
            continue
        po = read_catalog(path, code).po
        target = path.with_suffix(".mo")
        po.save_as_mofile(str(target))
        written.append(target)
    return written
