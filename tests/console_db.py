"""Staff databases for tests: an SQLite file per test, and PostgreSQL when
HOTLINE_TEST_DATABASE_URL names a server (scripts/test starts one). In CI (CI=true) or with
HOTLINE_REQUIRE_SERVICES=1 a missing PostgreSQL fails the test instead of skipping it."""
from __future__ import annotations

import os

import pytest

from services import services_required  # noqa: F401  (scripts/test's rule, also for the browser test)

PG_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL", "")
_made: set[str] = set()


def _for_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own on the one server (created
    once), since a test starts by dropping everything in its database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    mine = make_url(url).set(database=f"{make_url(url).database or 'postgres'}_{worker}")
    rendered = mine.render_as_string(hide_password=False)
    if rendered not in _made:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": mine.database}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{mine.database}"'))
        engine.dispose()
        _made.add(rendered)
    return rendered


def _pg_clean(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    from hotline.content.db import forget

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    else:
        if not PG_URL:
            message = "HOTLINE_TEST_DATABASE_URL is not set (a PostgreSQL server for the database tests)"
            if services_required():
                pytest.fail(message)
            pytest.skip(message)
        try:
            url = _for_this_worker(PG_URL)
            _pg_clean(url)
        except Exception as exc:  # noqa: BLE001 - any connection failure means: no server
            message = f"PostgreSQL at HOTLINE_TEST_DATABASE_URL does not answer ({type(exc).__name__})"
            if services_required():
                pytest.fail(message)
            pytest.skip(message)
    forget(url)
    yield url
    forget(url)


@pytest.fixture
def database(database_url):
    from hotline.content.db import open_database

    return open_database(database_url)
