"""The phone line's TwiML, exactly: golden files, the voice table, spoken forms, the REST sender.

Golden files live in tests/golden_twiml/ as indented XML; `pytest --update-golden` rewrites
them after a deliberate change (review the diff like any change to what callers hear).
"""
from __future__ import annotations

import json
import re
import xml.dom.minidom
from pathlib import Path

import pytest

from calls import PhoneCall, check_twiml, walk_every_node
from conftest import Twilio
from hotline.channels.voice import readable_aloud
from hotline.channels.voice.speech import RECORDED, TTS, clip_id, clips_needed, missing_recordings, readiness, Recordings
from hotline.content.bundle import load_content
from hotline.core.languages import LANGUAGES
from calls import CATALOGS, FLOWS, RECORDINGS, FakeSender, volunteers

GOLDEN = Path(__file__).resolve().parent / "golden_twiml"


def pretty(data: bytes) -> str:
    return xml.dom.minidom.parseString(data).toprettyxml(indent="  ")


def matches_golden(name: str, data: bytes, request) -> None:
    check_twiml(data)
    path = GOLDEN / f"{name}.xml"
    text = pretty(data)
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def phone(phone_app):
    return PhoneCall(Twilio(phone_app(sender=FakeSender()).test_client()))


def _last_bytes(phone: PhoneCall) -> bytes:
    import xml.etree.ElementTree as ET

    return ET.tostring(phone.last.root)


def test_golden_language_menu(phone, request):
    phone.dial()
    matches_golden("language_menu", _last_bytes(phone), request)


def test_golden_content_node(phone, request):
    phone.dial()
    phone.press("1")
    phone.press("1")
    matches_golden("content_node_en", _last_bytes(phone), request)


def test_golden_referral_node_in_spanish(phone, request):
    phone.dial()
    phone.press("2")
    phone.press("2")
    matches_golden("referral_node_es", _last_bytes(phone), request)


def test_golden_content_node_from_recordings(phone, request):
    phone.dial()
    phone.press("8")
    phone.press("1")
    matches_golden("content_node_ht", _last_bytes(phone), request)


def test_golden_no_input(phone, request):
    phone.dial()
    phone.press("1")
    phone.wait()
    matches_golden("no_input", _last_bytes(phone), request)


def test_golden_hang_up(phone, request):
    phone.dial()
    phone.press("1")
    phone.wait()
    phone.wait()
    phone.wait()
    matches_golden("hang_up", _last_bytes(phone), request)


def test_golden_volunteers_rung(phone_app, request):
    call = PhoneCall(Twilio(phone_app(volunteers=volunteers()).test_client()))
    call.dial()
    call.press("1")
    call.press("0")
    matches_golden("volunteers_rung", _last_bytes(call), request)


def test_the_checker_refuses_what_twilio_would(phone):
    with pytest.raises(AssertionError):
        check_twiml(b"<Response><Say language='en'>Hi</Say><Hangup/></Response>")  # 'en' is not a full tag
    with pytest.raises(AssertionError):
        check_twiml(b"<Response><Say language='es-US' voice='Google.en-US-Neural2-F'>Hola</Say><Hangup/></Response>")
    with pytest.raises(AssertionError):
        check_twiml(b"<Response><Gather action='/x' method='POST' input='dtmf'><Say language='en-US' "
                    b"voice='Google.en-US-Neural2-F'>Hi</Say></Gather></Response>")  # no redirect: dead end
    with pytest.raises(AssertionError):
        check_twiml(b"<Response><Speak>Hi</Speak><Hangup/></Response>")
    with pytest.raises(AssertionError):
        check_twiml(b"<Response><Redirect colour='red'>/x</Redirect></Response>")


# --- the voice table ---------------------------------------------------------------------------


def test_every_language_is_either_spoken_or_recorded():
    assert set(TTS) | set(RECORDED) == set(LANGUAGES) and not set(TTS) & set(RECORDED)
    for code, voice in TTS.items():
        assert re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}", voice.language), code
        assert voice.voice.startswith(f"Google.{voice.language}-"), code
        assert voice.speech is None or re.fullmatch(r"[a-z]{2,3}(-[A-Z][a-z]{3})?-[A-Z]{2}", voice.speech)
    assert set(RECORDED) == {"ht", "fa_AF", "ps"}


def test_missing_recordings_lists_what_the_staff_must_record():
    content = load_content(FLOWS, CATALOGS, ("en", "es", "ht", "ps"))
    missing = missing_recordings(content, RECORDINGS, referrals=("ona", "idp"))
    assert missing["ht"] == []
    assert "main__door__text" in missing["ps"] and "language__ps" in missing["ps"]
    assert "main__find__voice" in missing["fa_AF"] and "main__find__text" not in missing["fa_AF"]  # voice: wins
    assert "messages__hint" not in missing["fa_AF"]  # SMS-only words are never recorded
    assert len(missing["fa_AF"]) == len(clips_needed(content, referrals=("ona", "idp"))) + 1
    ready = readiness(content, Recordings(RECORDINGS), referrals=("ona", "idp"))
    assert {code: r.how for code, r in ready.items()} == {"en": "tts", "es": "tts", "ht": "recordings", "ps": "text"}


def test_clip_ids_are_file_safe_and_stable():
    assert clip_id("door:door_warrant:menu:1") == "door__door_warrant__menu__1"
    assert clip_id("messages:voice_keys") == "messages__voice_keys"


def test_the_real_scripts_need_a_clip_for_every_spoken_string():
    content = load_content(Path(__file__).resolve().parent.parent / "flows", Path("/nonexistent"), ("en",))
    needed = clips_needed(content)
    assert len(needed) == len(set(needed))
    assert "main:help:voice" in needed and "main:help:text" not in needed
    assert "referrals:ona:offers" in needed and "messages:voice_keys" in needed


# --- words as spoken ----------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("Call 1-800-566-7636", "Call 1, 8 0 0, 5 6 6, 7 6 3 6."),
    ("Call 212-725-6422 now.", "Call 2 1 2, 7 2 5, 6 4 2 2 now."),
    ("Search https://locator.ice.gov by A-number.", "Search by A-number."),
    ("See locator.ice.gov today", "See today."),
    ("Name\nWhat they offer\nCall 1-800-898-7180", "Name. What they offer. Call 1, 8 0 0, 8 9 8, 7 1 8 0."),
    ("Form I-205, since 2025.", "Form I-205, since 2025."),
])
def test_spoken_forms(text, expected):
    assert readable_aloud(text) == expected


def test_no_web_address_is_ever_said_on_the_real_scripts(make_app, redis_url):
    """Walk every node of the shipped scripts by keypad, in English: no URL, no dead end."""
    call = PhoneCall(Twilio(make_app(redis_url=redis_url, languages=("en",)).test_client()))
    paths, heard = walk_every_node(call, call.dial())
    texts = [h.text for h in heard]
    seen = {place.split("+")[0] for place in paths}
    content = load_content(Path(__file__).resolve().parent.parent / "flows", Path("/nonexistent"), ("en",))
    assert seen == set(content.script.nodes) - {"welcome"}  # welcome flows straight into the menu
    everything = "\n".join(texts)
    assert "http" not in everything and ".gov" not in everything and "www" not in everything
    assert "Send " not in everything  # SMS wording never spoken


# --- the text-message sender ---------------------------------------------------------------------


class CapturingHttpClient:
    """Stands in for Twilio's HTTP client: records the request the REST client builds."""

    def __init__(self, status: int = 201):
        from twilio.http import HttpClient

        self.requests: list[dict] = []
        self.status = status
        HttpClient.__init__(self, logger=None, is_async=False)

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
        from twilio.http.response import Response

        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        body = {"sid": "SM" + "0" * 32, "status": "queued"} if self.status < 400 else {"code": 21610, "message": "no"}
        return Response(self.status, json.dumps(body))


def test_the_twilio_sender_builds_the_messages_api_call():
    from hotline.session.outbound import TwilioTextSender

    http = CapturingHttpClient()
    sender = TwilioTextSender("AC" + "1" * 32, "token", "+16075550199", http_client=http)
    sender.send("+16075550123", "1 Agents at my door \u2014 \u201cnow\u201d")
    (sent,) = http.requests
    assert sent["method"] == "POST"
    assert sent["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert sent["data"] == {"To": "+16075550123", "From": "+16075550199", "Body": '1 Agents at my door - "now"'}
    assert sent["auth"] == ("AC" + "1" * 32, "token")


def test_the_twilio_sender_reports_a_refusal_as_send_failed():
    from hotline.errors import SendFailed
    from hotline.session.outbound import TwilioTextSender

    sender = TwilioTextSender("AC" + "1" * 32, "token", "+16075550199", http_client=CapturingHttpClient(status=400))
    with pytest.raises(SendFailed):
        sender.send("+16075550123", "hello")


def test_the_app_builds_a_real_sender_only_when_it_can_send(make_app, monkeypatch):
    from hotline.config import PhoneSettings
    from hotline.session.outbound import TwilioTextSender

    app = make_app(redis_url=None, HOTLINE_PHONE=PhoneSettings(hotline_number="+16075550199", account_sid="AC" + "2" * 32))
    assert isinstance(app.config["HOTLINE_TEXT_SENDER"], TwilioTextSender)
    assert make_app(redis_url=None, HOTLINE_PHONE=PhoneSettings()).config["HOTLINE_TEXT_SENDER"] is None
