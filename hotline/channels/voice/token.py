"""The phone line's follow-up URLs carry one opaque token: `?s=<token>`, nothing readable.

A call's place and counters (when it started, the node, the BACK stack, the language, misses)
travel from request to request in the URLs the app returns, because Twilio brings them back
and the line then needs no store round trip per key. In clear they would land in every proxy
and router log (nginx, Heroku's): with the call's start time, Twilio's call log ties a phone
number to what it asked about. So the token is encrypted and authenticated with keys derived
from HOTLINE_SECRET_KEY (HMAC-SHA256, one key per use):

    nonce = BLAKE2b(key=k_nonce, plaintext)[:12]          deterministic (SIV-like)
    body  = plaintext XOR SHAKE-256(k_stream || nonce)     a keyed stream, any length
    tag   = BLAKE2b(key=k_mac, nonce || body)[:16]         encrypt-then-MAC
    token = base64url(nonce || body || tag)

Only the standard library, and only its C hashes per token (keyed BLAKE2b is a MAC by design;
SHAKE-256 of key and nonce is a PRF, the sponge has no length extension): a turn seals one
token, so this is on every call's hot path. The nonce is derived from the plaintext on
purpose: the same state gives the same token, so the same request twice gives byte-identical
TwiML (Twilio's retries are harmless). A token reveals only that two URLs hold the same state;
every state holds the call's start second, so tokens of different calls differ.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

_NONCE = 12
_TAG = 16


class Sealer:
    def __init__(self, secret: str | bytes):
        root = secret.encode() if isinstance(secret, str) else secret
        derive = lambda label: hmac.new(root, b"hotline voice token\0" + label, hashlib.sha256).digest()  # noqa: E731
        self._nonce_key, self._stream_key, self._mac_key = derive(b"nonce"), derive(b"stream"), derive(b"mac")
        self._last: tuple[bytes, str] = (b"", "")  # a response seals the same state twice (key and silence URLs)

    def _xor(self, nonce: bytes, data: bytes) -> bytes:
        stream = hashlib.shake_256(self._stream_key + nonce).digest(len(data))
        return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")

    def _tag(self, nonce: bytes, body: bytes) -> bytes:
        return hashlib.blake2b(nonce + body, key=self._mac_key, digest_size=_TAG).digest()

    def seal(self, plaintext: bytes) -> str:
        last = self._last
        if last[0] == plaintext:
            return last[1]
        nonce = hashlib.blake2b(plaintext, key=self._nonce_key, digest_size=_NONCE).digest()
        body = self._xor(nonce, plaintext)
        token = base64.urlsafe_b64encode(nonce + body + self._tag(nonce, body)).rstrip(b"=").decode("ascii")
        self._last = (plaintext, token)
        return token

    def open(self, token: str) -> bytes | None:
        """The plaintext, or None for anything this secret did not seal (or that was changed)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < _NONCE + _TAG:
            return None
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, self._tag(nonce, body)):
            return None
        return self._xor(nonce, body)
