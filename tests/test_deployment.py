"""The default deployment (the Procfile's gunicorn with gunicorn.conf.py) under the abuse
issue's attacks, over real sockets: slow-header clients, forwarded headers from localhost,
development mode on a network address.

The response times are reported ("measured figures"), not asserted: the requests are only
required to be answered, within a client timeout far past any healthy answer (bench/
slow_clients.py measures properly).
"""
from __future__ import annotations

import statistics
import time

import pytest

from conftest import SECRET, TOKEN
from private_gunicorn import Gunicorn, SlowClients, free_port, signed_sms

STALLED = 10.0  # seconds: a request not answered by then was held by the slow clients


@pytest.fixture
def serve(tmp_path, redis_url):
    servers = []

    def start(**env):
        values = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis_url,
                  "HOTLINE_LANGUAGES": "en", "HOTLINE_RELOAD_SIGNAL": "off"}
        values.update(env)
        server = Gunicorn(values, tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) >= 2 else times[0]


def test_fifty_slow_clients_do_not_stall_the_default_deployment(serve, figure, request):
    server = serve(**getattr(request, "param", {}))
    times = []
    with SlowClients(server.port, 50) as slow:
        time.sleep(1.5)  # they are in, each holding whatever reads its headers
        for n in range(60):
            status, took = signed_sms(server.base, TOKEN, f"+1607555{n % 30:04d}", "hi", n + 1, timeout=STALLED)
            assert status == 200, (n, status, took)
            times.append(took)
        held = slow.open()
    assert held >= 45, f"only {held} slow clients were still connected: the test did not hold them"
    figure("default deployment, 50 slow-header clients open: real requests",
           f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms")


def test_forwarded_proto_is_not_trusted_from_localhost_without_proxies(serve):
    server = serve(WEB_CONCURRENCY="1", GUNICORN_THREADS="4")
    https = server.base.replace("http://", "https://") + "/sms"
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    # Signed for an https URL the app must not believe in: refused.
    assert signed_sms(server.base, TOKEN, "+16075550101", "hi", 1, signed_url=https, headers=forged)[0] == 403
    # The URL the app really was called at: answered.
    assert signed_sms(server.base, TOKEN, "+16075550101", "hi", 2)[0] == 200


def test_forwarded_proto_is_trusted_with_a_proxy_in_front(serve):
    server = serve(WEB_CONCURRENCY="1", GUNICORN_THREADS="4", HOTLINE_PROXY_HOPS="1")
    https = server.base.replace("http://", "https://") + "/sms"
    status, _ = signed_sms(server.base, TOKEN, "+16075550102", "hi", 3, signed_url=https,
                           headers={"X-Forwarded-Proto": "https"})
    assert status == 200


def test_development_mode_does_not_start_on_a_network_address(tmp_path):
    server = Gunicorn({"HOTLINE_DEV": "1", "HOTLINE_LANGUAGES": "en", "WEB_CONCURRENCY": "1"}, tmp_path / "dev.log")
    server.env["GUNICORN_CMD_ARGS"] = f"--bind 0.0.0.0:{free_port()}"
    with pytest.raises(RuntimeError, match="loopback"):
        server.start(wait=30)
    server.stop()
    assert server.process.returncode != 0
