"""Whole calls through POST /voice and the URLs it returns, signed as Twilio signs them.

The small hotline in tests/fixtures/flows_voice is served in English, Spanish (text-to-speech),
Haitian Creole (played from the recordings in tests/fixtures/recordings/ht) and Pashto
(no voice, no recordings: offered by text message). Key numbers on the language menu are
fixed per language: en 1, es 2, ps 7, ht 8.
"""
from __future__ import annotations

import datetime as dt
import logging
import shutil
from urllib.parse import urlsplit

import pytest

from calls import HOTLINE, ON_CALL, RECORDINGS, FakeSender, Heard, PhoneCall, volunteers
from conftest import SATURDAY_AFTERNOON, Twilio, message_text, stored_value
from hotline.config import Volunteers, parse_hours

@pytest.fixture
def sender():
    return FakeSender()


@pytest.fixture
def call(phone_app, sender):
    return PhoneCall(Twilio(phone_app(sender=sender).test_client()))


def languages_said(heard: Heard) -> set[str]:
    return {language for _, language, _ in heard.said}


# --- the language menu ---------------------------------------------------------------------


def test_a_new_caller_hears_each_language_in_its_own_voice(call):
    heard = call.dial()
    assert heard.said[0] == ("Say", "en-US", "English: press 1.")
    assert heard.said[1] == ("Say", "es-US", "Español: oprima 2.")
    # Pashto has neither a voice nor its recordings: named by its recorded offer
    assert heard.said[2][0] == "Play" and heard.said[2][2].endswith("/ps/messages__voice_sms_offer.mp3")
    assert heard.said[3][0] == "Play" and heard.said[3][2].endswith("/voice/recordings/ht/language__ht.mp3")
    assert heard.place["at"] == "@lang" and heard.gather.get("input") == "dtmf"


def test_english_call_reaches_content_and_says_the_keys_once(call):
    call.dial()
    heard = call.press("1")
    assert heard.text.startswith("Welcome to the test hotline.\nChoose a topic.")
    assert "Agents at my door: press 1." in heard.text
    # just chosen on the phone: no need to say how to choose another language
    assert "To choose another language, press pound." not in heard.text
    assert "Find a detained person: press 3.\nOr say the number." in heard.text
    assert languages_said(heard) == {"en-US"}
    door = call.press("1")
    assert "Keep the door closed." in door.text and "What to say: press 1." in door.text
    assert "Press star to hear this again" in door.text
    leaf = call.press("1")
    assert 'Say "I do not consent to entry."' in leaf.text
    assert leaf.text.endswith("Press star to hear this again, 0 for the main menu, or pound to go back.")
    assert call.press("*").text.startswith('Say "I do not consent')  # star repeats
    assert call.press("#").text.startswith("Keep the door closed.")  # pound goes back
    again = call.press("1").text
    assert again.count("Press star") == 1  # the leaf's own prompt; no second explanation
    main = call.press("0")
    assert main.text.startswith("Choose a topic.") and main.place["at"] == "main_menu"
    assert "press pound" not in main.text  # the language hint was said once


def test_spanish_call_walks_the_menus_in_spanish(call):
    call.dial()
    heard = call.press("2")
    assert heard.text.startswith("Bienvenido a la línea de prueba.\nElija un tema.")
    assert "Agentes en mi puerta: oprima 1." in heard.text
    assert heard.gather.get("language") == "es-US" and "Agentes en mi puerta" in heard.gather.get("hints")
    legal = call.press("2")
    assert "Llame al 1, 8 0 0, 5 6 6, 7 6 3 6." in legal.text
    assert "Menú principal: oprima 0." in legal.text
    court = call.press("1")
    # the one string Spanish lacks is said by the English voice, never read by the Spanish one
    assert ("Say", "en-US", "Court hearing dates, by A-number.") in court.said
    assert all(lang == "es-US" for verb, lang, text in court.said if text != "Court hearing dates, by A-number.")


def test_haitian_creole_is_played_from_recordings_and_never_said(call):
    call.dial()
    heard = call.press("8")
    assert [verb for verb, _, _ in heard.said] == ["Play"] * len(heard.said)
    assert heard.said[0][2].endswith("/ht/main__welcome__text.mp3")
    assert heard.gather.get("input") == "dtmf" and heard.gather.get("language") is None
    for key in ("1", "1", "0", "2", "1", "0", "3", "0", "7"):
        heard = call.press(key)
        assert heard.said and all(verb == "Play" for verb, _, _ in heard.said), heard.said
        assert languages_said(heard) == {"ht"}


def test_every_node_is_reachable_from_the_keypad_in_every_voice_language(call, phone_app):
    nodes = {"main_menu", "door", "door_say", "legal_help", "court", "find"}
    for language_key in ("1", "2", "8"):
        phone = PhoneCall(call.twilio, number=f"+1607555013{language_key}")
        phone.dial()
        start = phone.press(language_key)
        seen = {start.place["at"]}

        def explore(heard: Heard) -> None:
            at = heard.place["at"]
            keys = [k for k in "123456789" if f"__menu__{k}.mp3" in str(heard.said) or f": press {k}." in heard.text
                    or f"oprima {k}." in heard.text]
            for key in keys:
                below = phone.press(key)
                if below.place["at"] not in seen:
                    seen.add(below.place["at"])
                    explore(below)
                back = phone.press("#")
                assert back.place["at"] == at
        explore(start)
        assert seen == nodes, (language_key, seen)


# --- keys, silence, limits -----------------------------------------------------------------


def test_no_input_reprompts_twice_then_says_goodbye(call):
    call.dial()
    call.press("1")
    first = call.wait()
    assert first.text.startswith("Sorry, I did not get that.\nAgents at my door: press 1.")
    assert "Choose a topic" not in first.text  # a short re-prompt, not the whole text again
    second = call.wait()
    assert second.text.startswith("Sorry, I did not get that.")
    last = call.wait()
    assert last.hung_up and last.text.endswith("1, 8 0 0, 5 6 6, 7 6 3 6.\nThank you for calling. Goodbye.")


def test_wrong_keys_count_too_and_a_good_key_resets_the_count(call):
    call.dial()
    call.press("1")
    assert call.press("7").text.startswith("Sorry, I did not get that.")
    assert call.press("8").text.startswith("Sorry, I did not get that.")
    assert "Keep the door closed." in call.press("1").text  # reset
    assert call.press("9").text.startswith("Sorry")
    assert call.wait().text.startswith("Sorry")
    assert call.press("5").hung_up


def test_the_language_menu_also_gives_up_after_two_misses(call):
    call.dial()
    assert call.press("3").place["at"] == "@lang"
    assert call.wait().place["at"] == "@lang"
    assert call.press("9").hung_up


def test_a_call_longer_than_the_limit_is_ended_politely(phone_app):
    now = [SATURDAY_AFTERNOON]
    phone = PhoneCall(Twilio(phone_app(clock=lambda: now[0], max_call_seconds=600).test_client()))
    phone.dial()
    phone.press("1")
    now[0] += dt.timedelta(seconds=530)
    assert "This call will end in one minute." not in phone.press("1").text
    now[0] += dt.timedelta(seconds=20)
    warned = phone.press("#")
    assert warned.text.startswith("This call will end in one minute.")  # a minute before, once
    now[0] += dt.timedelta(seconds=10)
    assert "end in one minute" not in phone.press("1").text
    now[0] += dt.timedelta(seconds=41)
    assert phone.press("1").hung_up
    assert phone.last.text.endswith("1, 8 0 0, 5 6 6, 7 6 3 6.\nThank you for calling. Goodbye.")


def test_speech_picks_the_choice_by_its_label(call):
    call.dial()
    call.press("1")
    assert "Start with this free hotline" in call.say("free legal help please").text
    assert call.say("menu").place["at"] == "main_menu"  # keywords work by voice too


def test_pound_at_the_main_menu_changes_language_and_returns_there(call):
    call.dial()
    call.press("1")
    menu = call.press("#")
    assert menu.place["at"] == "@lang"
    spanish = call.press("2")
    assert spanish.place["at"] == "main_menu" and spanish.text.startswith("Elija un tema.")


def test_a_language_chosen_by_text_is_where_the_call_starts(phone_app, sender):
    twilio = Twilio(phone_app(sender=sender).test_client())
    twilio.sms("+16075550177", "hola")
    assert "Elija un tema" in message_text(twilio.sms("+16075550177", "0"))
    heard = PhoneCall(twilio, number="+16075550177").dial()
    assert heard.place["at"] == "main_menu" and heard.place["lang"] == "es"
    assert heard.text.startswith("Elija un tema.")
    assert "Para elegir otro idioma, oprima numeral." in heard.text  # a call that starts in it is told


# --- languages the phone cannot speak: by text message -------------------------------------


SATURDAY_NIGHT = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc)  # 22:00 in Binghamton: ONA closed


def test_pashto_gets_the_ona_interpreters_at_once_while_ona_is_open(call, sender):
    call.dial()
    heard = call.press("7")
    dial = heard.root.find("Dial")
    assert dial is not None and dial.text == "+18005667636" and int(dial.get("timeLimit")) > 60
    assert heard.said[0][0] == "Play" and heard.said[0][2].endswith("/ps/messages__voice_ona_connecting.mp3")
    assert sender.sent == []
    ended = call.dial_ended("completed")
    assert ended.hung_up and ended.said[0][2].endswith("/ps/messages__voice_ona.mp3")


def test_pashto_is_offered_by_text_and_the_text_continues_the_conversation(phone_app, sender):
    call = PhoneCall(Twilio(phone_app(sender=sender, clock=lambda: SATURDAY_NIGHT).test_client()))
    call.dial()
    heard = call.press("7")
    assert heard.hung_up
    assert ("Say", "en-US", "We sent you a text message. Reply to it to use the hotline.") in heard.said
    assert [to for to, _ in sender.sent] == ["+16075550123"]
    body = sender.sent[0][1]
    assert body.startswith("[ps] Welcome to the test hotline.") and "1 [ps] Agents at my door" in body
    # the caller's language is now Pashto on the text line too
    assert "[ps] Keep the door closed." in message_text(call.twilio.sms("+16075550123", "1"))


def test_a_failed_text_still_gets_the_caller_a_number_to_call(phone_app):
    phone = PhoneCall(Twilio(phone_app(sender=FakeSender(fail=True), clock=lambda: SATURDAY_NIGHT).test_client()))
    phone.dial()
    heard = phone.press("7")
    assert heard.hung_up and heard.said[-2][2].endswith("/ps/messages__voice_ona.mp3")


def test_without_a_sender_a_language_without_voice_still_gets_the_ona_number(phone_app):
    phone = PhoneCall(Twilio(phone_app(sender=None, clock=lambda: SATURDAY_NIGHT).test_client()))
    assert "/ps/messages__voice_sms_offer.mp3" in str(phone.dial().said)
    heard = phone.press("7")
    assert heard.hung_up and heard.said[-2][2].endswith("/ps/messages__voice_ona.mp3")


def test_an_incomplete_recording_set_falls_back_page_by_page(phone_app, sender, tmp_path):
    shelf = tmp_path / "recordings"
    shutil.copytree(RECORDINGS, shelf)
    (shelf / "ht" / "main__door__text.mp3").unlink()
    heard = PhoneCall(Twilio(phone_app(sender=sender, recordings=shelf).test_client())).dial()
    # still named by its recorded name
    assert "/ht/language__ht.mp3" in str(heard.said)
    phone = PhoneCall(Twilio(phone_app(sender=sender, recordings=shelf).test_client()))
    phone.dial()
    # The main menu is all recorded: played, though another page is not.
    menu = phone.press("8")
    assert menu.root.find("Dial") is None
    assert any(verb == "Play" and url.endswith("/ht/main__main_menu__text.mp3") for verb, _, url in menu.said)
    # The page without its recording: what exists for the language (ONA is open).
    assert phone.press("1").root.find("Dial").text == "+18005667636"
    # A recorded page still plays: the other topic's page.
    again = PhoneCall(Twilio(phone_app(sender=sender, recordings=shelf).test_client()), number="+16075550177")
    again.dial()
    again.press("8")
    legal = again.press("2")
    assert legal.root.find("Dial") is None
    assert any(verb == "Play" and url.endswith("/ht/main__legal_help__text.mp3") for verb, _, url in legal.said)


def test_a_withheld_number_is_kept_apart_and_never_texted(phone_app, sender):
    twilio = Twilio(phone_app(sender=sender).test_client())
    first = PhoneCall(twilio, number="Anonymous", sid="CA" + "1" * 32)
    first.dial()
    first.press("2")
    other = PhoneCall(twilio, number="Anonymous", sid="CA" + "2" * 32)
    assert other.dial().place["at"] == "@lang"  # not the first caller's Spanish
    assert other.press("7").root.find("Dial") is not None  # ONA's interpreters: no text needed
    assert sender.sent == []


# --- the volunteer line ----------------------------------------------------------------------


def test_no_volunteer_item_unless_configured(call):
    call.dial()
    assert "volunteer" not in call.press("1").text.lower()


def test_on_duty_the_volunteers_are_rung_all_at_once(phone_app):
    phone = PhoneCall(Twilio(phone_app(volunteers=volunteers()).test_client()))
    phone.dial()
    menu = phone.press("1")
    assert "Talk to a volunteer: press 0." in menu.text
    ring = phone.press("0")
    dial = ring.root.find("Dial")
    assert [n.text for n in dial] == list(ON_CALL) and dial.get("callerId") == HOTLINE
    assert 60 < int(dial.get("timeLimit")) <= 1800  # the call's own limit bounds the joined call
    whisper = phone.whisper()
    assert "speaks English. Press 1 to take the call." in whisper.text and whisper.hung_up
    assert whisper.gather.get("finishOnKey") == "" and whisper.gather.get("input") == "dtmf"
    assert phone.whisper("1").verbs() == []  # accepted: the whisper ends and Twilio joins them
    assert phone.whisper("9").hung_up
    phone.last = ring
    assert ring.text == "Calling a volunteer for you. Please wait."
    missed = phone.dial_ended("no-answer")
    assert missed.text.startswith("Sorry, no volunteer could answer.")
    assert "1, 8 0 0, 5 6 6, 7 6 3 6" in missed.text and "2 1 2, 7 2 5, 6 4 2 2" in missed.text
    assert missed.root.find("Record") is None  # voicemail is off unless configured
    assert phone.press("*").text == missed.text
    assert phone.press("0").place["at"] == "main_menu"
    assert phone.press("0").root.find("Dial") is not None  # 0 at the main menu: the volunteers again
    assert phone.dial_ended("completed").hung_up  # they talked; the volunteer hung up
    assert "1, 8 0 0, 5 6 6, 7 6 3 6" in phone.last.text


def test_outside_hours_the_caller_hears_who_else_to_call(phone_app):
    sunday = dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.timezone.utc)
    phone = PhoneCall(Twilio(phone_app(volunteers=volunteers(), clock=lambda: sunday).test_client()))
    phone.dial()
    phone.press("1")
    heard = phone.say("talk to a volunteer")
    assert heard.root.find("Dial") is None
    assert heard.text.startswith("No volunteer is answering calls right now.")
    assert "NYS Office for New Americans Hotline." in heard.text


def test_voicemail_when_configured_and_the_app_keeps_nothing(phone_app, redis_client, sender):
    phone = PhoneCall(Twilio(phone_app(volunteers=volunteers(voicemail=True), sender=sender).test_client()))
    phone.dial()
    phone.press("1")
    phone.press("0")
    heard = phone.dial_ended("busy")
    record = heard.root.find("Record")
    assert record is not None and record.get("maxLength") == "120" and heard.verbs()[-1] == "Redirect"
    assert phone.recorded().text.startswith("Thank you. A volunteer will listen to your message.")
    assert phone.last.hung_up
    assert sender.sent == []
    ready = phone.twilio.post(urlsplit(record.get("recordingStatusCallback")).path,
                              {"AccountSid": "AC" + "0" * 32, "RecordingSid": "RE" + "1" * 32,
                               "RecordingStatus": "completed", "CallSid": phone.params["CallSid"]})
    assert ready.status_code == 204
    assert [to for to, _ in sender.sent] == list(ON_CALL)  # every on-call volunteer is told
    assert {body for _, body in sender.sent} == {"A new voicemail is waiting for the hotline in the Twilio account."}
    stored = b"".join(stored_value(redis_client, k) for k in redis_client.scan_iter("*"))
    assert b"RE1" not in stored and b"recording" not in stored


def test_volunteer_hours_and_numbers_are_checked_at_start():
    from hotline.errors import ConfigError

    with pytest.raises(ConfigError, match="HOTLINE_VOLUNTEER_HOURS"):
        Volunteers.from_env({"HOTLINE_VOLUNTEER_NUMBERS": "+16075550111"})
    with pytest.raises(ConfigError, match="entries 2"):
        Volunteers.from_env({"HOTLINE_VOLUNTEER_NUMBERS": "+16075550111,6075550112", "HOTLINE_VOLUNTEER_HOURS": "mon 09:00-17:00"})
    with pytest.raises(ConfigError, match="later"):
        parse_hours("mon-fri 17:00-09:00")
    assert Volunteers.from_env({}) is None
    assert parse_hours("fri-mon 10:00-12:00").weekly[0].days == ("fri", "sat", "sun", "mon")


# --- the web side ----------------------------------------------------------------------------


def test_unsigned_or_altered_callbacks_are_refused(call):
    client = call.twilio.client
    assert client.post("/voice", data=call.params, base_url=call.twilio.base_url).status_code == 403
    call.dial()
    action = call.last.gather.get("action")
    assert action.startswith("/voice/key?s=") and "lang" not in action and "@" not in action
    forged = action[:-3] + ("AAA" if not action.endswith("AAA") else "BBB")  # a changed token
    signature = Twilio(client).sign(call.twilio.base_url + action, dict(call.params, Digits="1"))
    response = client.post(forged, data=dict(call.params, Digits="1"), base_url=call.twilio.base_url,
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_recordings_are_served_to_twilio(call):
    client = call.twilio.client
    response = client.get("/voice/recordings/ht/language__ht.mp3", base_url=call.twilio.base_url)
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert client.get("/voice/recordings/xx/language__ht.mp3").status_code == 404
    assert client.get("/voice/recordings/ht/..%2F..%2Fconftest.py").status_code == 404


def test_an_error_still_gives_the_caller_a_number_and_a_goodbye(call, monkeypatch):
    from hotline.session.switchboard import Switchboard

    def broken(self, number, state, text):
        raise RuntimeError("boom")

    monkeypatch.setattr(Switchboard, "placed", broken)
    heard = call.dial()
    assert heard.hung_up and "1, 8 0 0, 5 6 6, 7 6 3 6" in heard.text


def test_a_call_leaves_no_number_words_or_location_behind(phone_app, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    phone = PhoneCall(Twilio(phone_app(volunteers=volunteers()).test_client()), number="+16075550142")
    phone.dial()
    phone.press("2")
    phone.say("ayuda legal gratis zebra")
    phone.press("0")
    keys = list(redis_client.scan_iter("*"))
    blob = b"\n".join(keys + [stored_value(redis_client, k) for k in keys]).decode().lower()
    for secret in ("6075550142", "zebra", "binghamton", "13901"):
        assert secret not in blob and secret not in caplog.text.lower()
    assert all(redis_client.ttl(k) > 0 for k in keys)
