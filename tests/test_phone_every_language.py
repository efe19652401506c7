"""Every piece of content reachable from the keypad in every language the phone line can speak,
on the shipped scripts and catalogs: the language chosen on the language menu, then every node
walked breadth first. Each response is said in that language's voice tag, never in the wrong
one, and nothing is left without a way on."""
from __future__ import annotations

import pytest

from calls import PhoneCall, walk_every_node
from conftest import Twilio
from hotline.channels.voice.speech import TTS, menu_key


@pytest.mark.parametrize("code", [c for c in TTS if c != "en"])
def test_a_caller_reaches_every_node_by_keypad(make_app, redis_url, code):
    app = make_app(redis_url=redis_url, languages=("en", code))
    content = app.extensions["hotline"].content
    call = PhoneCall(Twilio(app.test_client()), number=f"+1607555{len(code):04d}")
    menu = call.dial()
    assert {lang for verb, lang, _ in menu.said if verb == "Say"} == {"en-US", TTS[code].language}
    paths, heard = walk_every_node(call, call.press(menu_key(code)))
    for below in heard:
        languages = {lang for verb, lang, _ in below.said if verb == "Say"}
        assert languages == {TTS[code].language}, (code, below.place, languages)  # fully translated: no English
    assert {p.split("+")[0] for p in paths} == set(content.script.nodes) - {"welcome"}


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
