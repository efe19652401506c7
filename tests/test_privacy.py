"""Nothing that identifies a caller is kept: not the number, not the words, not the location.

The audit test plays a full set of conversations (every golden conversation, Twilio's keywords,
FORGET, pictures, a flood, repeats, huge and hostile bodies, a crash inside a turn, a dead
Redis, and requests through a real HTTP server whose access log is captured), then scans every
Redis key and value and every log record for anything that came from a caller.
"""
from __future__ import annotations

import io
import json
import logging
import re
import threading
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from conftest import BASE_URL, Twilio, message_text, stored_value
from golden import conversations, load
from hotline.session.callers import canonical_number, pseudonym

NUMBER = "+16075550142"
# Distinctive bodies and location values, so a leak of any of them anywhere is unmistakable.
BODIES = ["hello there zebra", "1", "2", "BACK", "my name is Quetzalli Example", "7", "MENU"]
LOCATION = {"FromCity": "VESTALTOWNX", "FromState": "ZQSTATE", "FromZip": "13999", "FromCountry": "XVCOUNTRY"}
KEY_SHAPE = re.compile(r"^hl:(\{[A-Za-z0-9_-]{20}\}:[slot]|load:\d+|stats:\d{8})$")
VALUE_SHAPE = {
    "s": re.compile(rb"^\d+,\d+;([A-Za-z0-9_-]{8} )?[ -~]*$"),  # rate head; request digest, states
    "l": re.compile(rb"^[a-z]{2}(_[A-Za-z]+)?$"),
    "o": re.compile(rb"^1$"),
    "t": re.compile(rb"^1$"),  # texted today (the outbound guard)
    "load": re.compile(rb"^\d+$"),
    # usage counters: "kind|language|channel|node or outcome=count" lines; nothing finer than a day
    "stats": re.compile(rb"^([vno]\|(-|[a-z]{2}(_[A-Za-z]+)?)\|(sms|voice)(\|[@a-z0-9_]+)?=\d+\n?)+$"),
}


def forms_of(number: str) -> list[str]:
    digits = canonical_number(number).lstrip("+")
    return [number, digits, digits[1:], digits[-7:], digits[-4:] + digits[:3]]


def test_after_a_conversation_no_key_or_value_holds_the_number_body_or_location(make_app, redis_url, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    twilio = Twilio(make_app(redis_url=redis_url).test_client())
    for body in BODIES:
        message_text(twilio.sms(NUMBER, body, **LOCATION))
    keys = list(redis_client.scan_iter("*"))
    assert keys, "the conversation should have stored state"
    blob = b"\n".join(keys + [stored_value(redis_client, k) for k in keys]).decode("utf-8", "replace").lower()
    logs = caplog.text.lower()
    for secret in forms_of(NUMBER) + ["zebra", "quetzalli"] + [v.lower() for v in LOCATION.values()]:
        assert secret.lower() not in blob, f"{secret!r} is stored in Redis"
        assert secret.lower() not in logs, f"{secret!r} is in the logs"
    for key in keys:
        assert redis_client.ttl(key) > 0, f"{key!r} has no TTL"


@pytest.fixture
def written_logs():
    """What the hotline's own log handler writes, in both formats (hotline/logs.py), for the scan:
    a formatter could add what the record alone does not show."""
    from hotline import logs

    streams = {kind: io.StringIO() for kind in logs.FORMATS}
    handlers = []
    for kind, stream in streams.items():
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logs.Formatter(kind))
        handler.setLevel(logging.DEBUG)
        handlers.append(handler)
        logging.getLogger().addHandler(handler)
    yield streams
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


def test_audit_after_every_kind_of_conversation(make_app, redis_url, redis_client, caplog, monkeypatch, written_logs):
    caplog.set_level(logging.DEBUG)  # every logger, every level: werkzeug, redis, twilio, ours
    app = make_app(redis_url=redis_url, caller_limit=8)
    twilio = Twilio(app.test_client())
    said: set[str] = set()
    numbers = [f"+1607555{n:04d}" for n in range(3100, 3110)]

    def send(number, body, **extra):
        said.add(body)
        return twilio.sms(number, body, **LOCATION, **extra)

    # every golden conversation, each from its own number
    for number, path in zip(numbers, conversations()):
        for step in load(path)["steps"]:
            message_text(send(number, step["send"]))
    n = numbers[5]
    for body in ["hi", "Xylophone Quokka", "HELP", "INFO", "STOP", "zzz after stop", "START", "9", "3",
                 "FORGET", "hi again Wombatine", "LANGUAGE", "1"]:
        send(n, body)
    send(n, "caption Narwhalia", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME9")
    send(n, "Ocelotte repeated", MessageSid="SM" + "e" * 32)
    send(n, "Ocelotte repeated", MessageSid="SM" + "e" * 32)
    for k in range(12):  # a flood from one number
        send(numbers[6], f"flood Pangolina {k}")
    send(numbers[7], "Huge Capybarra " + "x" * 5000)
    send(numbers[7], "\x00Bidi\u202eAxolotlo\u202c")

    # a crash inside a turn whose exception message quotes the caller's words
    def crash(content, state, text):
        raise ValueError(f"could not handle {text}")

    monkeypatch.setattr("hotline.session.switchboard.step", crash)
    assert "1-800-566-7636" in message_text(send(numbers[8], "Tapirina crash"))
    monkeypatch.undo()

    # a dead Redis
    dead = Twilio(make_app(redis_url="redis://127.0.0.1:1/0").test_client())
    said.add("Gavialis offline")
    message_text(dead.sms(numbers[9], "Gavialis offline", **LOCATION))

    # a real server, so Werkzeug's access log is in the capture too
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        params = {"From": numbers[0], "Body": "Serval network", "MessageSid": "SM" + "f" * 32, **LOCATION}
        said.add(params["Body"])
        request = urllib.request.Request(
            f"http://127.0.0.1:{httpd.server_port}/sms", data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": twilio.sign(BASE_URL + "/sms", params)})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    finally:
        httpd.shutdown()
        thread.join(5)
    assert "POST /sms" in caplog.text  # the access log really was captured

    # --- the scan -------------------------------------------------------------------------
    keys = sorted(k.decode() for k in redis_client.scan_iter("*"))
    assert keys
    values = {k: stored_value(redis_client, k) for k in keys}
    for key in keys:
        assert KEY_SHAPE.match(key), f"unexpected key {key!r}"
        assert redis_client.ttl(key) > 0, f"{key!r} has no TTL"
        kind = "load" if key.startswith("hl:load:") else "stats" if key.startswith("hl:stats:") else key[-1]
        assert VALUE_SHAPE[kind].match(values[key]), f"{key!r} holds {values[key]!r}"
    stored = "\n".join(keys + [v.decode("utf-8", "replace") for v in values.values()]).lower()
    text, as_json = written_logs["text"].getvalue(), written_logs["json"].getvalue()
    assert "POST /sms" in text and all(json.loads(line) for line in as_json.splitlines())
    logs = "\n".join([caplog.text, text, as_json]).lower()
    markers = ["xylophone", "quokka", "wombatine", "narwhalia", "ocelotte", "pangolina", "capybarra", "axolotlo",
               "tapirina", "gavialis", "serval"]
    assert all(any(m in body.lower() for body in said) for m in markers)  # each marker was really sent
    secrets = [f for number in numbers for f in forms_of(number)] + markers
    secrets += [v.lower() for v in LOCATION.values()] + ["e" * 32, "f" * 32]
    for secret in secrets:
        assert secret not in stored, f"{secret!r} is stored in Redis"
        assert secret not in logs, f"{secret!r} is in the logs"
    # Callers appear only as pseudonyms, and only the ones that were kept.
    assert {k.split("}")[0][4:] for k in keys if k.startswith("hl:{")} <= {
        pseudonym(app.config["HOTLINE_SETTINGS"].secret, n) for n in numbers}


def test_healthz_says_nothing_about_callers(client, twilio):
    twilio.sms(NUMBER, "hello there zebra")
    body = client.get("/healthz").get_data(as_text=True)
    # The number's own digits, not its area code alone: /healthz carries timestamps, and
    # "607" turns up in one of them now and then.
    assert "zebra" not in body and "5550142" not in body and NUMBER not in body


def test_keys_are_hmacs_of_the_number_not_the_number():
    first = pseudonym(b"k" * 32, "+1 (607) 555-0142")
    assert first == pseudonym(b"k" * 32, "+16075550142")  # the same phone however it is written
    assert first != pseudonym(b"other-key" * 4, "+16075550142")  # the key matters: not a plain hash
    assert "6075550142" not in first and len(first) == 20


@pytest.mark.parametrize("raw,expected", [("whatsapp:+16075550142", "+16075550142"), (" +1 607-555-0142 ", "+16075550142")])
def test_canonical_number(raw, expected):
    assert canonical_number(raw) == expected
