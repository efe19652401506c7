"""Test catalogs: a complete Spanish catalog made from the scripts, so a second language is served."""
from __future__ import annotations

from pathlib import Path


def spanish(translations_dir: Path, overrides: dict[str, str] | None = None) -> Path:
    """Write translations_dir/es/LC_MESSAGES/messages.po with every string "translated" (the English
    text, or `overrides[context]`). Returns the folder to use as HOTLINE_TRANSLATIONS_DIR."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from hotline.config import ROOT
    from hotline.content.loader import load_script
    from hotline.content.catalogs.strings import translatables

    overrides = overrides or {}
    catalog = Catalog(locale="es")
    for item in translatables(load_script(ROOT / "flows")):
        catalog.add(item.english, overrides.get(item.context, item.english), context=item.context)
    path = translations_dir / "es" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return translations_dir
