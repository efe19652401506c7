"""The tables. Every change to them is a migration in migrations/versions/."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Revision(Base):
    """The whole content as it was published: immutable once written. The id is the content's
    version (what /healthz reports), a hash of the files, so the same content is one revision."""

    __tablename__ = "revisions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {"flows/door.yaml": "...", "translations/es/LC_MESSAGES/messages.po": "..."}
    files: Mapped[dict] = mapped_column(JSON)
    parent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class Live(Base):
    """One row: which revision every worker serves. Workers poll this id every few seconds."""

    __tablename__ = "live"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    revision_id: Mapped[str] = mapped_column(ForeignKey("revisions.id"))
    since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str] = mapped_column(String(64))


class Draft(Base):
    """Staff's work in progress: a copy of a revision's files, edited."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base_id: Mapped[str] = mapped_column(ForeignKey("revisions.id"))
    files: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    open: Mapped[bool] = mapped_column(Boolean, default=True)


class Review(Base):
    """A reviewer's sign-off of one legal node of a draft, as it read then (its digest)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    node_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The last TOTP time step accepted: a code is good once (no replay within its 30 s).
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The catalogs this account works on, comma-separated codes ("fa_AF,ps"): a translator
    # edits only these.
    languages: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # A native speaker who may mark the catalogs of their languages reviewed (STAFF.md).
    reviews_translations: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Throttle(Base):
    """Failed sign-ins per account and per (hashed) address, and the lockout they lead to."""

    __tablename__ = "throttle"
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """Who did what, when. Never a caller's data: staff actions on content and accounts only."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


class ClipAudio(Base):
    """A recorded clip's MP3, by its sha256: revisions' manifests (recordings/<language>.json)
    name clips by this hash, so a take kept by ten revisions is stored once. Never a caller's
    voice: staff recordings of the hotline's own words only."""

    __tablename__ = "clip_audio"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
