"""The database of what staff own: accounts, revisions of the content, drafts, reviews, the audit log.

SQLAlchemy 2 (one code path for the embedded SQLite file and PostgreSQL in production) with
Alembic migrations (migrations/): `open_database(url)` brings the schema up to date before
anything reads it, so an upgrade of the hotline upgrades its database by itself.

Callers' data never comes here: the session store stays Redis. Nothing in these tables is
about a caller; the only addresses kept are staff sign-in addresses, as keyed hashes, for
throttling (hotline/staff/accounts.py).
"""
from __future__ import annotations

import contextlib
import fcntl
import threading
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_opened: dict[str, "Database"] = {}
_lock = threading.Lock()


class Database:
    def __init__(self, url: str):
        self.url = url
        options = {"pool_pre_ping": True, "future": True}
        if url.startswith("sqlite"):
            # SQLite serialises writers; wait for the lock instead of failing at once.
            options = {"connect_args": {"timeout": 15, "check_same_thread": False}}
            if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def upgrade(self) -> None:
        import logging

        from alembic import command
        from alembic.config import Config

        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # Every gunicorn worker opens the database as it starts: one migrates, the others wait
        # for it and then find nothing to do.
        with _migration_lock(self.url), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(74680001)"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextlib.contextmanager
def _migration_lock(url: str):
    """SQLite has no advisory lock: a lock file beside the database stands in for one."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        yield
        return
    with open(url[len("sqlite:///"):] + ".migrating", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: gunicorn's workers read the live revision while the console writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(url: str) -> Database:
    """One Database per URL and process, migrated to the newest schema on first use."""
    with _lock:
        database = _opened.get(url)
        if database is None:
            database = Database(url)
            database.upgrade()
            _opened[url] = database
        return database


def forget(url: str) -> None:
    """Tests: drop the process's engine for a URL (its database is being thrown away)."""
    with _lock:
        database = _opened.pop(url, None)
    if database is not None:
        database.engine.dispose()
