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
from hotline.content.db.models import Draft, Live, Revision, utcnow
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
    if Path(name).is_absolute() or ".." in parts or parts[0] not in ("flows", "translations"):
        raise RevisionError(f"{name!r} is not a content file")
    return name


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


def materialize(files: dict[str, str]) -> Path:
    """A folder holding these files (flows/, translations/), made once per set of files: the
    loader reads folders, and its findings then name files as staff know them (flows/door.yaml)."""
    root = _CACHE / files_digest(files)[:24]
    if root.is_dir():
        return root
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
    return root


def load_files(files: dict[str, str], languages: tuple[str, ...] = LANGUAGES) -> Content:
    """Raises ScriptError or CatalogError, exactly as loading a checkout does."""
    root = materialize(files)
    return load_content(root / "flows", root / "translations", languages)


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

    def add(self, files: dict[str, str], by: str, note: str = "", parent: str | None = None) -> Revision:
        """Store the content as a revision (it must load: raises ScriptError/CatalogError)."""
        files = {_safe(name): text for name, text in files.items()}
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
        revision = self.add(collect(flows_dir, translations_dir), by, note or f"imported from {Path(flows_dir).name}/",
                            parent=self.live_id())
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

    def export(self, revision_id: str, target: str | Path) -> Path:
        return write_files(self.get(revision_id).files, target)

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
        return load_files(self.revisions.get(revision_id).files, self.languages)

