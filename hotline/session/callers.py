"""Callers are known only by a pseudonym: a keyed hash of their number.

The number itself is never stored or logged. With the key (HOTLINE_SECRET_KEY) kept off the
store's machine, a copy of Redis cannot be turned back into phone numbers, even by trying
every number in the county: that is why this is an HMAC and not a plain hash.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re

_NOT_DIAL = re.compile(r"[^\d+]")

# What Twilio and the carriers put in `From` when a caller withholds their number: the words
# themselves, or the same words spelled on a phone keypad (Twilio's documented placeholders):
# ANONYMOUS 266696687, RESTRICTED 7378742833, UNAVAILABLE 86282452253, UNKNOWN 8656696,
# BLOCKED 2562533; sometimes behind a +1. None of them is one person: they never key a record.
WITHHELD_WORDS = frozenset({"anonymous", "restricted", "unknown", "unavailable", "blocked", "private",
                            "withheld", "unknown caller", "no caller id"})
WITHHELD_DIGITS = frozenset({"266696687", "7378742833", "86282452253", "8656696", "2562533"})


def canonical_number(number: str) -> str:
    """The same phone, however Twilio or a test wrote it ("+1 607-555-0100", "whatsapp:+1607...")."""
    number = number.strip()
    if ":" in number:  # channel prefixes such as "whatsapp:" or "sms:"
        number = number.split(":", 1)[1]
    return _NOT_DIAL.sub("", number)


def withheld(number: str) -> bool:
    """True when `From` is not a caller's number but a stand-in for a withheld one: empty,
    a word ("Anonymous", "Restricted"...), no digits at all, or a keypad placeholder."""
    word = number.strip().lower()
    if word in WITHHELD_WORDS:
        return True
    digits = canonical_number(number).lstrip("+")
    if not digits:
        return True
    return digits in WITHHELD_DIGITS or (digits[:1] == "1" and digits[1:] in WITHHELD_DIGITS)


def pseudonym(secret: bytes, number: str) -> str:
    """20 URL-safe characters (120 bits): unique enough, and small in every Redis key."""
    digest = hmac.new(secret, canonical_number(number).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode("ascii")
