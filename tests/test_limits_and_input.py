"""Cost and abuse limits, and bad input, through signed POST /sms on a real Redis."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from conftest import BASE_URL, Twilio, message_text
from hotline.channels.sms.segments import cost
from hotline.session.store import RedisStore


class FakeClock:
    def __init__(self):
        self.now = 2_000_000_010.0

    def __call__(self):
        return self.now


@pytest.fixture
def limited(make_app, redis_url):
    """An app allowing 5 messages per caller and 8 replies for the line per 60 s window."""
    app = make_app(redis_url=redis_url, caller_limit=5, line_limit=8, languages=("en",))
    clock = FakeClock()
    board = app.extensions["hotline"]
    board.store = RedisStore(redis_url, 600, 6000, window=60, clock=clock)
    return Twilio(app.test_client()), clock


def replies(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return [m.text or "" for m in ET.fromstring(response.data)]


def test_a_flooding_number_gets_one_notice_then_silence_and_nobody_else_is_affected(limited):
    twilio, clock = limited
    flood = [replies(twilio.sms("+16075550001", str(n % 9 + 1))) for n in range(20)]
    assert all(flood[n] for n in range(5))  # within the limit: ordinary replies
    assert flood[5] == ["Too many messages at once. Please wait a minute, then send MENU."]
    assert all(r == [] for r in flood[6:])  # then nothing: no cost
    # another number is answered as usual while the first is still over its limit
    assert "free, confidential hotline" in message_text(twilio.sms("+16075550002", "hi"))
    # STOP is always heard, even from a flooding number
    assert replies(twilio.sms("+16075550001", "STOP")) == []
    assert replies(twilio.sms("+16075550001", "START")) != []
    clock.now += 60  # the next window: the number is answered again
    assert message_text(twilio.sms("+16075550001", "MENU")).startswith("What is happening?")


def test_past_the_lines_budget_callers_get_the_one_segment_notice(limited):
    twilio, clock = limited
    for n in range(8):
        assert "1 Agents at my door" in message_text(twilio.sms(f"+160755501{n:02d}", "hi"))
    text = message_text(twilio.sms("+16075550199", "hi"))
    assert "1-800-566-7636" in text and cost(text).segments == 1
    clock.now += 60
    assert "1 Agents at my door" in message_text(twilio.sms("+16075550199", "hi"))


def test_long_bodies_are_cut_before_processing(twilio):
    from hotline.session.intake import MAX_TEXT, clean

    twilio.sms("+16075550100", "hi")
    # what comes after the cut is never read: this is MENU
    assert message_text(twilio.sms("+16075550100", "MENU" + " " * 1500 + "x" * 100)).startswith("What is happening?")
    assert message_text(twilio.sms("+16075550100", "x" * 300 + " MENU")).startswith("Sorry, I did not")
    assert len(clean("a b " * 10_000)) == MAX_TEXT
    text = message_text(twilio.sms("+16075550100", "é" * 1600))
    assert text.startswith("Sorry, I did not understand")


def test_a_request_far_bigger_than_twilio_sends_is_refused(twilio):
    response = twilio.sms("+16075550100", "x" * 200_000)
    assert response.status_code == 413


def test_media_messages_get_a_polite_text_reply_and_keep_the_place(twilio):
    twilio.sms("+16075550100", "hi")
    twilio.sms("+16075550100", "1")  # at "Agents at my door"
    text = message_text(twilio.sms("+16075550100", "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1",
                                   MediaContentType0="image/jpeg"))
    assert text.startswith("Sorry, this line can only read text")
    assert "Only a judicial warrant" in message_text(twilio.sms("+16075550100", "1"))  # still at the door menu


def test_an_unreadable_media_count_is_no_media(twilio):
    assert "free, confidential hotline" in message_text(twilio.sms("+16075550100", "hi", NumMedia="lots"))


@pytest.mark.parametrize("body", ["\x001\x00", "\u202e1\u202c", "\u200b1\ufeff", "1\r\n", "\u00001"])
def test_control_and_invisible_characters_do_not_hide_a_choice(twilio, body):
    twilio.sms("+16075550100", "hi")
    assert "Keep the door closed" in message_text(twilio.sms("+16075550100", body))


@pytest.mark.parametrize("body", ["👍", "🇺🇦", "مرحبا", "\ufffd\ufffd", "%FF%FE", "<Response><Say>hi</Say></Response>", "]]>&amp;"])
def test_any_body_a_person_could_send_gets_a_valid_reply(twilio, body):
    twilio.sms("+16075550100", "hi")
    text = message_text(twilio.sms("+16075550100", body))
    assert text  # a hint or a menu: never nothing, never an error


def test_requests_that_are_not_twilios_get_a_4xx(client, twilio):
    assert client.post("/sms", data={"From": "+1", "Body": "1"}, base_url=BASE_URL).status_code == 403
    assert client.get("/sms", base_url=BASE_URL).status_code == 405
    signed_json = twilio.sign(BASE_URL + "/sms", {})
    response = client.post("/sms", data=json.dumps({"From": "+16075550100", "Body": "1"}), base_url=BASE_URL,
                           content_type="application/json", headers={"X-Twilio-Signature": signed_json})
    assert response.status_code == 415
    assert twilio.post("/sms", {"Body": "hi", "From": "not a number"}).status_code == 400
    response = client.post("/sms", data=b"Body=\xff\xfe&From=%2B16075550100", base_url=BASE_URL,
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": twilio.sign(BASE_URL + "/sms", {"Body": "\ufffd\ufffd", "From": "+16075550100"})})
    assert response.status_code in (400, 403)


def test_the_limits_guard_the_sms_bill_and_never_silence_a_call(limited):
    twilio, _ = limited
    board = twilio.client.application.extensions["hotline"]
    for n in range(20):  # far past the SMS limit of 5: a caller pressing keys on the phone line
        answer = board.turn("+16075550003", "*" if n else "hi", request_id=f"CA1:{n}")
        assert not answer.silent and answer.turn.outputs
