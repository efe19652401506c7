"""Whole conversations, step by step, through the engine and through signed POST /sms."""
from __future__ import annotations

import pytest

from conftest import SATURDAY_AFTERNOON, Twilio, message_text
from golden import conversations, load, save
from hotline.channels import sms
from hotline.config import Settings
from hotline.content import load_content
from hotline.engine import State, step

CASES = conversations()


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def test_there_are_golden_conversations():
    assert len(CASES) >= 3


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_engine_walk(path, content, request):
    conversation = load(path)
    languages = conversation.get("languages")
    state = State()
    changed = False
    for number, turn_step in enumerate(conversation["steps"], start=1):
        turn = step(content, state, turn_step["send"])
        reply = sms.reply_text(content, turn, SATURDAY_AFTERNOON)
        if request.config.getoption("--update-golden"):
            changed |= reply != turn_step.get("expect")
            turn_step["expect"] = reply
        else:
            assert reply == turn_step["expect"], f"step {number}: sent {turn_step['send']!r}"
        state = turn.state
    if changed:
        save(path, conversation)
    if languages:
        assert state.lang == languages[-1]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_http_walk(path, make_app, redis_url):
    """The same conversation as Twilio would deliver it, one caller, a real Redis."""
    twilio = Twilio(make_app(redis_url=redis_url).test_client())
    conversation = load(path)
    for number, turn_step in enumerate(conversation["steps"], start=1):
        response = twilio.sms("+16075550123", turn_step["send"])
        assert message_text(response) == turn_step["expect"], f"step {number}: sent {turn_step['send']!r}"
