"""A report's words at rest: sealed with a key only the hotline's processes hold.

The key is derived from HOTLINE_SECRET_KEY with HKDF (its own `info`, so it is never the key
that makes caller pseudonyms), and the words are sealed with Fernet (AES-128-CBC and an
HMAC-SHA256 over it, from `cryptography`, the Python Cryptographic Authority's maintained
library, in Debian as python3-cryptography): a copy of Redis without the key holds nothing readable, and a token that was tampered with
does not open. Fernet over AES-GCM because it carries its own version, IV and timestamp, so
there is nothing to get wrong in how nonces are made.
"""
from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"hotline reports: words at rest v1"


class Seal:
    def __init__(self, secret: bytes):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def close(self, value: object) -> bytes:
        """Any JSON value, sealed."""
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    def open(self, token: bytes | None, ttl: int | None = None) -> object | None:
        """The value, or None if there is none, it is older than `ttl` seconds, or it does not open."""
        if not token:
            return None
        try:
            return json.loads(self._fernet.decrypt(token, ttl=ttl))
        except (InvalidToken, ValueError):
            return None
