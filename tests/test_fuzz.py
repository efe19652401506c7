"""Property tests: whatever arrives at POST /sms, the answer is 200 with valid TwiML or a 4xx.

Three generators, each run against the real app on a real Redis:
- any body a person could send (any Unicode but unpaired surrogates, up to 2000 characters,
  mixed with keywords, digits, control and bidi characters), properly signed;
- any set of form parameters (Twilio's names and made-up ones, any values), properly signed;
- any raw request body with any content type, signed or not (invalid UTF-8, NUL bytes, junk).
How many cases each ran is checked in that test and printed at the end of the run ("measured figures").
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import parse_qsl, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_URL, REDIS_URL, SATURDAY_AFTERNOON, Twilio, redis_required, settings_overrides

EXAMPLES = 300
RUNS: Counter = Counter()

FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def counted(name: str):
    """Run a property test and check, in the same test, that hypothesis ran all its cases.

    Each test counts its own cases, so the count holds whichever tests are selected and in
    whatever order (a separate counting test passed only after the others, in file order).
    """
    def decorate(property_test):
        def run(fuzz_client, figure):
            before = RUNS[name]
            property_test(fuzz_client)
            ran = RUNS[name] - before
            figure(f"fuzz cases run (hypothesis): {name}", f"{ran} (max_examples={EXAMPLES})")
            assert ran >= EXAMPLES, (name, ran)
        run.__name__ = property_test.__name__
        run.__doc__ = property_test.__doc__
        return run
    return decorate

NUMBERS = ["+16075550100", "+16075550101", "whatsapp:+16075550102", "+447700900123"]
WORDS = ["1", "2", "9", "0", "#", "*", "MENU", "BACK", "HELP", "INFO", "STOP", "START", "YES", "FORGET",
         "LANGUAGE", "hola", "привіт", "مرحبا", "你好", "\u202e1", "\x00", "1\x00", "\ufeff", "🙂", "🇺🇦", ""]
TWILIO_PARAMS = ["From", "To", "Body", "MessageSid", "AccountSid", "NumMedia", "NumSegments", "MediaUrl0",
                 "MediaContentType0", "FromCity", "FromState", "FromZip", "FromCountry", "OptOutType", "SmsSid"]

person_text = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000),
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
)


@pytest.fixture(scope="module")
def fuzz_client():
    import redis

    from hotline import create_app

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if redis_required():
            pytest.fail(f"Redis is not answering at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    client.flushdb()
    # Limits far out of reach, so every case reaches the engine rather than the flood guard.
    config = settings_overrides(redis_url=REDIS_URL, caller_limit=10**9, line_limit=10**9)
    config.update(TESTING=True, HOTLINE_CLOCK=lambda: SATURDAY_AFTERNOON)
    yield create_app(config).test_client()
    client.flushdb()
    client.close()


def check(response) -> None:
    """200 with parseable TwiML of <Message>s, or a 4xx: never a 5xx."""
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.status_code
    if response.status_code == 200:
        assert response.mimetype == "text/xml"
        root = ET.fromstring(response.data)
        assert root.tag == "Response"
        for message in root:
            assert message.tag == "Message" and 0 < len(message.text or "") <= 1600


@counted("bodies")
@FUZZ
@given(number=st.sampled_from(NUMBERS), body=person_text, media=st.sampled_from(["0", "1", "", "x"]))
def test_any_body_a_person_could_send_gets_valid_twiml(fuzz_client, number, body, media):
    RUNS["bodies"] += 1
    response = Twilio(fuzz_client).sms(number, body, NumMedia=media)
    assert response.status_code == 200  # a signed request with a From: always answered
    check(response)


any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
twilio_form = st.fixed_dictionaries({
    "From": st.one_of(st.sampled_from(NUMBERS), any_text),
    "Body": person_text,
    "MessageSid": st.one_of(st.just("SM" + "1" * 32), any_text),
    "NumMedia": st.one_of(st.sampled_from(["0", "1", "10", "-1"]), any_text),
    "OptOutType": st.one_of(st.sampled_from(["STOP", "START", "HELP", ""]), any_text),
    "FromCity": any_text,
})


@counted("parameter sets")
@FUZZ
@given(
    base=twilio_form,
    dropped=st.sets(st.sampled_from(["From", "Body", "MessageSid", "NumMedia", "OptOutType", "FromCity"])),
    extra=st.dictionaries(st.one_of(st.sampled_from(TWILIO_PARAMS), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)),
                          st.one_of(st.sampled_from(NUMBERS + WORDS), any_text), max_size=8),
)
def test_any_parameter_set_gets_valid_twiml_or_a_4xx(fuzz_client, base, dropped, extra):
    RUNS["parameter sets"] += 1
    params = {k: v for k, v in base.items() if k not in dropped}
    params.update({k: v for k, v in extra.items() if k not in params})
    check(Twilio(fuzz_client).post("/sms", params))


# A form whose Body is arbitrary bytes, percent-encoded (so invalid UTF-8 reaches the parser)
# or not (so the body itself is invalid UTF-8).
form_bytes = st.builds(
    lambda number, body, encode: b"From=" + quote_from_bytes(number.encode()).encode() + b"&Body="
    + (quote_from_bytes(body).encode() if encode else body),
    st.sampled_from(NUMBERS), st.binary(max_size=500), st.booleans(),
)


def as_werkzeug_reads_it(raw: bytes) -> dict:
    """The form Werkzeug builds from these bytes: undecodable escapes stay as written, and a
    body that is not UTF-8 at all gives no form."""
    import werkzeug.formparser  # noqa: F401  (registers the "werkzeug.url_quote" error handler)

    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return {}
    return dict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


@counted("raw requests")
@FUZZ
@given(
    raw=st.one_of(st.binary(max_size=3000), person_text.map(lambda t: t.encode("utf-8")), form_bytes),
    content_type=st.one_of(st.just("application/x-www-form-urlencoded"), st.sampled_from([
        "application/json", "text/plain", "", "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded; charset=latin-1"])),
    signed=st.booleans(),
)
def test_any_raw_request_gets_a_valid_answer_or_a_4xx(fuzz_client, raw, content_type, signed):
    RUNS["raw requests"] += 1
    headers = {}
    if signed:  # signed over what the app will read, so these pass the check and reach the turn
        headers["X-Twilio-Signature"] = Twilio(fuzz_client).sign(BASE_URL + "/sms", as_werkzeug_reads_it(raw))
    response = fuzz_client.post("/sms", data=raw, content_type=content_type, headers=headers, base_url=BASE_URL)
    check(response)
