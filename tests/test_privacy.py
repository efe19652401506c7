"""Nothing that identifies a caller is kept: not the number, not the words, not the location."""
from __future__ import annotations

import logging

import pytest

from conftest import Twilio, message_text
from hotline.callers import canonical_number, pseudonym

NUMBER = "+16075550142"
# Distinctive bodies, so a leak of any of them anywhere is unmistakable.
BODIES = ["hello there zebra", "1", "2", "BACK", "my name is Quetzalli Example", "7", "MENU"]


def forms_of(number: str) -> list[str]:
    digits = number.lstrip("+")
    return [number, digits, digits[1:], digits[-7:]]


def test_after_a_conversation_no_key_or_value_holds_the_number_body_or_location(make_app, redis_url, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    twilio = Twilio(make_app(redis_url=redis_url).test_client())
    for body in BODIES:
        message_text(twilio.sms(NUMBER, body, FromCity="ENDICOTT", FromZip="13760"))
    keys = list(redis_client.scan_iter("*"))
    assert keys, "the conversation should have stored state"
    blob = b"\n".join(keys + [redis_client.get(k) or b"" for k in keys]).decode("utf-8", "replace").lower()
    logs = caplog.text.lower()
    for secret in forms_of(NUMBER) + ["zebra", "quetzalli", "endicott", "13760"]:
        assert secret.lower() not in blob, f"{secret!r} is stored in Redis"
        assert secret.lower() not in logs, f"{secret!r} is in the logs"
    for key in keys:
        assert redis_client.ttl(key) > 0, f"{key!r} has no TTL"


def test_keys_are_hmacs_of_the_number_not_the_number():
    first = pseudonym(b"k" * 32, "+1 (607) 555-0142")
    assert first == pseudonym(b"k" * 32, "+16075550142")  # the same phone however it is written
    assert first != pseudonym(b"other-key" * 4, "+16075550142")  # the key matters: not a plain hash
    assert "6075550142" not in first and len(first) == 20


@pytest.mark.parametrize("raw,expected", [("whatsapp:+16075550142", "+16075550142"), (" +1 607-555-0142 ", "+16075550142")])
def test_canonical_number(raw, expected):
    assert canonical_number(raw) == expected
