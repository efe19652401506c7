"""The gettext round trip of the catalogs, with pybabel: extract, update, compile.

The `hotline translations` commands (hotline/staff/translation_commands.py) call these:

    hotline translations extract   flows/*.yaml -> translations/messages.pot   (pybabel extract)
    hotline translations update    messages.pot -> every translations/<lang>/LC_MESSAGES/messages.po
    hotline translations compile   every messages.po -> messages.mo (pybabel compile), then the
                                   hotline's own start-up check of every catalog
    hotline translations status    per language: coverage, review status, SMS segments

`update` is pybabel update plus two rules the hotline needs:
- A string whose English changed keeps its context (msgctxt says where it lives), so its old
  translation is carried to the new English and marked fuzzy, with the old English kept as
  `#| msgid` for the translator. pybabel alone matches by similar wording only, and a
  rewritten sentence would lose its translation or, worse, borrow one from another place.
  Fuzzy entries are never served: callers get the new English until a translator clears it.
- The review status (`# Review status: draft` in the header comment) survives.

The same steps with plain pybabel (the extractor is registered as `hotline_yaml`):

    pybabel extract -F babel.cfg --no-location --sort-output -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations --previous
    pybabel compile -d translations --statistics
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import BaseError, CommandLineInterface
from babel.messages.pofile import read_po, write_po

from hotline.errors import CatalogError
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
    """Bring every catalog in line with the template. Returns, per language, the contexts made fuzzy."""
    pot = template_path(translations_dir)
    if not pot.exists():
        raise CatalogError(f"{pot}: no template; run `hotline translations extract` first")
    with pot.open("rb") as handle:
        template = read_po(handle)
    changed: dict[str, list[str]] = {}
    for code in languages:
        if code == "en":
            continue
        path = catalog_path(translations_dir, code)
        if path.exists():
            status = review_status(path.read_text(encoding="utf-8"))
            catalog = read_catalog(path, code)
        else:
            status = "draft"
            catalog = Catalog(locale=code, project="hotline", version="0.1",
                              copyright_holder="hotline contributors", fuzzy=False)
            path.parent.mkdir(parents=True, exist_ok=True)
        moved = _follow_contexts(catalog, template)
        catalog.update(template)
        for (english, context), previous in moved.items():
            message = catalog.get(english, context=context)
            message.previous_id = [previous]
        changed[code] = sorted(context for _, context in moved)
        buffer = io.BytesIO()
        write_po(buffer, catalog, include_previous=True)
        path.write_bytes(_with_review_status(buffer.getvalue(), status))
    return changed


def _follow_contexts(catalog: Catalog, template: Catalog) -> dict[tuple[str, str], str]:
    """Re-key each translation whose English changed in place (same context) and mark it fuzzy."""
    by_context = {m.context: m for m in catalog if m.id and m.context}
    moved: dict[tuple[str, str], str] = {}
    for new in template:
        if not new.id or not new.context or catalog.get(new.id, context=new.context) is not None:
            continue
        old = by_context.get(new.context)
        if old is None or not old.string:
            continue
        previous = old.id
        catalog.delete(old.id, context=old.context)
        old.id = new.id
        old.flags.add("fuzzy")
        catalog[new.id] = old
        moved[(new.id, new.context)] = previous
    return moved


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


def compile_catalogs(translations_dir: Path) -> int:
    """pybabel compile (writes the .mo files); its exit status."""
    return _pybabel("compile", "-d", str(translations_dir), "--statistics")
