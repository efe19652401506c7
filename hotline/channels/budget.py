"""The SMS budget: how many segments one reply may cost, and what each reply really costs.

A reply that shows a page of content (a node's text with its referrals, menu and footer) may
take CONTENT_SEGMENTS; a reply that only asks for a choice (the main menu, a re-prompt after
a wrong key, the language list, a notice) may take MENU_SEGMENTS. The test suite measures
every reply of the tour in every served language against these (tests/test_sms_budget.py).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hotline.channels import sms
from hotline.channels.segments import Cost, cost
from hotline.content import Content
from hotline.engine import Show, Turn
from hotline.flows import contract
from hotline.tour import MOMENTS, Reply

CONTENT_SEGMENTS = 4
MENU_SEGMENTS = 3


def budget(turn: Turn) -> tuple[str, int]:
    """("content", 4) when the reply shows a page other than the main menu, else ("menu", 3)."""
    if any(isinstance(o, Show) and o.node != contract.MAIN_MENU for o in turn.outputs):
        return "content", CONTENT_SEGMENTS
    return "menu", MENU_SEGMENTS


@dataclass(frozen=True)
class Measure:
    reply: Reply
    kind: str
    limit: int
    cost: Cost  # the dearest of the moments measured
    text: str  # the reply at that moment

    @property
    def over(self) -> bool:
        return self.cost.segments > self.limit

    def explain(self) -> str:
        """One line for a failing test or the report: where, language, cost and why UCS-2."""
        line = (f"{self.reply.where} [{self.reply.lang}]: {self.cost.segments} segments "
                f"({self.cost.encoding}, {self.cost.units} units) > {self.kind} budget {self.limit}")
        if self.cost.forced_ucs2_by:
            line += "; UCS-2 forced by " + ", ".join(_named(ch) for ch in self.cost.forced_ucs2_by[:8])
            if len(self.cost.forced_ucs2_by) > 8:
                line += f" and {len(self.cost.forced_ucs2_by) - 8} more"
        return line


def _named(ch: str) -> str:
    return f"{ch!r} U+{ord(ch):04X} {unicodedata.name(ch, '?')}"


def measure(content: Content, reply: Reply) -> Measure:
    kind, limit = budget(reply.turn)
    texts = [sms.reply_text(content, reply.turn, moment) for moment in MOMENTS]
    costs = [cost(text) for text in texts]
    dearest = max(range(len(costs)), key=lambda i: (costs[i].segments, costs[i].units))
    return Measure(reply, kind, limit, costs[dearest], texts[dearest])
