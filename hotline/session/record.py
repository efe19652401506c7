"""What the hotline remembers about one caller between two messages, as compact bytes.

Three things, and nothing else:
- `state`: where the caller is in the menus (the engine's State, without the language,
  which the store keeps apart because it is remembered longer);
- `request`: a keyed digest of the last request that moved the state (Twilio's MessageSid,
  or the voice line's CallSid and step), never the id itself: with the id and access to the
  Twilio account, anyone could look up the phone number;
- `before`: the state that request started from, so a repeat of the same request is answered
  with the same reply, computed again, without moving the caller a second time.

Encoded as `<request> <before> <state>`. Redis memory per caller is the budget this serves
(256 bytes with the language key), so:
- node ids are written as three-character codes (a Codebook: a hash of the id, so the same id
  keeps its code across reloads); ids whose codes collide, and the language-menu marker, are
  written as they are;
- `before` is usually one or two characters: `=` (the request changed nothing), `<` (it opened
  a node from the menu now on top of the BACK stack), `>X` (it went BACK from node X).
A code or id that no longer exists after a reload is dropped from the BACK stack, and as the
current node it becomes one the engine does not know, which it answers with the main menu.
"""
from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, replace
from functools import lru_cache

from hotline.core.engine import State

SAME = "="
POPPED = "<"
PUSHED = ">"
VANISHED = "?"  # a current node whose code no longer resolves: the engine says "moved"

_FIRST = string.ascii_uppercase  # node ids start with a lower-case letter; codes never do
_REST = string.ascii_letters + string.digits + "_-"


def _code(node_id: str) -> str:
    digest = hashlib.sha1(node_id.encode()).digest()
    return _FIRST[digest[0] % 26] + _REST[digest[1] % 64] + _REST[digest[2] % 64]


class Codebook:
    """Node id <-> three-character code, for one set of node ids."""

    def __init__(self, node_ids: tuple[str, ...]):
        by_code: dict[str, list[str]] = {}
        for node_id in node_ids:
            by_code.setdefault(_code(node_id), []).append(node_id)
        self.code_of = {ids[0]: code for code, ids in by_code.items() if len(ids) == 1}
        self.id_of = {code: node_id for node_id, code in self.code_of.items()}
        self.known = frozenset(node_ids)

    @classmethod
    @lru_cache(maxsize=8)
    def of(cls, node_ids: tuple[str, ...]) -> "Codebook":
        return cls(node_ids)

    def pack(self, state: State) -> str:
        node = self.code_of.get(state.node, state.node) if state.node else ""
        return f"{node}|{','.join(self.code_of.get(b, b) for b in state.back)}"

    def unpack(self, text: str, lang: str | None) -> State:
        node_text, _, back_text = text.partition("|")
        back = tuple(node_id for node_id in (self._id(t) for t in back_text.split(",") if t) if node_id in self.known)
        node = self._id(node_text) if node_text else None
        return State(node=node or (VANISHED if node_text else None), back=back, lang=lang)

    def _id(self, token: str) -> str | None:
        if token[:1] in _FIRST:
            return self.id_of.get(token)
        return token


@dataclass(frozen=True)
class Record:
    state: State = State()
    request: str = ""
    before: State | None = None

    def encode(self, codes: Codebook) -> bytes:
        return f"{self.request} {self._before(codes)} {codes.pack(self.state)}".encode()

    def _before(self, codes: Codebook) -> str:
        before, state = self.before, self.state
        if before is None or before == state:
            return SAME
        same_lang = before.lang == state.lang
        if same_lang and state.back and before == State(node=state.back[-1], back=state.back[:-1], lang=state.lang):
            return POPPED
        if same_lang and before.node and before.back == state.back + (state.node,):
            return PUSHED + codes.code_of.get(before.node, before.node)
        encoded = codes.pack(before)
        if not same_lang:
            encoded += f"|{before.lang or ''}"
        return encoded

    @classmethod
    def decode(cls, raw: bytes | None, lang: str | None, codes: Codebook) -> "Record":
        """The record as stored; `lang` is the caller's language, kept under its own key."""
        if not raw:
            return cls(State(lang=lang))
        text = raw.decode("utf-8", "replace")
        parts = text.split(" ", 2)
        if len(parts) != 3:  # a state saved before records existed: "node|back", ids as they are
            return cls(codes.unpack(text, lang))
        request, before, state_text = parts
        state = codes.unpack(state_text, lang)
        if before == SAME:
            earlier = state
        elif before == POPPED and state.back:
            earlier = State(node=state.back[-1], back=state.back[:-1], lang=lang)
        elif before.startswith(PUSHED):
            node = codes._id(before[1:]) or VANISHED
            earlier = State(node=node, back=state.back + ((state.node,) if state.node in codes.known else ()), lang=lang)
        else:  # "node|back", or "node|back|lang" when that request changed the language
            node, _, rest = before.partition("|")
            back, has_lang, earlier_lang = rest.partition("|")
            earlier = codes.unpack(f"{node}|{back}", lang)
            if has_lang:
                earlier = replace(earlier, lang=earlier_lang or None)
        return cls(state=state, request=request, before=earlier)
