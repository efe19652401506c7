"""Content: the scripts and the languages being served, built together and swapped whole.

A reload builds a new Content off to the side and only replaces the old one once everything
in it has loaded and checked, so a request always sees one consistent version.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from hotline.flows import Script, load_script
from hotline.i18n import LANGUAGES, Languages, catalog_path, load_languages


@dataclass(frozen=True)
class Content:
    script: Script
    languages: Languages
    # A hash of the catalogs' bytes: a published translation changes the version too.
    catalogs: str = ""

    @property
    def version(self) -> str:
        """What /healthz reports: the scripts' hash, joined with the catalogs' when there are any."""
        if not self.catalogs:
            return self.script.version
        return hashlib.sha256(f"{self.script.version}:{self.catalogs}".encode()).hexdigest()[:12]


def catalogs_digest(translations_dir: str | Path, languages: tuple[str, ...]) -> str:
    digest, seen = hashlib.sha256(), False
    for code in languages:
        path = catalog_path(Path(translations_dir), code)
        if path.exists():
            digest.update(code.encode() + b"\0" + path.read_bytes() + b"\0")
            seen = True
    return digest.hexdigest() if seen else ""


def load_content(flows_dir: str | Path, translations_dir: str | Path, languages: tuple[str, ...] = LANGUAGES) -> Content:
    """Raises ScriptError or CatalogError; nothing half-loaded is ever returned."""
    script = load_script(flows_dir)
    # Hashed before reading: if a catalog changes in between, the version is the older one
    # and the next reload (which sees a different hash) brings both up to date.
    catalogs = catalogs_digest(translations_dir, languages)
    return Content(script=script, languages=load_languages(script, translations_dir, languages), catalogs=catalogs)
