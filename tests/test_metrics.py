"""/metrics: Prometheus' text format behind a bearer token, nothing about callers in it, and
under gunicorn the figures of every worker added up (prometheus_client's multiprocess mode)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BASE_URL, ROOT, SECRET, TOKEN, Twilio, message_text
from private_redis import free_port
from hotline.session.callers import pseudonym

METRICS_TOKEN = "metrics-token-0123456789abcdef"
NAMES = {"hotline_http_requests", "hotline_http_request_duration_seconds", "hotline_degraded_replies",
         "hotline_store_errors", "hotline_signature_rejections", "hotline_rate_limited", "hotline_reloads",
         "hotline_outbound_messages"}


def samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_without_a_token_there_is_no_metrics_route(app):
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_the_token_is_required(make_app, redis_url):
    client = make_app(redis_url=redis_url, languages=("en",), metrics_token=METRICS_TOKEN).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": METRICS_TOKEN}).status_code == 401
    assert "hotline_http_requests_total" in scrape(client)


def test_turns_rejections_limits_and_outages_are_counted_without_caller_data(make_app, redis_url):
    app = make_app(redis_url=redis_url, languages=("en",), metrics_token=METRICS_TOKEN, caller_limit=2)
    client = app.test_client()
    twilio = Twilio(client)
    before = samples(scrape(client))
    number, body = "+16075551234", "hello zebra"
    for _ in range(4):  # two answered, then one notice and silence: two held back by the limit
        twilio.sms(number, body)
    assert twilio.post("/sms", {"From": number, "Body": "x"}, signature="forged").status_code == 403
    down = make_app(redis_url="redis://127.0.0.1:1/0", languages=("en",), metrics_token=METRICS_TOKEN, redis_timeout=0.2)
    message_text(Twilio(down.test_client()).sms(number, "hi"))
    text = scrape(client)
    after = samples(text)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("hotline_http_requests_total", route="/sms", status="200") == 5
    assert grew("hotline_http_requests_total", route="/sms", status="403") == 1
    assert grew("hotline_http_request_duration_seconds_count", route="/sms") == 6
    assert grew("hotline_signature_rejections_total") == 1
    assert grew("hotline_rate_limited_total", limit="caller") == 2
    assert grew("hotline_degraded_replies_total", channel="sms") == 1
    assert grew("hotline_store_errors_total", error="ConnectionError", step="read") == 1
    assert {f.name for f in text_string_to_metric_families(text)} >= NAMES
    for secret in ("6075551234", "1234", "zebra", pseudonym(SECRET.encode(), number)):
        assert secret not in text


def test_reloads_are_counted(make_app, redis_url, tmp_path):
    import shutil

    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    app = make_app(redis_url=redis_url, languages=("en",), metrics_token=METRICS_TOKEN, flows_dir=flows)
    publisher = app.extensions["hotline_publisher"]
    before = samples(scrape(app.test_client()))
    assert publisher.reload("test") is True
    (flows / "door.yaml").write_text("not: [valid", encoding="utf-8")
    assert publisher.reload("test") is False
    after = samples(scrape(app.test_client()))
    for result in ("accepted", "rejected"):
        key = ("hotline_reloads_total", (("result", result),))
        assert after.get(key, 0) - before.get(key, 0) == 1


def test_under_gunicorn_every_worker_s_figures_are_added_up(redis_url, tmp_path):
    """Three workers, each its own process: /metrics (answered by whichever worker) sums them."""
    port = free_port()
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis_url,
           "HOTLINE_PUBLIC_URL": BASE_URL, "HOTLINE_LANGUAGES": "en", "HOTLINE_METRICS_TOKEN": METRICS_TOKEN,
           "WEB_CONCURRENCY": "3", "PYTHONPATH": str(ROOT), "HOTLINE_RELOAD_SIGNAL": "off"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "hotline:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start: " + server.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.2)
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(TOKEN)
        sent = 60
        for n in range(sent):
            params = {"From": f"+1607559{n:04d}", "Body": "hello", "MessageSid": f"SM{n:032d}"}
            request = urllib.request.Request(f"http://127.0.0.1:{port}/sms", data=urllib.parse.urlencode(params).encode(),
                                             headers={"X-Twilio-Signature": validator.compute_signature(BASE_URL + "/sms", params)})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        totals = []
        for _ in range(3):  # whichever worker answers, the sum is the same
            request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                             headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                found = samples(response.read().decode())
            totals.append(found[("hotline_http_requests_total", (("route", "/sms"), ("status", "200")))])
        assert totals == [sent] * 3
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
