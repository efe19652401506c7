"""Golden conversations: YAML files of (send, expect) steps, walked through the engine and HTTP.

A file may say which language the conversation is in:

    name: A first text in Spanish, then the door topic
    language: es        # must be served; the caller ends the walk in it, remembered by the store
    steps:
      - send: hola
        expect: |-
          ...

`pytest --update-golden` rewrites the expected replies after a deliberate content change;
review the diff like any other change to what callers are told.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.channels import sms
from hotline.core.words import Words
from hotline.core.engine import State, step

GOLDEN = Path(__file__).resolve().parent / "golden"
CALLER = "+16075550123"


class _Literal(str):
    pass


def _literal(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.add_representer(_Literal, _literal, Dumper=yaml.SafeDumper)


def conversations(prefix: str = "", folder: Path = GOLDEN) -> list[Path]:
    return sorted(folder.glob(f"{prefix}*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def save(path: Path, conversation: dict) -> None:
    for step_ in conversation["steps"]:
        step_["expect"] = _Literal(step_["expect"])
    path.write_text(yaml.safe_dump(conversation, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def language_of(conversation: dict) -> str | None:
    """The language the conversation ends in: `language:`, or the last of `languages:`."""
    return conversation.get("language") or (conversation.get("languages") or [None])[-1]


def require_served(content, conversation: dict, path: Path) -> None:
    language = language_of(conversation)
    if language and language not in content.languages.codes:
        report = content.languages.reports.get(language)
        why = (f"{report.translated} of {report.total} strings translated" if report else "it has no catalog")
        pytest.fail(f"{path.name} is a conversation in {language}, which is not served ({why})")


def walk_engine(content, conversation: dict, path: Path, now, update: bool = False) -> None:
    """Every step through the pure engine; with `update`, rewrite the file's expected replies."""
    require_served(content, conversation, path)
    state = State()
    changed = False
    for number, turn_step in enumerate(conversation["steps"], start=1):
        turn = step(content, state, Words(turn_step["send"]))
        reply = sms.reply_text(content, turn, now)
        if update:
            changed |= reply != turn_step.get("expect")
            turn_step["expect"] = reply
        else:
            assert reply == turn_step["expect"], f"{path.name} step {number}: sent {turn_step['send']!r}"
        state = turn.state
    if changed:
        save(path, conversation)
    if language_of(conversation):
        assert state.lang == language_of(conversation), f"{path.name}: the caller ended in {state.lang}"


def walk_http(app, twilio, conversation: dict, path: Path, message_text) -> None:
    """The same conversation as Twilio would deliver it: one caller, signed requests, the app's store."""
    board = app.extensions["hotline"]
    require_served(board.content, conversation, path)
    for number, turn_step in enumerate(conversation["steps"], start=1):
        response = twilio.sms(CALLER, turn_step["send"])
        assert message_text(response) == turn_step["expect"], f"{path.name} step {number}: sent {turn_step['send']!r}"
    if language_of(conversation):
        remembered = board.store.read(board.caller(CALLER)).lang
        assert remembered == language_of(conversation), f"{path.name}: the store remembers {remembered}"
