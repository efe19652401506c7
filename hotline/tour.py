"""A tour of every reply the hotline can send, produced by the real engine.

The segment budget, the language checks in the tests and the per-language report all need
"every reply in every language": every node as a caller reaches it (with its `next` chain,
referrals, menu and footer), every re-prompt, both language lists. Walking the engine rather
than rendering nodes by hand means the tour sees exactly what a caller would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from hotline.content import Content
from hotline.engine import Show, State, Turn, step
from hotline.flows import contract

# Referral lines differ with the time of day ("Open now, until 5:00 PM", "Closed now. Opens
# Monday at 8:00 AM"), so each reply is measured at moments that give each kind of line:
# a Saturday afternoon, a Monday before opening, a Sunday evening (New York time).
MOMENTS = (
    dt.datetime(2026, 11, 28, 19, 0, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.timezone.utc),
)
# Input nothing in any language means: it draws the hint.
_NONSENSE = "?"
_GONE = "no_such_node_any_more"


@dataclass(frozen=True)
class Reply:
    lang: str
    where: str  # how a caller gets it: "door_warrant", "hint at door", "language list", ...
    turn: Turn

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(o.node for o in self.turn.outputs if isinstance(o, Show))


def replies(content: Content, lang: str) -> Iterator[Reply]:
    """Every distinct reply in `lang`, once each."""
    script = content.script
    seen: set[tuple] = set()

    def reply(where: str, state: State, text: str) -> Iterator[Reply]:
        turn = step(content, state, text)
        if turn.outputs not in seen:
            seen.add(turn.outputs)
            yield Reply(lang, where, turn)

    yield from reply(contract.WELCOME, State(lang=lang), "")
    yield from reply(contract.MAIN_MENU, State(node=contract.HELP, lang=lang), "0")
    yield from reply(contract.HELP, State(node=contract.MAIN_MENU, lang=lang), script.keywords["help"][0])
    for node_id, node in script.nodes.items():
        for item in node.menu:
            yield from reply(item.goto, State(node=node_id, lang=lang), str(item.key))
    for node_id, node in script.nodes.items():
        if node.menu:
            yield from reply(f"hint at {node_id}", State(node=node_id, lang=lang), _NONSENSE)
    leaf = next((n for n, node in script.nodes.items() if not node.menu), None)
    if leaf:
        yield from reply("hint at a page without a menu", State(node=leaf, lang=lang), _NONSENSE)
    yield from reply("a page removed by a reload", State(node=_GONE, lang=lang), "1")
    if len(content.languages.codes) > 1:
        yield from reply("language list", State(node=contract.MAIN_MENU, lang=lang), script.keywords["language"][0])
        if lang == content.languages.codes[0]:  # before any language is chosen: the same for all
            yield from reply("first-contact language list", State(), _NONSENSE)


def unshown(content: Content, lang: str) -> set[str]:
    """Nodes no reply of the tour shows (the tour is incomplete if this is not empty)."""
    shown = {node for r in replies(content, lang) for node in r.nodes}
    return set(content.script.nodes) - shown
