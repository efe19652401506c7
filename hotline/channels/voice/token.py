"""The phone line's follow-up URLs carry one opaque token: `?s=<token>`, nothing readable.

A call's place and counters (when it started, the node, the BACK stack, the language, misses)
travel from request to request in the URLs the app returns, because Twilio brings them back
and the line then needs no store round trip per key. In clear they would land in every proxy
and router log (nginx, Heroku's): with the call's start time, Twilio's call log ties a phone
number to what it asked about. So the token is encrypted and authenticated with keys derived
from HOTLINE_SECRET_KEY:

    nonce = HMAC(k_nonce, plaintext)[:12]                    deterministic (SIV-like)
    body  = plaintext XOR HMAC-SHA256(k_stream, nonce || i)  a PRF in counter mode
    tag   = HMAC(k_mac, nonce || body)[:16]                  encrypt-then-MAC
    token = base64url(nonce || body || tag)

Only the standard library: the construction is HMAC used as a PRF, nothing new. The nonce is
derived from the plaintext on purpose: the same state gives the same token, so the same
request twice gives byte-identical TwiML (Twilio's retries are harmless). A token reveals only
that two URLs hold the same state; every state holds the call's start second, so tokens of
different calls differ.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

_NONCE = 12
_TAG = 16
_BLOCK = 32  # SHA-256 output


class Sealer:
    def __init__(self, secret: str | bytes):
        root = secret.encode() if isinstance(secret, str) else secret
        derive = lambda label: hmac.new(root, b"hotline voice token\0" + label, hashlib.sha256).digest()  # noqa: E731
        self._nonce_key, self._stream_key, self._mac_key = derive(b"nonce"), derive(b"stream"), derive(b"mac")

    def _stream(self, nonce: bytes, length: int) -> bytes:
        blocks = (length + _BLOCK - 1) // _BLOCK
        return b"".join(hmac.new(self._stream_key, nonce + i.to_bytes(2, "big"), hashlib.sha256).digest()
                        for i in range(blocks))[:length]

    def seal(self, plaintext: bytes) -> str:
        nonce = hmac.new(self._nonce_key, plaintext, hashlib.sha256).digest()[:_NONCE]
        body = bytes(a ^ b for a, b in zip(plaintext, self._stream(nonce, len(plaintext))))
        tag = hmac.new(self._mac_key, nonce + body, hashlib.sha256).digest()[:_TAG]
        return base64.urlsafe_b64encode(nonce + body + tag).rstrip(b"=").decode("ascii")

    def open(self, token: str) -> bytes | None:
        """The plaintext, or None for anything this secret did not seal (or that was changed)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < _NONCE + _TAG:
            return None
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, hmac.new(self._mac_key, nonce + body, hashlib.sha256).digest()[:_TAG]):
            return None
        return bytes(a ^ b for a, b in zip(body, self._stream(nonce, len(body))))
