"""What the hotline remembers about one caller between two messages, as compact bytes.

Three things, and nothing else:
- `state`: where the caller is in the menus (the engine's State, without the language,
  which the store keeps apart because it is remembered longer);
- `request`: a keyed digest of the last request that moved the state (Twilio's MessageSid,
  or the voice line's CallSid and step), never the id itself: with the id and access to the
  Twilio account, anyone could look up the phone number;
- `before`: the state that request started from, so a repeat of the same request is answered
  with the same reply, computed again, without moving the caller a second time.

Encoded as `<request> <before> <state>`; node ids hold no spaces. `before` is usually one
character: `=` (the request changed nothing) or `<` (it opened a node from the menu that is
now on top of the BACK stack). Redis memory per caller is the budget this serves.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from hotline.engine import State

SAME = "="
POPPED = "<"


@dataclass(frozen=True)
class Record:
    state: State = State()
    request: str = ""
    before: State | None = None

    def encode(self) -> bytes:
        return f"{self.request} {self._before()} {self.state.encode().decode()}".encode()

    def _before(self) -> str:
        before, state = self.before, self.state
        if before is None or before == state:
            return SAME
        if state.back and before == State(node=state.back[-1], back=state.back[:-1], lang=state.lang):
            return POPPED
        encoded = before.encode().decode()
        if before.lang != state.lang:
            encoded += f"|{before.lang or ''}"
        return encoded

    @classmethod
    def decode(cls, raw: bytes | None, lang: str | None) -> "Record":
        """The record as stored; `lang` is the caller's language, kept under its own key."""
        if not raw:
            return cls(State(lang=lang))
        text = raw.decode("utf-8", "replace")
        parts = text.split(" ", 2)
        if len(parts) != 3:  # a state saved before records existed: "node|back"
            return cls(State.decode(raw, lang))
        request, before, state_text = parts
        state = State.decode(state_text.encode(), lang)
        if before == SAME:
            earlier = state
        elif before == POPPED and state.back:
            earlier = State(node=state.back[-1], back=state.back[:-1], lang=lang)
        else:  # "node|back", or "node|back|lang" when that request changed the language
            node, _, rest = before.partition("|")
            back, has_lang, earlier_lang = rest.partition("|")
            earlier = State.decode(f"{node}|{back}".encode(), lang)
            if has_lang:
                earlier = replace(earlier, lang=earlier_lang or None)
        return cls(state=state, request=request, before=earlier)
