"""Shared fixtures: a real Redis, apps on either store, and requests signed as Twilio signs them.

Redis-backed tests need a server. In CI (CI=true) or with HOTLINE_REQUIRE_REDIS=1 a missing
server FAILS the test; on a developer's machine it skips with a clear reason.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-secret-key-0123456789abcdefghijklmnop"
BASE_URL = "https://hotline.example.org"
# Saturday 28 Nov 2026, 14:00 in Binghamton: ONA is open (Sat 9-17).
SATURDAY_AFTERNOON = dt.datetime(2026, 11, 28, 19, 0, tzinfo=dt.timezone.utc)
# Apps under test serve the files they are pointed at, not a staff database's live revision;
# the console's tests ask for a database of their own (tests/test_console_*.py).
os.environ["HOTLINE_DATABASE_URL"] = "off"


def _for_this_worker(url: str) -> str:
    """Under pytest-xdist (scripts/test runs the suite on several workers) each worker flushes
    a Redis database of its own: gw0 uses db 1, gw1 db 2, ... (db 0 and 15 stay for a run
    without workers)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(worker[2:]) % 14 + 1}"))


REDIS_URL = _for_this_worker(os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
if os.environ.get("HOTLINE_TEST_REDIS_URL"):
    os.environ["HOTLINE_TEST_REDIS_URL"] = REDIS_URL  # tests/services.py reads it too
# Phone-call helpers and the phone_app fixture (tests/calls.py).
pytest_plugins = ("calls",)


def redis_required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get("HOTLINE_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_url():
    """A clean Redis database for this test (db 15 by default, flushed before and after)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis is not answering at {REDIS_URL} ({exc}); start redis-server"
        if redis_required():
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _flush_cluster(url: str) -> None:
    from redis.cluster import RedisCluster

    client = RedisCluster.from_url(url, socket_connect_timeout=2)
    try:
        client.flushall(target_nodes=RedisCluster.PRIMARIES)
        client.script_flush()  # redis-py sends it to every master: each test loads the scripts afresh
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_cluster_session(tmp_path_factory):
    """A three-master Redis Cluster: HOTLINE_TEST_REDIS_CLUSTER_URL (scripts/test starts one), or
    one of our own started the way tests/private_redis.py starts a private Redis."""
    url = os.environ.get("HOTLINE_TEST_REDIS_CLUSTER_URL")
    if url:
        yield url
        return
    from private_redis import PrivateCluster

    cluster = PrivateCluster(tmp_path_factory.mktemp("cluster"))
    try:
        cluster.start()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        cluster.stop()
        message = f"could not start a private Redis Cluster ({type(exc).__name__}: {exc})"
        from services import services_required

        if redis_required() or services_required():
            pytest.fail(message)
        pytest.skip(message)
    yield cluster.url
    cluster.stop()


@pytest.fixture
def redis_cluster_url(redis_cluster_session):
    """The cluster, every master flushed (data and scripts) before and after this test.

    A cluster has one database only, so the per-worker databases of the single server cannot
    keep pytest-xdist's workers apart: a test on the cluster holds an exclusive lock (one file
    per cluster, flock) from its first flush to its last, and the others wait their turn.
    """
    import fcntl
    import hashlib
    import tempfile

    name = hashlib.sha1(redis_cluster_session.encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"hotline-test-cluster-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _flush_cluster(redis_cluster_session)
            yield redis_cluster_session
            _flush_cluster(redis_cluster_session)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(params=["redis", "cluster"])
def any_redis(request):
    """The settings of an app on one Redis server, then on the three-master Redis Cluster
    (HOTLINE_REDIS_CLUSTER=1): a test taking this runs on both, and fails where either is
    missing when services are required (tests/services.py)."""
    if request.param == "redis":
        return {"redis_url": request.getfixturevalue("redis_url")}
    return {"redis_url": request.getfixturevalue("redis_cluster_url"), "redis_cluster": True}


@pytest.fixture
def valkey_url():
    """HOTLINE_TEST_VALKEY_URL, flushed: the contract also runs on Valkey when one is given."""
    import redis

    url = _for_this_worker(os.environ["HOTLINE_TEST_VALKEY_URL"])  # a database per xdist worker
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def stored_value(client, key) -> bytes:
    """What a key holds, whatever its type: a usage-counter hash as its "field=count" lines."""
    if client.type(key) == b"hash":
        from hotline.session.store import render_counters

        return render_counters({f.decode(): int(v) for f, v in client.hgetall(key).items()})
    return client.get(key) or b""


def settings_overrides(**extra):
    # The store's longest allowed timeout: on a loaded machine (the suite on several workers
    # beside Redis and the browser) a reply can take more than the 0.25 s the line allows in
    # production, and a test about one mechanism should not see the store drop out. The
    # outage tests set the production timeout themselves.
    # Staff passwords at a tiny argon2 cost: a console test signs in several people, and at the
    # production cost (tested in test_console.py) each hash or check takes 0.2 s of CPU.
    values = {"auth_token": TOKEN, "secret_key": SECRET, "public_url": BASE_URL, "dev": False, "redis_timeout": 2.0,
              "password_cost": (1, 8, 1)}
    values.update(extra)
    return values


@pytest.fixture
def make_app():
    """make_app(redis_url=..., **settings) -> a Flask app with the real flows and a fixed clock.

    Each app's publisher (the thread that looks for a new live revision or changed files) is
    stopped when the test ends, as a server process's ends with it: left running, every app
    the suite ever built kept polling its database and reloading content until the end."""
    from hotline import create_app

    built = []

    def build(clock=lambda: SATURDAY_AFTERNOON, **settings):
        config = settings_overrides(**settings)
        config["TESTING"] = True
        config["HOTLINE_CLOCK"] = clock
        app = create_app(config)
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["hotline_publisher"].stop()


@pytest.fixture
def app(make_app, redis_url):
    """The hotline in English only: most tests are about one mechanism, not language choice
    (tests of several languages build their app with make_app)."""
    return make_app(redis_url=redis_url, languages=("en",))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_sends(monkeypatch):
    """Every packed command redis-py sends from now on: one per round trip to Redis."""
    from redis.connection import Connection

    sends = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sends.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sends


class Twilio:
    """Posts to the app exactly as Twilio does: form-encoded and signed with the auth token."""

    def __init__(self, client, token: str = TOKEN, base_url: str = BASE_URL):
        self.client = client
        self.validator = RequestValidator(token)
        self.base_url = base_url
        self.sids = 0

    def sign(self, url: str, params: dict) -> str:
        return self.validator.compute_signature(url, params)

    def post(self, path: str, params: dict, signature: str | None = None, headers: dict | None = None):
        url = self.base_url + path
        headers = dict(headers or {})
        headers["X-Twilio-Signature"] = signature if signature is not None else self.sign(url, params)
        return self.client.post(path, data=params, headers=headers, base_url=self.base_url)

    def sms(self, number: str, body: str, **extra):
        self.sids += 1
        params = {
            "MessageSid": f"SM{self.sids:032d}", "AccountSid": "AC" + "0" * 32, "From": number,
            "To": "+16075550199", "Body": body, "NumMedia": "0", "NumSegments": "1",
            "FromCity": "BINGHAMTON", "FromState": "NY", "FromZip": "13901", "FromCountry": "US",
        }
        params.update(extra)
        return self.post("/sms", params)


@pytest.fixture
def twilio(client):
    return Twilio(client)


def message_text(response) -> str:
    """The text of a TwiML messaging response, checking that it is well-formed TwiML."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    for child in root:
        assert child.tag == "Message", child.tag
    return "\n\n".join(child.text or "" for child in root)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the expected replies in tests/golden/*.yaml from what the hotline says now")


# --- measured figures ----------------------------------------------------------------------
# Tests that measure something (fuzz cases run, response time with Redis down, bytes per caller)
# record it here; the figures are printed at the end of the run. They are reports, not limits.
# They travel in each test's report (user_properties), so figures measured on pytest-xdist's
# workers reach the summary the controller prints.
FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def figure(request):
    def record(name: str, value) -> None:
        request.node.user_properties.append(("figure", f"{name}\0{value}"))

    return record


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "figure":
                FIGURES.append(tuple(value.split("\0", 1)))


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("measured figures")
        for name, value in FIGURES:
            terminalreporter.write_line(f"{name}: {value}")
