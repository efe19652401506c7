"""Twilio's STOP/START/HELP words and FORGET, through signed POST /sms on a real Redis.

These words are decided before the engine: they never count as menu answers.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import SECRET, Twilio, message_text
from hotline.session.callers import pseudonym
from hotline.core.words import Words
from hotline.session.intake import OPT_IN_WORDS, OPT_OUT_WORDS
from hotline.session.store import lang_key, optout_key, state_key

NUMBER = "+16075550177"
CALLER = pseudonym(SECRET.encode(), NUMBER)


def silent(response) -> bool:
    """200, TwiML, and nothing to send: an empty <Response/>."""
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    return root.tag == "Response" and len(root) == 0


@pytest.mark.parametrize("word", sorted(OPT_OUT_WORDS) + ["stop", " Stop ", "optout"])
def test_every_opt_out_word_answers_empty_and_marks_the_caller(twilio, redis_client, word):
    message_text(twilio.sms(NUMBER, "hola"))
    message_text(twilio.sms(NUMBER, "1"))
    assert silent(twilio.sms(NUMBER, word))
    assert redis_client.get(optout_key(CALLER)) == b"1"
    assert 0 < redis_client.ttl(optout_key(CALLER))
    assert redis_client.get(lang_key(CALLER)) is None  # nothing kept but the mark
    assert b"door" not in (redis_client.get(state_key(CALLER)) or b"")


def test_after_stop_nothing_is_sent_until_the_caller_opts_back_in(twilio, redis_client):
    message_text(twilio.sms(NUMBER, "hi"))
    assert silent(twilio.sms(NUMBER, "STOP"))
    for body in ("1", "hi", "MENU", "HELP", "INFO", "FORGET", "what is this"):
        assert silent(twilio.sms(NUMBER, body)), body
    assert redis_client.get(optout_key(CALLER)) == b"1"


@pytest.mark.parametrize("word", sorted(OPT_IN_WORDS) + ["start", "Unstop"])
def test_opting_back_in_starts_afresh(twilio, redis_client, word):
    twilio.sms(NUMBER, "hi")
    twilio.sms(NUMBER, "STOP")
    text = message_text(twilio.sms(NUMBER, word))
    assert "free, confidential hotline" in text and "1 Agents at my door" in text
    assert redis_client.get(optout_key(CALLER)) is None
    assert "Keep the door closed" in message_text(twilio.sms(NUMBER, "1"))  # the conversation goes on


def test_twilios_opt_out_type_decides_for_custom_and_translated_keywords(twilio, redis_client):
    twilio.sms(NUMBER, "hi")
    assert silent(twilio.sms(NUMBER, "ARRETEZ", OptOutType="STOP"))
    assert redis_client.get(optout_key(CALLER)) == b"1"
    text = message_text(twilio.sms(NUMBER, "REPRENDRE", OptOutType="START"))
    assert "1 Agents at my door" in text
    assert redis_client.get(optout_key(CALLER)) is None
    assert "To talk to a person" in message_text(twilio.sms(NUMBER, "AIDE", OptOutType="HELP"))


def test_keywords_are_never_menu_answers_and_longer_messages_are_not_keywords(twilio, redis_client):
    twilio.sms(NUMBER, "hi")  # at the main menu
    text = message_text(twilio.sms(NUMBER, "please stop"))  # not the single word: the engine's hint
    assert text.startswith("Sorry, I did not understand")
    assert redis_client.get(optout_key(CALLER)) is None
    assert silent(twilio.sms(NUMBER, "END"))
    # Twilio does not take "ſtop" (long s) for STOP, though Python's upper() would
    twilio.sms(NUMBER, "START")
    assert not silent(twilio.sms(NUMBER, "ſtop"))


@pytest.mark.parametrize("word", ["HELP", "help", "INFO", " Info "])
def test_help_and_info_say_who_runs_the_line_and_how_to_reach_a_person(twilio, word):
    twilio.sms(NUMBER, "hi")
    twilio.sms(NUMBER, "1")  # somewhere in the menus
    text = message_text(twilio.sms(NUMBER, word))
    assert text.startswith("This free, confidential line is run by Binghamton-area volunteers")
    assert "1-800-566-7636" in text and "STOP" in text
    assert "Send a number to choose" in text  # then the help page, as a keyword, not a choice
    assert "This line is a project" in message_text(twilio.sms(NUMBER, "1"))  # help's own menu: About


def test_forget_deletes_everything_kept_and_confirms(twilio, redis_client):
    twilio.sms(NUMBER, "hi")
    twilio.sms(NUMBER, "1")
    assert redis_client.exists(lang_key(CALLER)) or redis_client.get(state_key(CALLER))
    text = message_text(twilio.sms(NUMBER, "FORGET"))
    assert text.startswith("Done. This line has deleted everything it kept about you")
    keys = [k.decode() for k in redis_client.scan_iter("*")]
    caller_keys = [k for k in keys if CALLER in k]
    assert caller_keys == [state_key(CALLER)]  # only the count of this minute's messages, no record
    value = redis_client.get(state_key(CALLER))
    assert value.endswith(b";") and 0 < redis_client.ttl(state_key(CALLER)) <= 60
    # the next message is a first contact again
    assert "free, confidential hotline" in message_text(twilio.sms(NUMBER, "1"))


@pytest.mark.parametrize("word", ["forget", "Delete", "ERASE!"])
def test_forget_words_work_in_any_case_and_from_any_menu(twilio, redis_client, word):
    twilio.sms(NUMBER, "hi")
    twilio.sms(NUMBER, "9")
    assert "deleted everything" in message_text(twilio.sms(NUMBER, word))
    assert redis_client.get(lang_key(CALLER)) is None


def test_a_translated_forget_word_works_through_the_phrasebook(tmp_path, make_app, redis_url):
    """BORRAR works once a Spanish catalog lists it for `keywords:forget`: no code names it."""
    from catalogs import spanish
    from hotline.content.catalogs.strings import keyword_context

    spanish(tmp_path, {keyword_context("forget"): "BORRAR, OLVIDAR"})
    app = make_app(redis_url=redis_url, translations_dir=tmp_path, languages=("en", "es"))
    twilio = Twilio(app.test_client())
    assert "2 español" in message_text(twilio.sms(NUMBER, "hi"))  # two languages: the language menu
    twilio.sms(NUMBER, "2")  # Spanish
    text = message_text(twilio.sms(NUMBER, "Borrar"))
    assert text.startswith("Done. This line has deleted everything")  # the test catalog's "translation"
    assert redis_client_empty_of(redis_url, NUMBER)
    board = app.extensions["hotline"]
    assert board.asks_to_forget(board.content, "en", Words("olvidar"))  # any served language's word counts
    assert not board.asks_to_forget(board.content, "es", Words("borrar todo"))


def redis_client_empty_of(redis_url, number) -> bool:
    import redis

    client = redis.Redis.from_url(redis_url)
    caller = pseudonym(SECRET.encode(), number)
    return client.get(lang_key(caller)) is None and client.get(state_key(caller)).endswith(b";")


def test_voice_turns_are_not_silenced_by_an_sms_opt_out(make_app, redis_url):
    board = make_app(redis_url=redis_url).extensions["hotline"]
    board.turn(NUMBER, "hi", channel="sms")
    assert board.turn(NUMBER, "STOP", channel="sms").silent
    answer = board.turn(NUMBER, "1")  # the voice line passes no channel="sms"
    assert not answer.silent
    assert board.turn(NUMBER, "2").turn.outputs  # the call goes on...
    assert board.turn(NUMBER, "hi", channel="sms").silent  # ...and the text line stays opted out
