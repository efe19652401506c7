"""The phone line as a caller meets it on Twilio, on the shipped scripts and catalogs.

Every request is signed as Twilio signs it and every URL is the app's own; PhoneCall.press
keeps Twilio's <Gather> semantics (numDigits, finishOnKey: a lone finishing key never reaches
the action), and check_twiml refuses a silent <Gather>, a Gather that would swallow "#", and
a <Hangup> without the ONA hotline's number said first.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from calls import ONA_SPOKEN, FakeSender, PhoneCall, walk_every_node
from conftest import Twilio
from hotline.channels.voice import MAX_OPTIONS, heard
from hotline.channels.compose import Choice
from hotline.channels.voice.speech import RECORDED, TTS, menu_key

SPOKEN = tuple(TTS)
# Tuesday 15:00 in Binghamton: the ONA hotline is open (mon-fri 08:00-20:00); 23:00: closed.
ONA_OPEN = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone.utc)
ONA_CLOSED = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.timezone.utc)
WORDS_PER_MINUTE = 150  # a typical text-to-speech rate


def seconds_of(words: str) -> float:
    return len(words.split()) * 60 / WORDS_PER_MINUTE


@pytest.fixture(scope="module")
def walked():
    return {}


@pytest.fixture(autouse=True)
def every_language(monkeypatch):
    """Serve every catalog however complete: these tests are about keys, not coverage, and a
    string a catalog lacks is said in English by the English voice (PhoneLine.words_for)."""
    import hotline.content.bundle as bundle

    real = bundle.load_languages
    monkeypatch.setattr(bundle, "load_languages", lambda *args, **kwargs: real(*args, **{**kwargs, "min_coverage": 0}))


@pytest.mark.parametrize("code", SPOKEN)
def test_every_node_by_keypad_with_star_pound_and_zero(make_app, redis_url, code, walked):
    app = make_app(redis_url=redis_url)
    content = app.extensions["hotline"].content
    call = PhoneCall(Twilio(app.test_client()), number="+16075550" + str(100 + SPOKEN.index(code)))
    call.dial()
    paths, heard_all = walk_every_node(call, call.press(menu_key(code)), keys=True)
    nodes = {p.split("+")[0] for p in paths}
    assert nodes == set(content.script.nodes) - {"welcome"}
    for response in heard_all:
        if response.gather is not None and response.place["at"] == "@lang":
            continue  # "#" at the main menu: the language menu, each language in its own voice
        voices = {lang for verb, lang, _ in response.said if verb == "Say"}
        assert TTS[code].language in voices and voices <= {TTS[code].language, TTS["en"].language}
    walked[code] = len(nodes)
    print(f"\nphone walk {code}: {len(nodes)} nodes, {len(paths)} places, {len(call.log)} requests")


def test_no_spoken_menu_offers_more_than_five_numbered_choices(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    _, heard_all = walk_every_node(call, call.press("1"))
    for response in heard_all:
        numbered = set(re.findall(r": press ([1-9])\.", response.text))
        assert len(numbered) <= MAX_OPTIONS, (response.place["at"], sorted(numbered))


def test_the_english_welcome_and_main_menu_are_short(make_app, redis_url):
    """Measured, not bounded: the figure goes in the notes. The menu itself is four topics
    and "more choices"; the welcome is the content's own."""
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    menu = call.press("1")
    numbered = re.findall(r"press ([0-9])\.", menu.text)
    assert numbered == ["1", "2", "3", "4", "5"]
    print(f"\nEnglish welcome + main menu: {len(menu.text.split())} words, "
          f"{seconds_of(menu.text):.1f} s at {WORDS_PER_MINUTE} words a minute")


@pytest.mark.parametrize("code", RECORDED)
@pytest.mark.parametrize("when", ["open", "closed, texted", "closed, no text"])
def test_dari_pashto_and_creole_get_something_useful_in_ten_seconds(make_app, redis_url, code, when):
    clock = ONA_OPEN if when == "open" else ONA_CLOSED
    sender = FakeSender() if when == "closed, texted" else None
    app = make_app(redis_url=redis_url, clock=lambda: clock, HOTLINE_TEXT_SENDER=sender)
    twilio = Twilio(app.test_client())
    call = PhoneCall(twilio)
    menu = call.dial()
    # the language menu names it (in English, while no recording of its name exists)
    assert any(f"press {menu_key(code)}." in text for verb, _, text in menu.said if verb == "Say")
    first = call.press(menu_key(code))
    said = " ".join(text for verb, _, text in first.said if verb == "Say")
    if when == "open":
        dial = first.root.find("Dial")
        assert dial is not None and dial.text == "+18005667636"  # ONA's interpreters, at once
        assert seconds_of(said) <= 10
        assert call.dial_ended("completed").hung_up
    elif when == "closed, texted":
        assert first.hung_up and len(sender.sent) == 1  # the menu by text, sent at once
        assert said.startswith("We sent you a text message.")
    else:
        assert first.hung_up and ONA_SPOKEN in said
        assert seconds_of(said.split(ONA_SPOKEN)[0]) <= 10
    # next time (their language remembered) it is the first thing the call does
    again = PhoneCall(twilio).dial()
    assert again.root.find("Dial") is not None or again.hung_up
    assert ONA_SPOKEN in again.text or again.root.find("Dial") is not None


def test_a_remembered_unspoken_language_is_never_left_with_a_silent_gather(make_app, redis_url):
    """The old bug: a Dari texter calling, pressing 0 or # at the language menu, got an empty
    <Gather> twice, then an English goodbye. Now the call goes straight to what exists."""
    app = make_app(redis_url=redis_url, clock=lambda: ONA_CLOSED, HOTLINE_TEXT_SENDER=None)
    twilio = Twilio(app.test_client())
    twilio.sms("+16075550188", "LANGUAGE")  # the full list, in the hotline's order
    twilio.sms("+16075550188", str(app.extensions["hotline"].content.languages.codes.index("fa_AF") + 1))
    heard_first = PhoneCall(twilio, number="+16075550188").dial()
    assert heard_first.hung_up and ONA_SPOKEN in heard_first.text


def test_pound_is_a_key_on_every_gather_and_a_lone_default_pound_would_be_lost(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    call.press("1")
    door = call.press("1")
    assert call.press("#").place["at"] == "main_menu"  # reached the app: back
    # what Twilio would do with its default finishOnKey: the lone # never arrives
    door = call.press("1")
    door.gather.set("finishOnKey", "#")
    lost = call.press("#")  # fell through to the <Redirect>: the no-input prompt at the door
    assert lost.place["at"] == "door" and lost.place["m"] == "1" and lost.text.startswith("Press star")


def test_the_same_request_twice_moves_the_caller_once(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    call.press("1")
    first = call.press("1")
    assert first.place["at"] == "door"
    raw = call.log[-1].root
    again = call.again()  # Twilio retries (connection overrides #rc=...)
    assert again.place == first.place and again.said == first.said
    import xml.etree.ElementTree as ET
    assert ET.tostring(again.root) == ET.tostring(raw)  # byte for byte the same TwiML
    assert call.press("1").place["at"] == "door_warrant"  # one step on from door, not two


def test_every_ending_says_the_ona_number(make_app, redis_url):
    now = [ONA_OPEN]
    app = make_app(redis_url=redis_url, clock=lambda: now[0])
    twilio = Twilio(app.test_client())
    endings = []
    call = PhoneCall(twilio)  # three misses
    call.dial()
    call.press("1")
    for _ in range(3):
        call.wait()
    endings.append(call.last)
    call = PhoneCall(twilio, number="+16075550166")  # the maximum call length
    call.dial()
    call.press("1")
    now[0] += dt.timedelta(seconds=1790)
    warned = call.press("1")
    assert warned.said[0][2] == "This call will end in one minute."
    now[0] += dt.timedelta(seconds=60)
    endings.append(call.press("1"))
    for ending in endings:  # check_twiml refuses any Hangup without it; say so here too
        assert ending.hung_up and ONA_SPOKEN in ending.text
        assert ending.text.index(ONA_SPOKEN) < ending.text.index("Goodbye")


def test_silence_after_a_page_offers_to_repeat_and_waits_longer(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    call.press("1")
    page = call.press("1")
    page = call.press("1")
    assert page.place["at"] == "door_warrant" and int(page.gather.get("timeout")) >= 10
    quiet = call.wait()
    assert quiet.text.startswith("Press star to hear this again, 0 for the main menu")
    assert "Sorry" not in quiet.text and int(quiet.gather.get("timeout")) >= 15
    assert call.press("*").place["at"] == "door_warrant"
    # about 12 + 15 + 6 + 6 s of quiet, with three prompts, before the goodbye
    for _ in range(3):
        assert not call.wait().hung_up
    assert call.wait().hung_up


SAID = {
    "en": ["one", "number one", "agents at my door"],
    "es": ["uno", "opción uno", "agentes en mi puerta"],
    "uk": ["один", "номер один"],
    "ru": ["один", "номер один"],
    "ar": ["واحد", "الرقم واحد"],
    "zh_Hans": ["一", "第一", "一号"],
}
PARAPHRASE = {"en": "legal help", "es": "ayuda legal", "ru": "помощь юриста", "zh_Hans": "法律帮助", "uk": "юридична допомога"}


@pytest.mark.parametrize("code", [c for c in SPOKEN if TTS[c].speech])
def test_number_words_and_paraphrases_match_in_each_spoken_language(make_app, redis_url, code):
    app = make_app(redis_url=redis_url)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    menu = call.press(menu_key(code))
    assert "speech" in menu.gather.get("input")
    assert menu.said[-1][2] == app.extensions["hotline"].content.languages.book(code).message("voice_speech")
    for words in SAID[code]:
        assert call.say(words).place["at"] == "door", (code, words)
        call.press("0")
    if code in PARAPHRASE:
        assert call.say(PARAPHRASE[code]).place["at"] == "legal_help", (code, PARAPHRASE[code])
        call.press("0")
    # words that match nothing: a hint, and no step towards the hang-up
    for _ in range(4):
        hint = call.say("zebra quantum")
        assert not hint.hung_up and hint.place["m"] == "0"
    assert hint.said[0][2] == app.extensions["hotline"].content.languages.book(code).message("voice_speech_hint")


def test_traditional_characters_match_the_simplified_labels():
    choices = [Choice("7", "免费法律帮助", "zh_Hans"), Choice("1", "执法人员到我家门口", "zh_Hans")]
    assert heard("法律幫助", choices) == ("7", True)
    assert heard("門口", choices) == ("1", True)
    assert heard("一號", choices) == ("1", True)
    assert heard("天气", choices) == ("天气", False)


def test_the_volunteer_whisper_names_the_language_and_only_1_connects(make_app, redis_url):
    from calls import volunteers
    from hotline.web.voice import PhoneSettings

    settings = PhoneSettings(hotline_number="+16075550199", volunteers=volunteers())
    app = make_app(redis_url=redis_url, clock=lambda: ONA_OPEN, HOTLINE_PHONE=settings)
    call = PhoneCall(Twilio(app.test_client()))
    call.dial()
    call.press(menu_key("es"))
    ring = call.press("0")
    assert int(ring.root.find("Dial").get("timeLimit")) <= 1800
    whisper = call.whisper()
    assert "speaks Spanish" in whisper.text and whisper.hung_up  # no key: that phone hangs up
    assert call.whisper("1").verbs() == []
    assert call.whisper("2").hung_up


def test_texting_during_a_call_never_moves_the_call(make_app, redis_url):
    """The phone and the text thread share the caller's language, not their place: a key
    applies to the menu the caller heard, whatever they texted meanwhile."""
    app = make_app(redis_url=redis_url)
    twilio = Twilio(app.test_client())
    call = PhoneCall(twilio)
    call.dial()
    main_menu = call.press(menu_key("en"))
    assert "Agents at my door: press 1." in main_menu.text
    twilio.sms(call.params["From"], "5")  # the text thread opens the arrest page
    door = call.press("1")
    assert door.place["at"] == "door" and "arrest" not in door.text.lower()
    twilio.sms(call.params["From"], "LANGUAGE")  # the text thread is at its language list
    assert call.press("1").place["at"] == "door_warrant"  # the phone is still at the door
    # a language chosen by text is the next call's language
    twilio.sms(call.params["From"], "2")
    assert PhoneCall(twilio).dial().place["lang"] == "es"
