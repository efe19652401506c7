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


def canonical_number(number: str) -> str:
    """The same phone, however Twilio or a test wrote it ("+1 607-555-0100", "whatsapp:+1607...")."""
    number = number.strip()
    if ":" in number:  # channel prefixes such as "whatsapp:" or "sms:"
        number = number.split(":", 1)[1]
    return _NOT_DIAL.sub("", number)


def pseudonym(secret: bytes, number: str) -> str:
    """20 URL-safe characters (120 bits): unique enough, and small in every Redis key."""
    digest = hmac.new(secret, canonical_number(number).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode("ascii")
