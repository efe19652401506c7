"""Session stores: where a caller's place in the menus and their language are kept.

The store deals in opaque bytes under a caller pseudonym; the engine decides what they mean.
Every key is written with a TTL: state expires after HOTLINE_STATE_TTL, the remembered
language after HOTLINE_LANG_TTL. Nothing is kept forever, so nothing piles up to be seized.

Two implementations with one contract (tests/test_store_contract.py runs against both):
- RedisStore: the production store, shared by every worker process.
- MemoryStore: the embedded store for trying the hotline without Redis; one process only.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

from hotline.errors import StoreUnavailable


def state_key(caller: str) -> str:
    # The braces keep a caller's keys in one Redis Cluster hash slot, so they can be read
    # and written together.
    return f"hl:{{{caller}}}:s"


def lang_key(caller: str) -> str:
    return f"hl:{{{caller}}}:l"


class SessionStore(Protocol):
    name: str

    def load(self, caller: str) -> tuple[bytes | None, str | None]:
        """The caller's state and remembered language (either may be None)."""

    def save(self, caller: str, state: bytes, lang: str | None) -> None:
        """Store both, each with its own TTL."""

    def forget(self, caller: str) -> None:
        """Delete everything kept for this caller."""

    def ping(self) -> bool:
        """True when the store answers."""

    def entries(self) -> dict[str, tuple[bytes, float]]:
        """Every key with its value and seconds to live: for privacy audits and tests."""


class MemoryStore:
    """A dict with expiry times, for one process. Thread-safe: the dev server is threaded."""

    name = "embedded"

    def __init__(self, state_ttl: int, lang_ttl: int, clock=time.monotonic):
        self.state_ttl, self.lang_ttl = state_ttl, lang_ttl
        self._clock = clock
        self._data: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def _get(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        return item[0]

    def load(self, caller: str) -> tuple[bytes | None, str | None]:
        with self._lock:
            lang = self._get(lang_key(caller))
            return self._get(state_key(caller)), lang.decode() if lang else None

    def save(self, caller: str, state: bytes, lang: str | None) -> None:
        now = self._clock()
        with self._lock:
            self._data[state_key(caller)] = (state, now + self.state_ttl)
            if lang:
                self._data[lang_key(caller)] = (lang.encode(), now + self.lang_ttl)
            if len(self._data) > 10_000:  # the dev store never grows without bound
                self._expire(now)

    def _expire(self, now: float) -> None:
        for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
            del self._data[key]

    def forget(self, caller: str) -> None:
        with self._lock:
            self._data.pop(state_key(caller), None)
            self._data.pop(lang_key(caller), None)

    def ping(self) -> bool:
        return True

    def entries(self) -> dict[str, tuple[bytes, float]]:
        now = self._clock()
        with self._lock:
            self._expire(now)
            return {k: (v, expires - now) for k, (v, expires) in self._data.items()}


class RedisStore:
    """Redis, with timeouts short enough that a dead server costs milliseconds, not Twilio's 15 s.

    redis-py 8 defaults to 5 s timeouts and several retries with backoff; a webhook cannot
    wait that long, and a stateless answer beats no answer.
    """

    name = "redis"

    def __init__(self, url: str, state_ttl: int, lang_ttl: int, timeout: float = 0.25):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = (redis.RedisError, OSError)
        self.state_ttl, self.lang_ttl = state_ttl, lang_ttl
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=0,
        )

    def load(self, caller: str) -> tuple[bytes | None, str | None]:
        try:
            state, lang = self.client.mget(state_key(caller), lang_key(caller))
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None
        return state, lang.decode() if lang else None

    def save(self, caller: str, state: bytes, lang: str | None) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(state_key(caller), state, ex=self.state_ttl)
        if lang:
            pipe.set(lang_key(caller), lang, ex=self.lang_ttl)
        try:
            pipe.execute()
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None

    def forget(self, caller: str) -> None:
        try:
            self.client.delete(state_key(caller), lang_key(caller))
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except self._errors:
            return False

    def entries(self) -> dict[str, tuple[bytes, float]]:
        found = {}
        for key in self.client.scan_iter(match="hl:*", count=500):
            found[key.decode()] = (self.client.get(key), self.client.pttl(key) / 1000)
        return found
