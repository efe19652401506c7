"""How many SMS segments a reply costs, and which characters made it expensive.

A message is sent in GSM-7 when every character is in the GSM 03.38 alphabet (the extension
characters cost two septets), otherwise the whole message goes as UCS-2. Twilio bills per
segment: GSM-7 fits 160 characters in one segment and 153 in each part of a longer message;
UCS-2 fits 70 and 67, and a character outside the Basic Multilingual Plane (most emoji)
takes two UCS-2 code units.
"""
from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Cost:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    forced_ucs2_by: tuple[str, ...]  # the distinct characters that are not GSM-7


GSM7 = GSM7_BASIC | GSM7_EXTENSION


def cost(text: str) -> Cost:
    # The distinct characters decide the encoding: one set operation, not one test a character.
    outside = tuple(sorted(set(text) - GSM7, key=text.index))  # in the order they first appear
    if not outside:
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)  # an extension character is 2 septets
        segments = 1 if units <= 160 else -(-units // 153)
        return Cost("GSM-7", units, segments, ())
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else -(-units // 67)
    return Cost("UCS-2", units, segments, outside)
