"""The phone and the text thread of one caller, on the shipped scripts and catalogs. (The walk
of every node in every spoken language, with *, # and 0, is tests/test_phone_real_phone.py.)"""
from __future__ import annotations


from calls import PhoneCall
from conftest import Twilio
from hotline.channels.voice.speech import menu_key


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
