"""Content: the scripts and the languages being served, built together and swapped whole.

A reload builds a new Content off to the side and only replaces the old one once everything
in it has loaded and checked, so a request always sees one consistent version.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Hashable, Mapping, TypeVar

from hotline.content.script import Script
from hotline.content.loader import load_script
from hotline.content.recordings import Take, read_folder
from hotline.core.languages import LANGUAGES
from hotline.content.catalogs.languages import Languages, catalog_path, load_languages


T = TypeVar("T")


class Renders:
    """Replies already rendered from one Content, by everything they depend on.

    What a reply says is a pure function of the content, the language, the engine's outputs
    and (for referrals) whether each one is open: a raid sends thousands of people through
    the same few dozen menus, so each is rendered once and then served as it is. The memo
    belongs to its Content and goes with it on a reload. Keys come from a finite set (the
    languages, the nodes, the engine's outputs, the referrals' open/closed states), and the
    limit is only a guard: reaching it starts the memo afresh.
    """

    LIMIT = 20_000

    def __init__(self):
        self._done: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], T]) -> T:
        try:
            return self._done[key]  # type: ignore[return-value]
        except KeyError:
            pass
        value = render()  # outside the lock: two threads may render the same reply once each
        with self._lock:
            if len(self._done) >= self.LIMIT:
                self._done.clear()
            self._done[key] = value
        return value

    def __len__(self) -> int:
        return len(self._done)


@dataclass(frozen=True)
class Content:
    script: Script
    languages: Languages
    # A hash of the catalogs' bytes: a published translation changes the version too.
    catalogs: str = ""
    # A hash of the recordings manifests (hotline/content/recordings.py), "" when there are none:
    # approving a clip changes the version as a translation does.
    recordings: str = ""
    # {language: {clip id: Take}} and the folder their audio was written to (a revision's own);
    # empty for a checkout, whose phone line plays the recordings/ folder as it always did.
    takes: Mapping[str, Mapping[str, Take]] = field(default_factory=dict, compare=False, repr=False)
    audio_dir: Path | None = field(default=None, compare=False, repr=False)
    # Not an argument: a new Content (a reload, dataclasses.replace) starts with an empty memo.
    renders: Renders = field(default_factory=Renders, init=False, compare=False, repr=False)

    @property
    def version(self) -> str:
        """What /healthz reports: the scripts' hash, joined with the catalogs' when there are any."""
        if not self.catalogs and not self.recordings:
            return self.script.version
        if not self.recordings:
            return hashlib.sha256(f"{self.script.version}:{self.catalogs}".encode()).hexdigest()[:12]
        return hashlib.sha256(f"{self.script.version}:{self.catalogs}:{self.recordings}".encode()).hexdigest()[:12]


def catalogs_digest(translations_dir: str | Path, languages: tuple[str, ...]) -> str:
    digest, seen = hashlib.sha256(), False
    for code in languages:
        path = catalog_path(Path(translations_dir), code)
        if path.exists():
            digest.update(code.encode() + b"\0" + path.read_bytes() + b"\0")
            seen = True
    return digest.hexdigest() if seen else ""


def load_content(flows_dir: str | Path, translations_dir: str | Path, languages: tuple[str, ...] = LANGUAGES,
                 recordings_dir: str | Path | None = None) -> Content:
    """Raises ScriptError, CatalogError or RecordingsError; nothing half-loaded is ever returned.

    `recordings_dir`: a revision's recordings/ (manifests and their audio); a checkout has none.

    The same files in the same folders give the same Content (it is immutable), so the last few
    are remembered by a digest of every byte read: the console asks for a draft's content on
    most pages, a revision is loaded to be stored and again to be served, and a reload of files
    that did not change costs a digest instead of a second of parsing. Errors are not kept."""
    key = folders_digest(flows_dir, translations_dir, languages, recordings_dir)
    with _loaded_lock:
        if key in _loaded:
            _loaded.move_to_end(key)
            # A Content of its own, sharing the parsed parts: its renders memo starts empty, as
            # every load's always has (what a reply renders to may also depend on the phone
            # line built beside it, so a memo is never handed from one load to another).
            return replace(_loaded[key])
    content = _load(flows_dir, translations_dir, languages, recordings_dir)
    # Kept only if nothing changed while it loaded: else this Content may hold the newer files.
    if folders_digest(flows_dir, translations_dir, languages, recordings_dir) == key:
        with _loaded_lock:
            _loaded[key] = content
            while len(_loaded) > _KEEP:
                _loaded.popitem(last=False)
    return content


_KEEP = 6
_loaded: OrderedDict[str, Content] = OrderedDict()
_loaded_lock = threading.Lock()


def folders_digest(flows_dir: str | Path, translations_dir: str | Path, languages: tuple[str, ...],
                   recordings_dir: str | Path | None = None) -> str:
    """A digest of everything load_content reads: the folders (findings name them), the flow
    files, the catalogs of these languages and the recordings manifests. The publisher's
    watch compares it too: a change here is a change to reload."""
    digest = hashlib.sha256(repr((str(Path(flows_dir).resolve()), str(Path(translations_dir).resolve()),
                                  tuple(languages), recordings_dir and str(Path(recordings_dir).resolve()))).encode())
    paths = sorted(Path(flows_dir).glob("*.yaml")) + [catalog_path(Path(translations_dir), code) for code in languages]
    if recordings_dir is not None:
        paths += sorted(Path(recordings_dir).glob("*.json"))
    for path in paths:
        try:
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            digest.update(str(path).encode() + b"\0missing\0")
    return digest.hexdigest()


def _load(flows_dir, translations_dir, languages, recordings_dir) -> Content:
    script = load_script(flows_dir)
    # Hashed before reading: if a catalog changes in between, the version is the older one
    # and the next reload (which sees a different hash) brings both up to date.
    catalogs = catalogs_digest(translations_dir, languages)
    takes, recorded = read_folder(recordings_dir) if recordings_dir is not None else ({}, "")
    return Content(script=script, languages=load_languages(script, translations_dir, languages), catalogs=catalogs,
                   recordings=recorded, takes=takes, audio_dir=Path(recordings_dir) if takes else None)
