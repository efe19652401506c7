"""Whole conversations, step by step, through the engine and through signed POST /sms."""
from __future__ import annotations

import pytest

from conftest import SATURDAY_AFTERNOON, Twilio, message_text
from golden import conversations, load, walk_engine, walk_http
from hotline.config import Settings
from hotline.content.bundle import load_content

CASES = conversations()


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def test_there_are_golden_conversations():
    assert len(CASES) >= 3


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_engine_walk(path, content, request):
    walk_engine(content, load(path), path, SATURDAY_AFTERNOON, update=request.config.getoption("--update-golden"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_http_walk(path, make_app, any_redis):
    """The same conversation as Twilio would deliver it, one caller, on a real Redis server and
    on a real Redis Cluster."""
    app = make_app(**any_redis)
    walk_http(app, Twilio(app.test_client()), load(path), path, message_text)
