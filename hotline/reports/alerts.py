"""Verified alerts, as everyone who contacts the hotline gets them first.

They are kept in one small value (`hl:{rep}:alerts`, a JSON list of [code, verified at,
ends at, the responders' description]) that the store reads on the read round trip every turn
already makes, so telling everyone costs no extra Redis call and no subscriber list: nobody's
number is kept to make it work. Decoding is memoised by the bytes themselves, so thousands
of turns between two verifications parse it once.
"""
from __future__ import annotations

import json
from functools import lru_cache

from hotline.core.engine import Alert


@lru_cache(maxsize=16)
def decode(raw: bytes | None) -> list:
    """The stored list (newest last); [] for nothing or anything unreadable."""
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return [a for a in value if isinstance(a, list) and len(a) == 4] if isinstance(value, list) else []


def current(raw: bytes | None, now: float) -> tuple[Alert, ...]:
    """The alerts still running at `now`, newest first."""
    return tuple(Alert(code=str(code), at=int(at), description=str(text))
                 for code, at, ends, text in reversed(decode(raw)) if float(ends) > now)
