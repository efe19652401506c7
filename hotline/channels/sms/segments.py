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


def cost(text: str) -> Cost:
    outside = tuple(dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION))
    if not outside:
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        segments = 1 if units <= 160 else -(-units // 153)
        return Cost("GSM-7", units, segments, ())
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else -(-units // 67)
    return Cost("UCS-2", units, segments, outside)
