"""Every piece of content reachable from the keypad in every language the phone line can speak,
on the shipped scripts and catalogs: the language chosen on the language menu, then every node
walked breadth first. Each response is said in that language's voice tag, never in the wrong
one, and nothing is left without a way on."""
from __future__ import annotations

import pytest

from calls import PhoneCall
from conftest import Twilio
from hotline.channels.voices import TTS, menu_key


@pytest.mark.parametrize("code", [c for c in TTS if c != "en"])
def test_a_caller_reaches_every_node_by_keypad(make_app, redis_url, code):
    app = make_app(redis_url=redis_url, languages=("en", code))
    content = app.extensions["hotline"].content
    call = PhoneCall(Twilio(app.test_client()), number=f"+1607555{len(code):04d}")
    menu = call.dial()
    assert {lang for verb, lang, _ in menu.said if verb == "Say"} == {"en-US", TTS[code].language}
    start = call.press(menu_key(code))
    paths = {start.place["at"]: ()}
    queue = [start.place["at"]]
    while queue:
        at = queue.pop(0)
        heard = call.press("0")
        for key in paths[at]:
            heard = call.press(key)
        assert heard.place["at"] == at
        for key in "123456789":
            below = call.press(key)
            if below.hung_up:  # a key that is not on this menu: re-prompted, never a hang-up here
                pytest.fail(f"{code}: key {key} at {at} hung up")
            languages = {lang for verb, lang, _ in below.said if verb == "Say"}
            assert languages == {TTS[code].language}, (code, at, key, languages)  # fully translated: no English
            if below.place["at"] not in paths and below.place["at"] != at:
                paths[below.place["at"]] = paths[at] + (key,)
                queue.append(below.place["at"])
            call.press("0")
            for step in paths[at]:
                call.press(step)
    assert set(paths) == set(content.script.nodes) - {"welcome"}
