"""Revisions: the whole content (flows, referrals, sources, catalogs) as published, immutable.

A revision is a set of files, {"flows/door.yaml": text, "translations/es/LC_MESSAGES/messages.po":
text, ...}, exactly the exchange format of the repository, so `hotline import DIR` and
`hotline export DIR` are plain copies and the loader checks a revision as it checks a checkout.
Its id is the content's own version (hotline/content/bundle.py, what /healthz reports): the
same files are the same revision, and a worker knows what it serves by comparing two strings.

Publishing is one row (`live`) naming a revision. Every worker polls that id every few seconds
from its publisher thread (hotline/session/publishing.py, RevisionSource) and loads the
revision when it changed: no restart, and nothing added to a caller's turn.

Staff edit a draft (a copy of a revision's files); the console checks, reviews and publishes it.

Recordings are part of a revision too: a manifest per language (recordings/<language>.json,
hotline/content/recordings.py) names each clip's audio by its sha256, and the audio is kept
once in the clip_audio table. `materialize` writes it beside the manifests when a worker loads
the revision, so a rollback brings back the clips that revision had.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hotline.content.bundle import Content, load_content
from hotline.content.catalogs.languages import LANGUAGES
from hotline.content.db import Database
from hotline.content.db.models import ClipAudio, Draft, Live, Revision, utcnow
from hotline.content.recordings import FOLDER, hashes, is_manifest, manifests
from hotline.errors import HotlineError


class RevisionError(HotlineError):
    """A revision that does not exist, or content that cannot become one."""


# ---- files <-> folders --------------------------------------------------------------------

def collect(flows_dir: str | Path, translations_dir: str | Path) -> dict[str, str]:
    """The exchange files of a checkout: flows/*.yaml and every catalog (and the template)."""
    flows_dir, translations_dir = Path(flows_dir), Path(translations_dir)
    files = {f"flows/{path.name}": path.read_text(encoding="utf-8") for path in sorted(flows_dir.glob("*.yaml"))}
    if not files:
        raise RevisionError(f"{flows_dir} has no .yaml flow files")
    if translations_dir.is_dir():
        for path in sorted(translations_dir.glob("*/LC_MESSAGES/messages.po")):
            files[f"translations/{path.relative_to(translations_dir).as_posix()}"] = path.read_text(encoding="utf-8")
        template = translations_dir / "messages.pot"
        if template.exists():
            files["translations/messages.pot"] = template.read_text(encoding="utf-8")
    return files


def _safe(name: str) -> str:
    parts = Path(name).parts
    if Path(name).is_absolute() or ".." in parts or (parts[0] not in ("flows", "translations")
                                                     and not is_manifest(name)):
        raise RevisionError(f"{name!r} is not a content file")
    return name


Audio = Callable[[str], "bytes | None"]  # sha256 -> the clip's MP3 (None: not stored)


def write_files(files: dict[str, str], root: str | Path) -> Path:
    root = Path(root)
    for name, text in files.items():
        path = root / _safe(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def files_digest(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


T = TypeVar("T")


class ByFiles(Generic[T]):
    """The last few results of a slow function of a set of files (a check, a preview's content or
    app, catalogs brought up to date), remembered by the files' digest: staff pages ask the same
    question of the same draft again and again. `compute(files, *extra)` must not depend on
    anything else (a date it reads goes in `extra`)."""

    def __init__(self, compute: Callable[..., T], keep: int = 4):
        self.compute, self.keep = compute, keep
        self._results: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, files: dict[str, str], *extra) -> T:
        key = files_digest(files) + repr(extra)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = self.compute(files, *extra)  # outside the lock: it may take seconds
        with self._lock:
            self._results[key] = result
            while len(self._results) > self.keep:
                self._results.popitem(last=False)
        return result


_CACHE = Path(tempfile.gettempdir()) / f"hotline-revisions-{os.getuid()}"
_cache_lock = threading.Lock()


def materialize(files: dict[str, str], audio: Audio | None = None) -> Path:
    """A folder holding these files (flows/, translations/, recordings/), made once per set of
    files: the loader reads folders, and its findings then name files as staff know them
    (flows/door.yaml). With `audio`, the clips the manifests name are written too, as
    recordings/<language>/<clip id>.mp3 (the layout the phone line serves)."""
    root = _CACHE / files_digest(files)[:24]
    if not root.is_dir():
        _build(files, root)
    if audio is not None:
        _write_audio(files, root, audio)
    return root


def _write_audio(files: dict[str, str], root: Path, audio: Audio) -> None:
    for code, takes in manifests(files).items():
        folder = root / FOLDER / code
        for clip, take in takes.items():
            path = folder / f"{clip}.mp3"
            if path.is_file():
                continue
            data = audio(take.sha256)
            if data is None or hashlib.sha256(data).hexdigest() != take.sha256:
                continue  # Revisions.add refuses a manifest whose audio is not stored; a draft may lack it
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".new-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)  # whole or not at all: Twilio may be fetching it


def _build(files: dict[str, str], root: Path) -> None:
    if root.is_dir():
        return
    with _cache_lock:
        if root.is_dir():
            return root
        _CACHE.mkdir(mode=0o700, parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=_CACHE, prefix=".new-"))
        write_files(files, building)
        try:
            building.rename(root)  # whole or not at all: another process may be reading it
        except OSError:
            shutil.rmtree(building, ignore_errors=True)


def load_files(files: dict[str, str], languages: tuple[str, ...] = LANGUAGES, audio: Audio | None = None) -> Content:
    """Raises ScriptError, CatalogError or RecordingsError, exactly as loading a checkout does."""
    root = materialize(files, audio)
    return load_content(root / "flows", root / "translations", languages, root / FOLDER)


def version_of(files: dict[str, str]) -> str:
    return load_files(files).version


# ---- the store of revisions ---------------------------------------------------------------

class Revisions:
    def __init__(self, database: Database):
        self.db = database

    def live_id(self) -> str | None:
        with self.db.session() as session:
            return session.scalar(select(Live.revision_id).where(Live.id == 1))

    def live(self) -> Revision | None:
        with self.db.session() as session:
            live = session.get(Live, 1)
            return session.get(Revision, live.revision_id) if live else None

    def get(self, revision_id: str) -> Revision:
        with self.db.session() as session:
            revision = session.get(Revision, revision_id)
        if revision is None:
            raise RevisionError(f"there is no revision {revision_id!r}")
        return revision

    def history(self, limit: int = 200) -> list[Revision]:
        with self.db.session() as session:
            return list(session.scalars(select(Revision).order_by(Revision.created_at.desc()).limit(limit)))

    # ---- recorded audio, by hash ------------------------------------------------------------

    def put_audio(self, data: bytes, by: str) -> str:
        """Keep a clip's MP3 (once per distinct content); its sha256 is what manifests name."""
        sha = hashlib.sha256(data).hexdigest()
        try:
            with self.db.session() as session, session.begin():
                if session.get(ClipAudio, sha) is None:
                    session.add(ClipAudio(sha256=sha, data=data, size=len(data), created_by=by, created_at=utcnow()))
        except IntegrityError:  # the same take stored a moment ago
            pass
        return sha

    def audio(self, sha: str) -> bytes | None:
        with self.db.session() as session:
            row = session.get(ClipAudio, sha)
            return bytes(row.data) if row is not None else None

    def missing_audio(self, files: dict[str, str]) -> set[str]:
        wanted = hashes(files)
        if not wanted:
            return set()
        with self.db.session() as session:
            stored = set(session.scalars(select(ClipAudio.sha256).where(ClipAudio.sha256.in_(wanted))))
        return wanted - stored

    def add(self, files: dict[str, str], by: str, note: str = "", parent: str | None = None) -> Revision:
        """Store the content as a revision (it must load: raises ScriptError/CatalogError/RecordingsError,
        and every clip its manifests name must be stored)."""
        files = {_safe(name): text for name, text in files.items()}
        missing = self.missing_audio(files)
        if missing:
            raise RevisionError(f"{len(missing)} recording(s) named by the manifests are not stored; record them again")
        revision_id = version_of(files)
        try:
            with self.db.session() as session, session.begin():
                existing = session.get(Revision, revision_id)
                if existing is not None:
                    return existing
                revision = Revision(id=revision_id, files=files, parent_id=parent, created_by=by, note=note,
                                    created_at=utcnow())
                session.add(revision)
        except IntegrityError:  # another worker stored the same content a moment ago
            return self.get(revision_id)
        return revision

    def make_live(self, revision_id: str, by: str) -> None:
        with self.db.session() as session, session.begin():
            if session.get(Revision, revision_id) is None:
                raise RevisionError(f"there is no revision {revision_id!r}")
            live = session.get(Live, 1)
            if live is None:
                session.add(Live(id=1, revision_id=revision_id, by=by, since=utcnow()))
            else:
                live.revision_id, live.by, live.since = revision_id, by, utcnow()

    def import_dir(self, flows_dir: str | Path, translations_dir: str | Path, by: str, note: str = "") -> Revision:
        """Publish a folder; an exported one's recordings (recordings/*.json beside flows/, and the
        clips they name) come with it."""
        files = {**collect(flows_dir, translations_dir), **self._import_recordings(Path(flows_dir).parent / FOLDER, by)}
        revision = self.add(files, by, note or f"imported from {Path(flows_dir).name}/", parent=self.live_id())
        self.make_live(revision.id, by)
        return revision

    def ensure_live(self, flows_dir: str | Path, translations_dir: str | Path) -> str:
        """The first start imports the shipped content; later starts serve what staff published."""
        live = self.live_id()
        if live is None:
            revision = self.add(collect(flows_dir, translations_dir), by="first start", note="the shipped content")
            try:
                with self.db.session() as session, session.begin():
                    session.add(Live(id=1, revision_id=revision.id, by="first start", since=utcnow()))
            except IntegrityError:  # every gunicorn worker starts at once; one of them wins
                pass
            live = self.live_id()
        return live

    def _import_recordings(self, folder: Path, by: str) -> dict[str, str]:
        if not folder.is_dir():
            return {}
        files = {f"{FOLDER}/{path.name}": path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.json"))}
        for code, takes in manifests(files).items():
            for clip, take in takes.items():
                path = folder / code / f"{clip}.mp3"
                data = path.read_bytes() if path.is_file() else b""
                if hashlib.sha256(data).hexdigest() != take.sha256:
                    raise RevisionError(f"{path} is missing or is not the recording {FOLDER}/{code}.json names")
                self.put_audio(data, by)
        return files

    def export(self, revision_id: str, target: str | Path) -> Path:
        """The revision's files, and its clips' audio as recordings/<language>/<clip id>.mp3."""
        files = self.get(revision_id).files
        root = write_files(files, target)
        _write_audio(files, root, self.audio)
        return root

    # ---- drafts ---------------------------------------------------------------------------

    def draft(self, by: str) -> Draft:
        """The open draft, or a new one from the live revision."""
        with self.db.session() as session, session.begin():
            draft = session.scalars(select(Draft).where(Draft.open.is_(True)).order_by(Draft.id.desc())).first()
            if draft is None:
                live = session.get(Live, 1)
                if live is None:
                    raise RevisionError("nothing is live yet: import the content first (hotline import flows/)")
                base = session.get(Revision, live.revision_id)
                draft = Draft(base_id=base.id, files=dict(base.files), updated_by=by, updated_at=utcnow())
                session.add(draft)
        return draft

    def open_draft(self) -> Draft | None:
        with self.db.session() as session:
            return session.scalars(select(Draft).where(Draft.open.is_(True)).order_by(Draft.id.desc())).first()

    def save(self, draft_id: int, name: str, text: str, by: str) -> Draft:
        with self.db.session() as session, session.begin():
            draft = session.get(Draft, draft_id)
            if draft is None or not draft.open:
                raise RevisionError("this draft is closed (published or discarded)")
            draft.files = {**draft.files, _safe(name): text}  # a new dict: JSON columns track assignment
            draft.updated_by, draft.updated_at = by, utcnow()
        return draft

    def save_files(self, draft_id: int, changed: dict[str, str], by: str) -> Draft:
        """Several files of a draft at once (a catalog with its template and its sister
        catalogs): all of them or none."""
        with self.db.session() as session, session.begin():
            draft = session.get(Draft, draft_id)
            if draft is None or not draft.open:
                raise RevisionError("this draft is closed (published or discarded)")
            draft.files = {**draft.files, **{_safe(name): text for name, text in changed.items()}}
            draft.updated_by, draft.updated_at = by, utcnow()
        return draft

    def close(self, draft_id: int) -> None:
        with self.db.session() as session, session.begin():
            draft = session.get(Draft, draft_id)
            if draft is not None:
                draft.open = False


class RevisionSource:
    """What the publisher needs from the database: the live id (one small read) and its Content.

    Loading is cached per revision, so a worker polling an unchanged id does no work and a
    rollback to a revision it served before is instant."""

    def __init__(self, revisions: Revisions, languages: tuple[str, ...]):
        self.revisions = revisions
        self.languages = languages

    def live_id(self) -> str | None:
        return self.revisions.live_id()

    def load(self, revision_id: str | None = None) -> Content:
        revision_id = revision_id or self.live_id()
        if revision_id is None:
            raise RevisionError("nothing is live")
        return load_files(self.revisions.get(revision_id).files, self.languages, audio=self.revisions.audio)

