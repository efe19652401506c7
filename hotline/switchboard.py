"""The switchboard: one turn of a conversation, from a caller's number and words to a Turn.

It is the only place that joins the pseudonym, the store and the engine, so the SMS webhook,
the voice webhook and the terminal simulator all behave the same. It never sees TwiML.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from hotline.callers import pseudonym
from hotline.content import Content
from hotline.engine import Notice, State, Turn, step
from hotline.errors import StoreUnavailable
from hotline.flows import contract
from hotline.store import SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    turn: Turn
    degraded: bool = False  # the store did not answer: the reply was made without memory
    # The content the turn was made with. Render the reply with this, not the switchboard's
    # current content: a reload between the two would name nodes the new version lacks.
    content: Content | None = None


class Switchboard:
    def __init__(self, content: Content, store: SessionStore, secret: bytes):
        self._content = content
        self.store = store
        self.secret = secret
        self._swap = threading.Lock()

    @property
    def content(self) -> Content:
        return self._content

    def publish(self, content: Content) -> None:
        """Serve a new, fully loaded Content. Requests already running finish on the old one."""
        with self._swap:
            self._content = content

    def caller(self, number: str) -> str:
        return pseudonym(self.secret, number)

    def turn(self, number: str, text: str) -> Answer:
        content = self._content  # one version for the whole turn, even if a reload lands now
        caller = self.caller(number)
        try:
            raw, lang = self.store.load(caller)
        except StoreUnavailable as exc:
            log.warning("session store unavailable (%s): answering without memory", exc)
            return Answer(self.stateless(content, text), degraded=True, content=content)
        turn = step(content, State.decode(raw, lang), text)
        try:
            self.store.save(caller, turn.state.encode(), turn.state.lang)
        except StoreUnavailable as exc:
            log.warning("session store unavailable on save (%s): the reply goes out, the step is not kept", exc)
            return Answer(turn, degraded=True, content=content)
        return Answer(turn, content=content)

    @staticmethod
    def stateless(content: Content, text: str) -> Turn:
        """Without the store we don't know where the caller was. The likeliest place is the
        main menu, so a digit is read from there; the notice gives a number to call."""
        candidates = content.languages.detect(text)
        lang = candidates[0] if len(candidates) == 1 else None
        turn = step(content, State(node=contract.MAIN_MENU, lang=lang), text)
        return Turn((Notice("unavailable"),) + turn.outputs, turn.state)
