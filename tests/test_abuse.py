"""The abuse issue's attacks on the SMS line and the settings, each against the running app.

START floods, withheld numbers sharing a record, re-cut signed requests, development mode
with a real token, development mode on a network address. (The phone line's texts are in
tests/test_outbound.py; slow clients, gunicorn and a hung Redis in tests/test_deployment.py.)
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from twilio.request_validator import RequestValidator

from conftest import BASE_URL, ROOT, SECRET, TOKEN, Twilio, message_text
from hotline.config import Settings, check_listen
from hotline.session.store import stats_day
from hotline.errors import ConfigError

MENU = "1 Agents at my door"


# --- START, YES and UNSTOP count like any reply -------------------------------------------


def test_forty_yes_from_one_number_get_no_more_menus_than_the_limit(make_app, redis_url):
    twilio = Twilio(make_app(redis_url=redis_url, languages=("en",), caller_limit=12).test_client())
    replies = [twilio.sms("+16075550150", "yes") for _ in range(40)]
    texts = [message_text(r) for r in replies]
    menus = sum(MENU in t for t in texts)
    assert menus == 12, menus
    assert sum(bool(t) for t in texts) == 13  # and one notice to slow down, then silence


def test_start_gets_the_short_notice_once_the_line_budget_is_spent(make_app, redis_url):
    twilio = Twilio(make_app(redis_url=redis_url, languages=("en",), line_limit=5).test_client())
    for n in range(5):
        assert MENU in message_text(twilio.sms(f"+160755502{n:02d}", "hi"))
    later = [message_text(twilio.sms(f"+160755503{n:02d}", word)) for n, word in enumerate(["START", "YES", "UNSTOP"] * 7)]
    assert not any(MENU in t for t in later)
    assert all("1-800-566-7636" in t for t in later)  # the one-segment notice with the ONA number


def test_an_opted_out_start_clears_the_mark_even_when_the_line_is_busy(make_app, redis_url, redis_client):
    twilio = Twilio(make_app(redis_url=redis_url, languages=("en",), line_limit=3).test_client())
    assert twilio.sms("+16075550160", "STOP").data.endswith(b"<Response />")
    assert list(redis_client.scan_iter("hl:*:o"))
    for n in range(3):
        message_text(twilio.sms(f"+160755504{n:02d}", "hi"))
    assert "1-800-566-7636" in message_text(twilio.sms("+16075550160", "START"))
    assert not list(redis_client.scan_iter("hl:*:o"))  # Twilio subscribed them again: so do we


def test_a_captured_request_replayed_forty_times_gets_no_more_replies_than_the_limit(make_app, redis_url):
    twilio = Twilio(make_app(redis_url=redis_url, languages=("en",), caller_limit=12).test_client())
    params = sms_params(Body="hi")
    texts = [message_text(twilio.post("/sms", params)) for _ in range(40)]  # the same MessageSid, signed
    assert sum(MENU in t for t in texts) == 12
    assert sum(bool(t) for t in texts) == 13


# --- withheld numbers: no memory, never a shared record -------------------------------------


@pytest.mark.parametrize("placeholder", ["+266696687", "+17378742833", "Anonymous", "+8656696"])
def test_withheld_numbers_never_share_a_record(make_app, redis_url, redis_client, placeholder):
    from calls import CATALOGS, FLOWS

    twilio = Twilio(make_app(redis_url=redis_url, flows_dir=FLOWS, translations_dir=CATALOGS,
                             languages=("en", "es", "ht", "ps")).test_client())
    # A real number that writes Spanish has its language remembered: that is what withheld
    # callers used to share (one chose Russian, the next was greeted in Russian).
    message_text(twilio.sms("+16075550180", "hola"))
    assert [redis_client.get(k) for k in redis_client.scan_iter("hl:*:l")] == [b"es"]
    redis_client.flushdb()
    first = message_text(twilio.sms(placeholder, "hola"))
    assert first  # answered
    second = message_text(twilio.sms(placeholder, "hello"))
    assert second == message_text(twilio.sms("+16075550181", "hello"))  # as a stranger is greeted
    # Nothing is kept about them beyond this minute's rate count: no language, no record.
    window = Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET}).rate_window
    withheld_keys = [k for k in redis_client.scan_iter("hl:{*") if b"{" in k]
    assert [redis_client.get(k) for k in redis_client.scan_iter("hl:*:l")] == [b"en"]  # the stranger's only
    for key in withheld_keys:
        if redis_client.get(key).endswith(b";"):
            assert 0 < redis_client.ttl(key) <= window, key  # a bare rate count
    assert sum(redis_client.get(k).endswith(b";") for k in withheld_keys) == 2  # one per request, not shared


@pytest.mark.parametrize("placeholder", ["+266696687", "+17378742833", "Restricted"])
def test_withheld_callers_on_the_phone_are_kept_apart(phone_app, placeholder):
    from calls import FakeSender, PhoneCall

    sender = FakeSender()
    twilio = Twilio(phone_app(sender=sender).test_client())
    first = PhoneCall(twilio, number=placeholder, sid="CA" + "1" * 32)
    first.dial()
    assert first.press("2").place["lang"] == "es"  # this caller chose Spanish
    other = PhoneCall(twilio, number=placeholder, sid="CA" + "2" * 32)
    assert other.dial().place["at"] == "@lang"  # the next one is asked, not greeted in Spanish
    # Pashto, which the line cannot speak: what exists for it (ONA's interpreters, open on a
    # Saturday afternoon), and never a text to a number that is nobody's.
    heard = other.press("7")
    assert heard.root.find("Dial") is not None and sender.sent == []
    assert "We sent you a text message" not in heard.text


def test_a_number_that_calls_again_and_again_is_not_picked_up_past_the_limit(phone_app):
    """Past the per-caller limit of the rate window (calls and texts counted together) a call
    is rejected, busy: Twilio bills no rejected call and no volunteer's phone rings. Other
    numbers, and withheld callers (kept apart by their call), are answered as ever."""
    from calls import PhoneCall

    # An hour's window: the store's windows are whole multiples of it, and a minute's would end
    # mid-test one run in sixty or so (an hour's, rarely).
    app = phone_app(settings={"rate_window": 3600})
    twilio = Twilio(app.test_client())
    limit = app.extensions["hotline"].limits.per_caller
    twilio.sms("+16075550177", "hi")  # a text counts too
    answered = [PhoneCall(twilio, number="+16075550177", sid=f"CA{n:032x}").dial() for n in range(limit - 1)]
    assert all(heard.gather is not None for heard in answered)
    (refused,) = [PhoneCall(twilio, number="+16075550177", sid="CA" + "e" * 32).dial().root]
    assert [(verb.tag, verb.get("reason")) for verb in refused] == [("Reject", "busy")]
    assert PhoneCall(twilio, number="+16075550178", sid="CA" + "f" * 32).dial().gather is not None
    withheld = [PhoneCall(twilio, number="Anonymous", sid=f"CA{n:032x}").dial() for n in range(limit + 2)]
    assert all(heard.gather is not None for heard in withheld)
    # A number that only calls, never choosing a language, starts a new conversation with each
    # answered call; a refused call is not one in the day's figures.
    board = app.extensions["hotline"]
    board.flush_counts()
    day = stats_day(time.time())
    before = board.store.stats([day]).get(day, {}).get("n|-|voice", 0)
    calls = [PhoneCall(twilio, number="+16075550179", sid=f"CA{n + 1000:032x}").dial() for n in range(limit + 3)]
    assert [heard.verbs() for heard in calls[limit:]] == [["Reject"]] * 3
    board.flush_counts()
    assert board.store.stats([day]).get(day, {}).get("n|-|voice", 0) - before == limit


def test_a_withheld_stop_marks_nobody(make_app, redis_url, redis_client):
    twilio = Twilio(make_app(redis_url=redis_url, languages=("en",)).test_client())
    twilio.sms("+266696687", "STOP")
    assert not list(redis_client.scan_iter("hl:*:o"))
    assert MENU in message_text(twilio.sms("+266696687", "hi"))  # the next withheld texter is answered


# --- re-cut signed requests -------------------------------------------------------------------


def sms_params(**changes):
    params = {"MessageSid": "SM" + "7" * 32, "AccountSid": "AC" + "0" * 32, "From": "+16075550170",
              "To": "+16075550199", "Body": "hi", "NumMedia": "0", "NumSegments": "1", "FromCity": "BINGHAMTON",
              "FromState": "NY", "FromZip": "13901", "FromCountry": "US", "ToCity": "BINGHAMTON"}
    params.update(changes)
    return params


def recut(params: dict, drop: str, into: str) -> dict:
    """Twilio's signature string, cut again: `into` swallows the name and value of `drop`."""
    cut = {k: v for k, v in params.items() if k != drop}
    cut[into] = params[into] + drop + params[drop]
    return cut


@pytest.mark.parametrize("drop,into", [("FromCity", "From"), ("NumMedia", "MessageSid"), ("MessageSid", "FromZip"),
                                       ("FromCountry", "FromCity"), ("NumSegments", "NumMedia"), ("To", "NumSegments"),
                                       ("ToCity", "To")])
def test_a_recut_sms_request_is_refused(twilio, drop, into):
    original = sms_params()
    url = BASE_URL + "/sms"
    signature = RequestValidator(TOKEN).compute_signature(url, original)
    cut = recut(original, drop, into)
    assert RequestValidator(TOKEN).validate(url, cut, signature)  # the attack is real: it verifies
    assert twilio.post("/sms", cut, signature=signature).status_code == 400
    assert twilio.post("/sms", original, signature=signature).status_code == 200


def test_a_recut_call_is_refused(phone_app):
    from calls import PhoneCall

    twilio = Twilio(phone_app().test_client())
    params = dict(PhoneCall(twilio).params)
    signature = RequestValidator(TOKEN).compute_signature(BASE_URL + "/voice", params)
    for drop, into in (("CallStatus", "CallSid"), ("FromCity", "From"), ("FromCountry", "FromCity")):
        cut = recut(params, drop, into)
        assert RequestValidator(TOKEN).validate(BASE_URL + "/voice", cut, signature)
        assert twilio.post("/voice", cut, signature=signature).status_code == 400, (drop, into)
    assert twilio.post("/voice", params, signature=signature).status_code == 200


def test_real_requests_with_unknown_parameters_are_answered(twilio):
    extra = {"MessagingServiceSid": "MG" + "1" * 32, "SmsSid": "SM" + "7" * 32, "SmsMessageSid": "SM" + "7" * 32,
             "ApiVersion": "2010-04-01", "AddOns": '{"status":"successful"}', "SomethingTwilioAddsNext": "x y z",
             "ToCity": "BINGHAMTON"}
    assert MENU in message_text(twilio.post("/sms", sms_params(**extra)))
    assert MENU in message_text(twilio.post("/sms", sms_params(From="whatsapp:+16075550171", MessageSid="MM" + "a" * 32)))


# --- development mode ---------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["abc", "x" * 40, TOKEN])
def test_development_mode_with_a_token_checks_the_secret_as_production_does(secret):
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        Settings.from_env({"HOTLINE_DEV": "1", "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": secret})


def test_development_mode_still_runs_without_a_token_or_a_key():
    assert Settings.from_env({"HOTLINE_DEV": "1"}).secret_generated
    assert Settings.from_env({"HOTLINE_DEV": "1", "TWILIO_AUTH_TOKEN": TOKEN}).secret_generated  # a random key


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "hotline.example.org", "10.0.0.5:5000", "[::]:8000",
                                  "0.0.0.0:8000"])
def test_development_mode_listens_on_loopback_only(host):
    with pytest.raises(ConfigError, match="loopback"):
        check_listen(host, dev=True)
    check_listen(host, dev=False)  # production listens where it is told


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.1:8000", "[::1]:8000", "localhost:5000",
                                  "unix:/tmp/hotline.sock"])
def test_loopback_is_fine_in_development(host):
    check_listen(host, dev=True)


@pytest.mark.parametrize("command", [["serve", "--dev"], ["run"]])
def test_the_development_servers_refuse_a_network_address(command):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_", "REDIS_URL"))}
    env["HOTLINE_DATABASE_URL"] = "off"  # the files, not the checkout's instance/ database
    env["HOTLINE_DEV"] = "1"  # `hotline run` is Flask's own server: development mode from the environment
    done = subprocess.run([sys.executable, "-m", "hotline.staff.cli", *command, "--host", "0.0.0.0", "--port", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "loopback" in done.stderr
