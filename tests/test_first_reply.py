"""The first reply is always useful: panic words open the urgent page, and nothing gets a bare
language list. Through the real SMS webhook, signed as Twilio signs, on the shipped content."""
from __future__ import annotations

import pytest

from conftest import Twilio, message_text

URGENT_START = "Stay calm. Keep the door closed."
URGENT_START_ES = "Mantenga la calma."
ONA = "1-800-566-7636"


@pytest.fixture
def twilio(make_app, redis_url):
    return Twilio(make_app(redis_url=redis_url).test_client())


@pytest.mark.parametrize("first,start", [
    ("ICE", URGENT_START), ("ice", URGENT_START), ("raid", URGENT_START), ("ICE at my door!", URGENT_START),
    # Spanish panic words (English and Spanish for "la migra"): the Spanish page
    ("la migra", URGENT_START_ES), ("MIGRA", URGENT_START_ES), ("redada", URGENT_START_ES),
])
def test_a_panic_word_gets_the_urgent_page_at_once(twilio, first, start):
    text = message_text(twilio.sms("+16075550161", first))
    assert text.startswith(start) and ONA in text, text
    assert len(text) <= 320


def test_after_the_urgent_page_a_language_can_be_chosen(twilio):
    text = message_text(twilio.sms("+16075550162", "ICE"))
    assert "LANGUAGE" in text  # how to choose another language
    listed = message_text(twilio.sms("+16075550162", "LANGUAGE"))
    assert "español" in listed and "English" in listed


@pytest.mark.parametrize("first", ["1", "Maria", "?", "555"])
def test_a_first_text_the_line_cannot_place_gets_advice_before_the_list(twilio, first):
    text = message_text(twilio.sms("+16075550163", first))
    assert text.startswith("ICE at your door? Keep it closed.") and ONA in text, text
    assert "1 English" in text and "2 español" in text  # then the language list
    assert len(text) <= 320


def test_a_first_text_in_a_known_language_gets_its_welcome_and_main_menu(twilio):
    text = message_text(twilio.sms("+16075550166", "ayuda por favor"))
    assert "¿Qué está pasando?" in text and "1 Agentes en mi puerta" in text


def test_a_panic_word_later_in_a_conversation_opens_the_urgent_page(twilio):
    number = "+16075550164"
    twilio.sms(number, "hello")
    twilio.sms(number, "1")
    assert message_text(twilio.sms(number, "ICE")).startswith(URGENT_START)


def test_a_spanish_panic_word_opens_the_spanish_urgent_page(twilio):
    text = message_text(twilio.sms("+16075550165", "la migra está aquí"))
    assert ONA in text and not text.startswith(URGENT_START), text  # in Spanish: the language was told
