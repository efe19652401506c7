"""One contract, every store: the embedded MemoryStore behaves as RedisStore does, on one
Redis server and on a three-master Redis Cluster (HOTLINE_REDIS_CLUSTER=1), and on Valkey when
HOTLINE_TEST_VALKEY_URL names one.

Every test taking `store` runs against each. Rate windows follow a fake clock (both stores
take one), so a test can step into the next window without waiting.
"""
from __future__ import annotations

import os
import time

import pytest

from hotline.errors import StoreUnavailable
from hotline.session.store import (STATS_TTL, Change, MemoryStore, RedisStore, Snapshot, lang_key, load_key, optout_key,
                                   state_key, stats_day, stats_key)

WINDOW = 60


class FakeClock:
    def __init__(self, now: float = 1_000_020.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


STORES = ["memory", "redis", "cluster"] + (["valkey"] if os.environ.get("HOTLINE_TEST_VALKEY_URL") else [])


@pytest.fixture(params=STORES)
def store(request, clock):
    if request.param == "memory":
        return MemoryStore(state_ttl=600, lang_ttl=6000, clock=clock, optout_ttl=60000, window=WINDOW, wall_clock=clock)
    url = request.getfixturevalue({"redis": "redis_url", "cluster": "redis_cluster_url", "valkey": "valkey_url"}[request.param])
    return RedisStore(url, state_ttl=600, lang_ttl=6000, clock=clock, optout_ttl=60000, window=WINDOW,
                      cluster=request.param == "cluster")


def line_keys(entries, prefix):
    """The line-wide keys of one kind, whichever shards they are in (a cluster shards them)."""
    return {k: v for k, v in entries.items() if k.startswith(prefix)}


def save(store, caller, session=b"door|main_menu", **change):
    seen = store.read(caller)
    assert store.write(caller, seen, Change(session=session, **change)) is None
    return seen


def test_an_unknown_caller_has_nothing_and_this_message_is_counted(store):
    assert store.read("nobody") == Snapshot(b"", None, False, 1, 0)


def test_write_then_read(store):
    save(store, "abc", b"r1 < door|main_menu", lang="es", replied=True)
    seen = store.read("abc")
    assert (seen.session, seen.lang, seen.opted_out) == (b"r1 < door|main_menu", "es", False)
    assert seen.count == 2 and seen.load == 1
    save(store, "abc", b"r2 = main_menu|")  # no language given: the old one stays
    assert store.read("abc").lang == "es"


def test_messages_are_counted_per_caller_and_window(store, clock):
    for expected in (1, 2, 3):
        assert store.read("abc").count == expected
    assert store.read("other").count == 1
    clock.now += WINDOW
    assert store.read("abc").count == 1


def test_counting_keeps_the_record(store):
    save(store, "abc", b"r1 = door|")
    for _ in range(3):
        assert store.read("abc").session == b"r1 = door|"


def test_the_line_counts_replies_not_messages(store, clock):
    store.read("a")
    store.read("b")
    assert store.read("c").load == 0
    save(store, "a", replied=True)
    save(store, "b", replied=True)
    save(store, "c", replied=False)
    assert store.read("d").load == 2
    clock.now += WINDOW
    assert store.read("d").load == 0


def test_a_write_after_someone_elses_write_is_refused_and_shows_what_is_there(store):
    first = store.read("abc")
    second = store.read("abc")  # the same caller's other message, read at the same moment
    assert store.write("abc", first, Change(session=b"r1 < door|main_menu", lang="es")) is None
    fresh = store.write("abc", second, Change(session=b"r2 < street|main_menu", lang="uk"))
    assert fresh is not None
    assert (fresh.session, fresh.lang, fresh.opted_out) == (b"r1 < door|main_menu", "es", False)
    assert fresh.count == second.count  # counting happened at read time
    assert store.write("abc", fresh, Change(session=b"r2 < door_say|main_menu,door")) is None
    assert store.read("abc").session == b"r2 < door_say|main_menu,door"


def test_an_opt_out_in_between_also_refuses_the_write(store):
    seen = store.read("abc")
    stop_seen = store.read("abc")
    assert store.write("abc", stop_seen, Change(session=None, forget_lang=True, opt_out=True)) is None
    fresh = store.write("abc", seen, Change(session=b"r1 = main_menu|"))
    assert fresh is not None and fresh.opted_out


def test_opted_out_callers_are_marked_and_not_counted(store):
    save(store, "abc", b"r1 = door|", lang="ar")
    save(store, "abc", None, forget_lang=True, opt_out=True)
    seen = store.read("abc")
    assert seen.opted_out and seen.count == 0 and seen.session == b"" and seen.lang is None
    assert store.write("abc", seen, Change(session=b"r2 = welcome|", opt_out=False)) is None
    assert store.read("abc").opted_out is False


def test_every_key_has_a_ttl_of_its_kind(store, clock):
    store.read("new")  # a first message: a bare counter that lives one window
    save(store, "abc", b"r1 = door|", lang="uk", replied=True)
    save(store, "out", None, opt_out=True)
    entries = store.entries()
    assert 0 < entries[state_key("new")][1] <= WINDOW
    assert WINDOW < entries[state_key("abc")][1] <= 600
    assert 600 < entries[lang_key("abc")][1] <= 6000
    assert 6000 < entries[optout_key("out")][1] <= 60000
    loads = line_keys(entries, "hl:load:")
    assert loads and all(k.endswith(f":{int(clock.now // WINDOW)}") and 0 < ttl <= 2 * WINDOW for k, (_, ttl) in loads.items())
    assert all(ttl > 0 for _, ttl in entries.values())


def test_removing_the_record_keeps_only_the_rate_count_for_its_window(store):
    save(store, "abc", b"r1 = door|", lang="uk")
    seen = store.read("abc")
    assert store.write("abc", seen, Change(session=None, forget_lang=True)) is None
    entries = store.entries()
    assert set(entries) == {state_key("abc")}
    value, ttl = entries[state_key("abc")]  # (this write counted nothing, so no stats key either)
    assert value.endswith(b";") and b"door" not in value and 0 < ttl <= WINDOW
    after = store.read("abc")
    assert (after.session, after.lang, after.count) == (b"", None, seen.count + 1)


def test_forgetting_removes_the_place_and_the_language_of_that_caller_only(store):
    """What FORGET writes (the switchboard's Change): nothing of the place or language is left."""
    save(store, "abc", b"r1 = door|", lang="uk")
    save(store, "other", b"r1 = door|", lang="uk")
    save(store, "abc", None, forget_lang=True)
    after = store.read("abc")
    assert (after.session, after.lang) == (b"", None)
    assert not [k for k in store.entries() if "{abc}" in k and not k.endswith(":s")]  # at most the rate count
    assert store.read("other").session == b"r1 = door|" and store.read("other").lang == "uk"


def test_ping(store):
    assert store.ping() is True


def test_memory_store_expires_state_before_language():
    clock = FakeClock()
    store = MemoryStore(state_ttl=60, lang_ttl=600, clock=clock)
    save(store, "abc", b"r1 = door|", lang="ar")
    clock.now += 61
    seen = store.read("abc")
    assert (seen.session, seen.lang) == (b"", "ar")
    clock.now += 600
    assert store.read("abc").lang is None


def test_redis_store_expires_keys(redis_url, redis_client):
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=120)
    save(store, "abc", b"r1 = door|", lang="ar")
    redis_client.pexpire(state_key("abc"), 1)
    time.sleep(0.01)
    seen = store.read("abc")
    assert (seen.session, seen.lang, seen.count) == (b"", "ar", 1)


def test_redis_reads_a_state_saved_before_records_existed(redis_url, redis_client):
    redis_client.set(state_key("abc"), b"door|main_menu", ex=60)
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=120)
    assert store.read("abc").session == b"door|main_menu"
    assert store.read("abc").session == b"door|main_menu"  # counting did not garble it


def test_redis_scripts_come_back_after_a_flush(redis_url, redis_client):
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=120)
    save(store, "abc", b"r1 = door|")
    redis_client.script_flush()  # what a restarted server looks like
    assert store.read("abc").session == b"r1 = door|"
    redis_client.script_flush()
    assert store.write("abc", store.read("abc"), Change(session=b"r2 = street|")) is None


def test_a_dead_redis_raises_store_unavailable():
    store = RedisStore("redis://127.0.0.1:1/0", state_ttl=60, lang_ttl=600, timeout=0.2)
    with pytest.raises(StoreUnavailable):
        store.read("abc")
    with pytest.raises(StoreUnavailable):
        store.write("abc", Snapshot(), Change(session=b"x"))
    assert store.ping() is False


def test_redis_timeouts_and_retries_are_short(redis_url):
    """redis-py 8 defaults to 5 s timeouts and 10 retries: far past Twilio's 15 s budget."""
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=600, timeout=0.25)
    kwargs = store.client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.25 and kwargs["socket_connect_timeout"] == 0.25
    assert store.client.get_retry().get_retries() <= 1


def test_a_read_and_a_write_are_one_round_trip_each(redis_url, redis_sends):
    """The turn's budget is two round trips. Each is one packed send to the server."""

    store = RedisStore(redis_url, state_ttl=60, lang_ttl=600)
    save(store, "warm", replied=True)  # connect and load the scripts first
    sends = redis_sends
    sends.clear()  # from here on: the warm-up above is not counted
    seen = store.read("abc")
    assert len(sends) == 1
    assert store.write("abc", seen, Change(session=b"r1 = door|", lang="es", opt_out=False, replied=True,
                                           counts=(("v|es|sms|door", 1), ("n|es|sms", 1)))) is None
    assert len(sends) == 2  # the usage counters went in the write's one send
    assert store.stats([stats_day(time.time())])[stats_day(time.time())] == {"v|es|sms|door": 1, "n|es|sms": 1}


def test_on_a_cluster_a_read_and_a_write_are_one_exchange_each(redis_cluster_url, monkeypatch):
    """On a cluster a turn's keys live on several masters: each step sends once to each master
    it needs (all written before any reply is read), never twice to one."""
    from redis.connection import Connection

    sends = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sends.append(self.port)
        return original(self, command, check_health)

    store = RedisStore(redis_cluster_url, state_ttl=60, lang_ttl=600, cluster=True)
    save(store, "warm", replied=True, counts=(("v|en|sms|door", 1),))
    monkeypatch.setattr(Connection, "send_packed_command", counting)
    seen = store.read("abc")
    assert sends and len(sends) == len(set(sends)) <= 3
    sends.clear()
    assert store.write("abc", seen, Change(session=b"r1 = door|", replied=True, counts=(("v|en|sms|door", 1),))) is None
    assert sends and len(sends) == len(set(sends)) <= 3


# --- usage counters -------------------------------------------------------------------------


def test_counts_add_up_per_day_and_nothing_else_is_kept_with_them(store, clock):
    day = stats_day(clock.now)
    for caller in ("a", "b", "c"):
        save(store, caller, counts=(("v|es|sms|door", 1), ("n|es|sms", 1)))
    save(store, "a", counts=(("v|es|sms|door", 2), ("o|es|sms|legal", 1)))
    store.count((("o|es|voice|volunteer", 1),))
    assert store.stats([day, "19990101"]) == {day: {"v|es|sms|door": 5, "n|es|sms": 3, "o|es|sms|legal": 1,
                                                    "o|es|voice|volunteer": 1}}
    stats = line_keys(store.entries(), "hl:stats:")
    assert stats and all(k.endswith(f":{day}") for k in stats)
    assert all(STATS_TTL - 60 < ttl <= STATS_TTL for _, ttl in stats.values())  # 400 days, every shard
    assert not any("{a}" in k or "{b}" in k for k in stats)  # a counter's key names no caller


def test_counts_are_added_even_when_the_compare_and_set_refuses(store):
    """A refused write still adds its counts (on a cluster the counter is in another slot than
    the caller's script): the switchboard sends the difference on its retry."""
    first, second = store.read("abc"), store.read("abc")
    assert store.write("abc", first, Change(session=b"r1 = door|", counts=(("v|en|sms|door", 1),))) is None
    assert store.write("abc", second, Change(session=b"r2 = street|", counts=(("v|en|sms|street", 1),))) is not None
    day = stats_day(store._clock())
    assert store.stats([day])[day] == {"v|en|sms|door": 1, "v|en|sms|street": 1}


def test_a_given_day_is_kept_apart(store, clock):
    save(store, "abc", counts=(("n|-|sms", 1),), day="20261127")
    save(store, "abc", counts=(("n|-|sms", 1),))
    assert store.stats(["20261127"]) == {"20261127": {"n|-|sms": 1}}
    assert store.stats([stats_day(clock.now)]) == {stats_day(clock.now): {"n|-|sms": 1}}


def test_a_cluster_spreads_the_line_wide_keys_over_every_master(redis_cluster_url, clock):
    from redis.cluster import RedisCluster

    store = RedisStore(redis_cluster_url, state_ttl=600, lang_ttl=6000, clock=clock, window=WINDOW, cluster=True)
    for n in range(300):
        save(store, f"caller{n}", replied=True, counts=(("v|en|sms|door", 1),))
    client = RedisCluster.from_url(redis_cluster_url)
    masters = {}
    for key in client.scan_iter(match="hl:*"):
        kind = "caller" if key.startswith(b"hl:{") else key.split(b":")[1].decode()
        masters.setdefault(kind, set()).add(client.get_node_from_key(key).name)
    client.close()
    assert len(masters["load"]) == len(masters["stats"]) == len(masters["caller"]) == 3
    assert store.read("anyone").load == 300  # the shards add up
    day = stats_day(clock.now)
    assert store.stats([day]) == {day: {"v|en|sms|door": 300}}


def test_a_caller_s_keys_share_one_slot():
    from redis.crc import key_slot

    assert len({key_slot(k("p1234").encode()) for k in (state_key, lang_key, optout_key)}) == 1
    assert len({key_slot(stats_key("20261201", f"{n}").encode()) for n in range(16)}) > 1


def test_a_script_redis_lacks_is_loaded_and_nothing_else_is_done_twice(redis_url, redis_client):
    """A new release's write script is unknown to a Redis that knows the old read script: the
    write is sent again once loaded, but the reply count sent beside it is not."""
    store = RedisStore(redis_url, state_ttl=60, lang_ttl=120)
    redis_client.script_flush()
    redis_client.script_load(store._source["read"])
    save(store, "abc", replied=True, counts=(("n|-|sms", 1),))
    day = stats_day(time.time())
    assert store.read("other").load == 1
    assert store.stats([day]) == {day: {"n|-|sms": 1}}
