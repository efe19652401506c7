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
    assert set(paths) == set(content.script.nodes) - {"welcome"}


def test_a_key_that_picks_an_unspoken_language_from_a_texted_language_list_gets_the_phone_menu(make_app, redis_url):
    """Texting LANGUAGE during a call puts the caller at the engine's language list; a key
    pressed on the phone then must not switch the call to a language it cannot speak."""
    app = make_app(redis_url=redis_url)
    twilio = Twilio(app.test_client())
    call = PhoneCall(twilio)
    call.dial()
    main_menu = call.press(menu_key("en"))
    assert "For Agents at my door, press 1." in main_menu.text
    twilio.sms(call.params["From"], "LANGUAGE")
    heard = call.press(menu_key("ht"))  # 8: Haitian Creole, which has no recordings yet
    assert not heard.hung_up
    assert "For English, press 1." in heard.text
    assert heard.gather is not None  # waiting on the phone's language menu, not silent
    assert {lang for verb, lang, _ in heard.said} <= {voice.language for voice in TTS.values()}
