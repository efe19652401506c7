"""Content: the scripts and the languages being served, built together and swapped whole.

A reload builds a new Content off to the side and only replaces the old one once everything
in it has loaded and checked, so a request always sees one consistent version.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline.flows import Script, load_script
from hotline.i18n import LANGUAGES, Languages, load_languages


@dataclass(frozen=True)
class Content:
    script: Script
    languages: Languages

    @property
    def version(self) -> str:
        return self.script.version


def load_content(flows_dir: str | Path, translations_dir: str | Path, languages: tuple[str, ...] = LANGUAGES) -> Content:
    """Raises ScriptError or CatalogError; nothing half-loaded is ever returned."""
    script = load_script(flows_dir)
    return Content(script=script, languages=load_languages(script, translations_dir, languages))
