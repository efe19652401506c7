"""Previews print exactly what a person gets: compared with the real SMS webhook's replies."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, SATURDAY_AFTERNOON, Twilio, message_text
from hotline.staff.cli import main

AT = "2026-11-28T14:00"  # SATURDAY_AFTERNOON, as a time in Binghamton
SHIPPED = {"HOTLINE_FLOWS_DIR": "", "HOTLINE_TRANSLATIONS_DIR": "", "HOTLINE_LANGUAGES": "", "REDIS_URL": ""}
SPANISH_FIXTURE = {"HOTLINE_FLOWS_DIR": str(FIXTURES / "flows_min"),
                   "HOTLINE_TRANSLATIONS_DIR": str(FIXTURES / "staff" / "translations"),
                   "HOTLINE_LANGUAGES": "", "REDIS_URL": ""}


def render(*args, env=SHIPPED):
    return CliRunner().invoke(main, ["render", *args], env=env)


# "Help." rather than HELP: alone, HELP is Twilio's help word and gets who runs the line first.
@pytest.mark.parametrize("sent,node", [("1", "door"), ("7", "legal_help"), ("Help.", "help")])
def test_render_prints_what_the_sms_webhook_sends(make_app, redis_url, sent, node):
    twilio = Twilio(make_app(redis_url=redis_url, clock=lambda: SATURDAY_AFTERNOON).test_client())
    twilio.sms("+16075550170", "hi")
    texted = message_text(twilio.sms("+16075550170", sent))
    result = render(node, "--at", AT)
    assert result.exit_code == 0, result.output
    assert result.stdout == texted + "\n"
    assert "SMS segment(s), GSM-7" in result.stderr


def test_render_voice_says_the_voice_text_and_the_keys():
    result = render("help", "--channel", "voice")
    assert result.exit_code == 0, result.output
    said = result.stdout.splitlines()
    assert said[0].startswith("Press the number of your choice.")  # help's `voice:` text, not its `text:`
    assert "About this line: press 1." in said
    assert said[-1] == "Press star to hear this again, 0 for the main menu, or pound to go back."
    assert "Web:" not in render("legal_find", "--channel", "voice").stdout  # no web addresses read aloud
    assert "text-to-speech (en-US)" in result.stderr


def test_render_in_a_language_with_its_catalog():
    result = render("main_menu", "--lang", "es", env=SPANISH_FIXTURE)
    assert result.stdout == "Elija.\n\n1 Puerta\n2 Ayuda\n"
    # a language callers are not offered yet (two strings translated) previews all the same
    result = render("main_menu", "--lang", "uk", env=SPANISH_FIXTURE)
    assert result.stdout == "Оберіть.\n\n1 Двері\n2 Help\n"
    assert "needs recordings" in render("main_menu", "--lang", "ht", "--channel", "voice", env=SPANISH_FIXTURE).stderr


def test_render_explains_what_it_cannot_do():
    result = render("dor")
    assert result.exit_code == 2 and "there is no node 'dor'. Did you mean: door" in result.output
    result = render("door", "--lang", "xx")
    assert result.exit_code == 2 and "no catalog for language 'xx'" in result.output
    result = render("door", "--at", "tuesday")
    assert result.exit_code == 2 and "write a date and time" in result.output


def test_chat_starts_in_the_language_asked_for():
    result = CliRunner().invoke(main, ["chat", "--lang", "es"], input="hi\n1\n", env=SPANISH_FIXTURE)
    assert result.exit_code == 0, result.output
    assert "Elija." in result.output and "1 Puerta" in result.output
    assert "Send a number." not in result.output
    assert "Keep the door closed." in result.output  # fuzzy in Spanish: served in English, as a caller would get it


def test_chat_refuses_a_language_without_a_catalog():
    result = CliRunner().invoke(main, ["chat", "--lang", "xx"], input="", env=SPANISH_FIXTURE)
    assert result.exit_code == 2 and "no catalog for language 'xx'" in result.output


# --- the three preview bugs of issue 15 -------------------------------------------------------


def test_render_voice_says_the_keys_once_on_an_end_page_as_the_call_does():
    from hotline.content.loader import load_script

    script = load_script(FIXTURES.parent.parent / "flows")
    ends = [node_id for node_id, node in script.nodes.items() if not node.menu and node.next is None]
    assert ends
    for node_id in ends:
        result = render(node_id, "--channel", "voice")
        assert result.exit_code == 0, result.output
        assert result.stdout.count("Press star to hear this again") == 1, (node_id, result.stdout)


def test_chat_voice_starts_in_the_language_asked_for():
    result = CliRunner().invoke(main, ["chat", "--voice", "--lang", "es"], input="\n\n\n", env=SPANISH_FIXTURE)
    assert result.exit_code == 0, result.output
    assert "[es-US Google.es-US-Neural2-A] Elija." in result.stdout  # the main menu, in Spanish, in a Spanish voice
    assert "For English, press 1." not in result.stdout  # not the language menu: --lang was heard


ENGLISH_ONLY = {**SPANISH_FIXTURE, "HOTLINE_TRANSLATIONS_DIR": str(FIXTURES / "no-such-folder")}


def test_chat_opens_as_a_first_text_does_so_the_first_message_is_an_answer():
    result = CliRunner().invoke(main, ["chat"], input="1\n", env=ENGLISH_ONLY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    opening = out.index("(the hotline's answer to a first text)")
    assert out.index("Welcome.", opening) < out.index("1 Door") < out.index("you> ")  # before anything is typed
    assert "Keep the door closed." in out.split("you> ", 1)[1]  # the first "1" is a choice, not a greeting
