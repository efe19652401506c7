"""One contract, two stores: the embedded MemoryStore behaves as RedisStore does."""
from __future__ import annotations

import pytest

from hotline.store import MemoryStore, RedisStore, lang_key, state_key


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryStore(state_ttl=60, lang_ttl=600)
    return RedisStore(request.getfixturevalue("redis_url"), state_ttl=60, lang_ttl=600)


def test_unknown_callers_have_nothing(store):
    assert store.load("nobody") == (None, None)


def test_save_then_load(store):
    store.save("abc", b"door|main_menu", "es")
    assert store.load("abc") == (b"door|main_menu", "es")
    store.save("abc", b"main_menu|", None)  # no language yet: the old one stays
    assert store.load("abc") == (b"main_menu|", "es")


def test_every_key_has_its_own_ttl(store):
    store.save("abc", b"door|", "uk")
    entries = store.entries()
    assert set(entries) == {state_key("abc"), lang_key("abc")}
    assert 0 < entries[state_key("abc")][1] <= 60
    assert 60 < entries[lang_key("abc")][1] <= 600


def test_forget_removes_everything(store):
    store.save("abc", b"door|", "uk")
    store.save("other", b"door|", "uk")
    store.forget("abc")
    assert store.load("abc") == (None, None)
    assert store.load("other") == (b"door|", "uk")


def test_ping(store):
    assert store.ping() is True


def test_memory_store_expires_state_before_language():
    clock = FakeClock()
    store = MemoryStore(state_ttl=60, lang_ttl=600, clock=clock)
    store.save("abc", b"door|", "ar")
    clock.now += 61
    assert store.load("abc") == (None, "ar")
    clock.now += 600
    assert store.load("abc") == (None, None)


def test_redis_store_expires_keys(redis_url, redis_client):
    store = RedisStore(redis_url, state_ttl=1, lang_ttl=2)
    store.save("abc", b"door|", "ar")
    redis_client.pexpire(state_key("abc"), 1)
    import time

    time.sleep(0.01)
    assert store.load("abc") == (None, "ar")


def test_a_dead_redis_raises_store_unavailable():
    from hotline.errors import StoreUnavailable

    store = RedisStore("redis://127.0.0.1:1/0", state_ttl=60, lang_ttl=600, timeout=0.2)
    with pytest.raises(StoreUnavailable):
        store.load("abc")
    with pytest.raises(StoreUnavailable):
        store.save("abc", b"x|", None)
    assert store.ping() is False


def test_redis_timeouts_and_retries_are_short(redis_url):
    """redis-py 8 defaults to 5 s timeouts and 10 retries: far past Twilio's 15 s budget."""
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=600, timeout=0.25)
    kwargs = store.client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.25 and kwargs["socket_connect_timeout"] == 0.25
    assert store.client.get_retry().get_retries() <= 1
