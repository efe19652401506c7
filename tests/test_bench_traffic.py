"""The benchmark's traffic is real traffic: every request it replays is one the app accepts.

bench/traffic.py signs SMS messages and whole phone calls as Twilio would; here each
generated request is posted to a separately built app, which checks the signature as in
production, and its reply is checked as TwiML. A tampered signature, or one made for another
server's URL, is refused: the check is live, so the passing requests mean something.
Also: the rate-limit settings the benchmark lifts are the app's real ones, and a turn through
the webhooks costs at most two Redis round trips.
"""
from __future__ import annotations

import datetime as dt
import runpy
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import pytest

from bench import traffic
from bench.run import SECRET, TOKEN, bench_limits, walking_app
from calls import check_twiml
from conftest import BASE_URL, ROOT
from hotline.config import Settings


def now() -> dt.datetime:
    # The calls' URLs carry their real start time: the replaying app must use the real clock.
    return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def replaying_app(make_app, redis_url):
    """The app the requests are replayed to: Redis, every language, signatures checked."""
    return make_app(clock=now, redis_url=redis_url, auth_token=TOKEN, secret_key=SECRET,
                    caller_limit=10**9, line_limit=10**9)


def post(client, line: str):
    path, body, signature = line.split("\t")
    return client.post(path, data=body, base_url=BASE_URL, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


def test_every_request_of_the_voice_walks_passes_the_signature_check(replaying_app):
    walks = traffic.voice_walks(walking_app(BASE_URL), callers=12, steps=8)
    requests = list(traffic.interleaved(walks))
    paths = [path for path, _ in requests]
    assert paths.count("/voice") == 12  # every call starts where Twilio starts it
    presses = [form for path, form in requests if path.startswith("/voice/key?")]
    assert presses and all("Digits" in form or "SpeechResult" in form for form in presses)
    # The follow-up URLs are the app's own, one sealed token each, exactly as returned.
    assert all(set(parse_qs(path.partition("?")[2])) == {"s"} for path in paths if "?" in path)
    client = replaying_app.test_client()
    for line in traffic.signed_lines(BASE_URL, TOKEN, requests):
        response = post(client, line)
        assert response.status_code == 200, (line.split("\t")[0], response.data)
        check_twiml(response.data)


def test_every_request_of_the_sms_walks_passes_and_gets_a_message(replaying_app):
    content = replaying_app.extensions["hotline"].content
    walks = traffic.sms_requests(traffic.sms_walks(content, callers=20, steps=6))
    client = replaying_app.test_client()
    for line in traffic.signed_lines(BASE_URL, TOKEN, traffic.interleaved(walks)):
        response = post(client, line)
        assert response.status_code == 200, response.data
        root = ET.fromstring(response.data)
        assert [child.tag for child in root] and all(child.tag == "Message" for child in root)


def test_a_tampered_or_misaddressed_request_is_refused(replaying_app):
    walks = traffic.voice_walks(walking_app(BASE_URL), callers=1, steps=3)
    request = walks[0][1]  # a key press, on a URL with a query string
    client = replaying_app.test_client()
    good = traffic.signed_lines(BASE_URL, TOKEN, [request])[0]
    assert post(client, good).status_code == 200
    path, body, signature = good.split("\t")
    assert post(client, f"{path}\t{body}\t{signature[:-2]}AA").status_code == 403
    elsewhere = traffic.signed_lines("http://127.0.0.1:8000", TOKEN, [request])[0]
    assert post(client, elsewhere).status_code == 403
    assert post(client, f"{path}\t{body.replace('Digits=', 'Digits=9')}\t{signature}").status_code == 403


def test_sms_walks_use_real_keys_and_distinct_message_ids():
    from hotline.content.bundle import load_content

    settings = Settings.from_env({}, dev=True)
    content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    walks = traffic.sms_walks(content, callers=50, steps=8)
    assert len(walks) == 50 and all(len(texts) == 8 for texts in walks)
    assert {texts[0] for texts in walks} & {"hola", "hi", "hello"} or len({texts[0] for texts in walks}) > 5
    requests = [form for walk in traffic.sms_requests(walks) for _, form in walk]
    assert len({form["MessageSid"] for form in requests}) == len(requests)
    assert len({form["From"] for form in requests}) == 50


def test_the_benchmark_lifts_the_limits_the_app_really_has():
    settings = Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, **bench_limits()})
    defaults = Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET})
    assert settings.caller_limit > 10**6 > defaults.caller_limit
    assert settings.line_limit > 10**6 > defaults.line_limit


def test_gunicorn_settings_honour_the_platform(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # Threads by default, so slow clients cannot hold every process (tests/test_deployment.py).
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (3, "gthread", 32)
    # One connection a thread: a process never queues a real request behind held threads.
    assert conf["worker_connections"] == conf["threads"]
    assert "bind" not in conf  # gunicorn's own default listens on $PORT
    monkeypatch.setenv("GUNICORN_THREADS", "1")  # behind a buffering proxy: sync workers
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"] == "sync"
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "4")  # Redis far away: threads overlap the waits
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (5, "gthread", 4)


def test_a_turn_is_at_most_two_redis_round_trips(replaying_app, redis_sends):
    """Rate count, idempotency record, state and language: read together, written together."""

    walks = traffic.voice_walks(walking_app(BASE_URL), callers=2, steps=6, first_caller=500)
    sms = traffic.sms_requests([["hola", "1", "2", "0", "LANGUAGE", "3"]], first_caller=700)
    lines = traffic.signed_lines(BASE_URL, TOKEN, list(traffic.interleaved(walks)) + sms[0])
    client = replaying_app.test_client()
    post(client, lines[0])  # connects and loads the scripts: once per server, not per turn
    sends = redis_sends
    sends.clear()  # from here on: the warm-up above is not counted
    per_turn = []
    for line in lines[1:]:
        before = len(sends)
        assert post(client, line).status_code == 200
        per_turn.append(len(sends) - before)
    texts, calls = per_turn[-len(sms[0]):], per_turn[:-len(sms[0])]
    assert max(per_turn) <= 2 and texts.count(2) >= len(texts) // 2, per_turn
    # A key press carries its place in its URL: no round trip unless it changes the language.
    assert calls.count(0) >= len(calls) // 2, calls
