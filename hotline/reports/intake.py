"""The guided report, one short question at a time. Pure: no store, no clock, no I/O.

Safety first, then four questions (what, where, when, was anyone taken), each skippable with
SKIP; 0, MENU or BACK cancels at any time. Where the reporter is in it is the node marker
`@report:<question>` in their ordinary record (like the language list's `@lang`); their words
so far are the sealed draft the service keeps beside it (box.py, seal.py), never the record.
"""
from __future__ import annotations

from dataclasses import dataclass

from hotline.core.engine import Notice

MARKER = "@report"
QUESTIONS = ("what", "where", "when", "taken")
# The longest answer kept: a relay holds all four in one SMS (relay.py clips again to fit).
MAX_ANSWER = 160


def marker(question: str) -> str:
    return f"{MARKER}:{question}"


def question_at(node: str | None) -> str | None:
    """The question a caller at `node` is answering, or None when they are not reporting."""
    if node and node.startswith(MARKER + ":"):
        question = node[len(MARKER) + 1:]
        return question if question in QUESTIONS else None
    return None


def ask(question: str) -> Notice:
    return Notice(f"report_{question}")


@dataclass(frozen=True)
class Progress:
    """What one answer does: the outputs, the next question (None: the report is complete),
    the answers so far, and whether the reporter cancelled."""

    outputs: tuple
    question: str | None
    answers: dict
    cancelled: bool = False


def begin() -> Progress:
    return Progress((Notice("report_start"), ask(QUESTIONS[0])), QUESTIONS[0], {})


def answer(question: str, answers: dict, text: str, command: str | None) -> Progress:
    """The reporter at `question` sent `text` (`command`: the keyword it is, if any)."""
    if text.strip() in ("0", "#") or command in ("menu", "back"):
        return Progress((Notice("report_cancelled"),), None, {}, cancelled=True)
    answers = dict(answers)
    if command != "skip" and text.strip():
        answers[question] = text.strip()[:MAX_ANSWER]
    following = QUESTIONS.index(question) + 1
    if following < len(QUESTIONS):
        return Progress((ask(QUESTIONS[following]),), QUESTIONS[following], answers)
    return Progress((), None, answers)
