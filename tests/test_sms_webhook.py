"""POST /sms as Twilio calls it: signatures, TwiML, health."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import BASE_URL, TOKEN, Twilio, message_text


def test_a_signed_first_text_gets_the_welcome_and_main_menu(twilio):
    text = message_text(twilio.sms("+16075550100", "hello"))
    assert "free, confidential hotline" in text
    assert "1 Agents at my door" in text


def test_the_conversation_continues_across_requests(twilio):
    twilio.sms("+16075550100", "hi")
    assert "Keep the door closed" in message_text(twilio.sms("+16075550100", "1"))
    # a different caller is at their own first contact
    assert "free, confidential hotline" in message_text(twilio.sms("+16075550101", "1"))


def test_unsigned_requests_are_refused(client):
    response = client.post("/sms", data={"From": "+16075550100", "Body": "1"}, base_url=BASE_URL)
    assert response.status_code == 403


def test_wrongly_signed_requests_are_refused(client):
    twilio = Twilio(client, token="not-the-real-token")
    assert twilio.sms("+16075550100", "1").status_code == 403


def test_a_signature_for_other_parameters_is_refused(twilio):
    params = {"From": "+16075550100", "Body": "1", "MessageSid": "SM" + "1" * 32}
    signature = twilio.sign(BASE_URL + "/sms", params)
    tampered = dict(params, Body="2")
    assert twilio.post("/sms", tampered, signature=signature).status_code == 403


def test_a_request_replayed_to_another_url_is_refused(twilio):
    params = {"From": "+16075550100", "Body": "1", "MessageSid": "SM" + "1" * 32}
    signature = twilio.sign("https://hotline.example.org/voice", params)
    assert twilio.post("/sms", params, signature=signature).status_code == 403
    elsewhere = twilio.sign("https://evil.example.com/sms", params)
    assert twilio.post("/sms", params, signature=elsewhere).status_code == 403


def test_query_strings_are_part_of_the_signed_url(twilio):
    params = {"From": "+16075550100", "Body": "hi", "MessageSid": "SM" + "1" * 32}
    url = BASE_URL + "/sms?campaign=flyer"
    response = twilio.client.post("/sms?campaign=flyer", data=params, base_url=BASE_URL,
                                  headers={"X-Twilio-Signature": twilio.sign(url, params)})
    assert response.status_code == 200


def test_behind_a_proxy_the_public_url_is_what_counts(make_app, redis_url):
    """The app sees http://10.0.0.5:8000 but Twilio signed https://hotline.example.org/sms."""
    app = make_app(redis_url=redis_url, public_url="https://hotline.example.org")
    client = app.test_client()
    params = {"From": "+16075550100", "Body": "hi", "MessageSid": "SM" + "1" * 32}
    signature = Twilio(client).sign("https://hotline.example.org/sms", params)
    response = client.post("/sms", data=params, base_url="http://10.0.0.5:8000", headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    # without the public URL setting the same request cannot be verified
    plain = make_app(redis_url=redis_url, public_url=None).test_client()
    response = plain.post("/sms", data=params, base_url="http://10.0.0.5:8000", headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_twilios_documented_signature_vector_passes_our_check():
    from flask import Flask, request

    from hotline.web.signatures import is_from_twilio

    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}
    app = Flask(__name__)
    with app.test_request_context("/myapp.php?foo=1&bar=2", base_url="https://mycompany.com", method="POST", data=params,
                                  headers={"X-Twilio-Signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ="}):
        assert is_from_twilio(request, "12345", None)
        assert not is_from_twilio(request, "54321", None)


def test_missing_from_is_a_client_error(twilio):
    assert twilio.post("/sms", {"Body": "hi"}).status_code == 400


def test_replies_are_valid_twiml_messages(twilio):
    response = twilio.sms("+16075550100", "7")
    root = ET.fromstring(response.data)
    assert root.tag == "Response" and [c.tag for c in root] == ["Message"]
    assert response.headers["Content-Type"].startswith("text/xml")


def test_healthz_reports_the_store_and_version(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["store"] == "redis" and body["store_ok"] is True
    assert len(body["version"]) == 12


def test_healthz_says_degraded_when_redis_does_not_answer(make_app):
    app = make_app(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    body = app.test_client().get("/healthz").get_json()
    assert body == body | {"status": "degraded", "store_ok": False}


def test_a_dead_redis_still_gets_the_caller_a_useful_reply(make_app):
    twilio = Twilio(make_app(redis_url="redis://127.0.0.1:1/0").test_client())
    text = message_text(twilio.sms("+16075550100", "1"))
    assert "1-800-566-7636" in text  # the ONA hotline, so nobody is left with nothing
    assert "Keep the door closed" in text  # "1" read from the main menu, the likeliest place


def test_the_embedded_store_serves_a_conversation(make_app):
    twilio = Twilio(make_app(redis_url=None).test_client())
    twilio.sms("+16075550100", "hi")
    assert "Keep the door closed" in message_text(twilio.sms("+16075550100", "1"))


def test_dev_mode_without_a_token_accepts_unsigned_requests(make_app):
    app = make_app(redis_url=None, dev=True, auth_token=None)
    response = app.test_client().post("/sms", data={"From": "+16075550100", "Body": "hi"})
    assert response.status_code == 200


@pytest.mark.parametrize("token", [TOKEN])
def test_dev_mode_with_a_token_still_checks_signatures(make_app, token):
    app = make_app(redis_url=None, dev=True, auth_token=token)
    response = app.test_client().post("/sms", data={"From": "+16075550100", "Body": "hi"}, base_url=BASE_URL)
    assert response.status_code == 403
