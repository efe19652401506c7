"""Session stores: what is kept about a caller, for how long, and how one turn reads and writes it.

The store deals in opaque bytes (the switchboard's Record) under a caller pseudonym. Per caller
p, and nothing else:

| key             | holds                                                  | lives                          |
|-----------------|--------------------------------------------------------|--------------------------------|
| `hl:{p}:s`      | the rate window and count, then the caller's Record    | HOTLINE_STATE_TTL from the last turn |
| `hl:{p}:l`      | the caller's language                                  | HOTLINE_LANG_TTL               |
| `hl:{p}:o`      | "opted out": they sent STOP                            | HOTLINE_OPTOUT_TTL             |
| `hl:load:<w>`   | replies the whole line sent in rate window w (no caller) | two windows                  |
| `hl:{p}:r`      | a report being written, sealed (hotline/reports/seal.py) | the report's draft TTL (30 min) |
| `hl:{p}:n`      | how many reports the caller sent today (a number)      | a day from the first           |
| `hl:{rep}:alerts` | the current verified alerts (no caller; hotline/reports/box.py) | until the last one ends |
| `hl:stats:<d>`  | usage counters of day d: page x language x channel, outcomes, new conversations (no caller) | 400 days |

On a Redis Cluster the two line-wide keys are sharded: `hl:load:{t}:<w>` and
`hl:stats:{t}:<d>` for a few shard tags t chosen to fall in slots spread over the whole slot
range (so over every master). A turn bumps one shard picked at random (never one derived from
the caller: a shard must not say anything about who), and a read adds them up.

The braces keep a caller's keys in one Redis Cluster hash slot, so one script can read or
write them together. Every key has a TTL: nothing piles up to be seized.

The usage counters (hotline/session/stats.py says what they count) ride on the write's round
trip: `Change.counts` is added in the same packed send, applied whether or not the
compare-and-set applies (a single-slot script cannot also touch a line-wide key on a
cluster); the switchboard sends the difference on a retry, so a turn is counted once.

One turn is two round trips, whatever happens:
- `read()`: one Lua call counts the message in the caller's rate window and returns the
  record, language and opt-out flag; the line's reply count, the caller's report draft and
  day's report count, and the current verified alerts come back in the same pipeline.
- `write()`: one Lua compare-and-set. It applies the change only if the record and the
  opt-out flag are still what `read()` saw; otherwise it changes nothing and returns what is
  there now, so the switchboard computes the turn again from the fresh state (no extra read).
  Two messages from one caller at the same moment therefore end as if they came one after
  the other. The line's reply count is bumped in the same pipeline.

Two implementations with one contract (tests/test_store_contract.py runs against both):
- RedisStore: the production store, shared by every worker process.
- MemoryStore: the embedded store (`hotline chat`, small single-process deployments).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
import threading
import time
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from hotline.core.keys import caller_key, counter_key
from hotline.errors import StoreUnavailable
# Verified alerts are for everyone, so they ride on every read (hotline/reports/alerts.py).
from hotline.reports.box import ALERTS_KEY

LOCAL = ZoneInfo("America/New_York")  # the hotline's day: a report's "Monday" is Binghamton's

DEFAULT_OPTOUT_TTL = 365 * 24 * 3600
DEFAULT_WINDOW = 60


state_key = functools.partial(caller_key, "s")
lang_key = functools.partial(caller_key, "l")
optout_key = functools.partial(caller_key, "o")
draft_key = functools.partial(caller_key, "r")  # a report being written (hotline/reports)
reports_key = functools.partial(caller_key, "n")  # how many reports today
load_key = functools.partial(counter_key, "load")  # (window, shard=None): the line's replies
stats_key = functools.partial(counter_key, "stats")  # (day, shard=None): the day's counters


STATS_TTL = 400 * 24 * 3600  # a year of reports and a little more; no counter is kept longer
LOAD_SHARDS = 8  # on a cluster: at 600 replies a minute no one shard takes more than ~1.3 a second
STATS_SHARDS = 16


def shard_tags(count: int) -> tuple[str, ...]:
    """`count` hash tags whose slots fall in `count` equal stretches of the 16384 slots.

    A cluster's masters own contiguous slot ranges, so tags spread this way land on every
    master whatever the cluster's size (up to `count` masters) instead of wherever CRC16 of
    "0", "1", ... happens to fall.
    """
    from redis.crc import key_slot

    tags = []
    for k in range(count):
        low, high = k * 16384 // count, (k + 1) * 16384 // count
        tags.append(next(f"{k}.{i}" for i in range(1_000_000) if low <= key_slot(f"{k}.{i}".encode()) < high))
    return tuple(tags)


# A caller's report count lasts a day from their first report: "a few reports a day".
REPORTS_TTL = 24 * 3600


@dataclass(frozen=True)
class Snapshot:
    """One read of what is kept about a caller."""

    session: bytes = b""  # the switchboard's Record; b"" when nothing is kept
    lang: str | None = None
    opted_out: bool = False
    count: int = 0  # this caller's reads in the current rate window (texts, call starts, a call's changes), this one included (opted out: 0)
    load: int = 0  # replies the whole line has sent in the current rate window
    draft: bytes = b""  # a report being written, sealed (never readable without the key)
    reports: int = 0  # reports this caller sent today
    alerts: bytes = b""  # the current verified alerts, as hotline/reports/alerts.py wrote them


@dataclass(frozen=True)
class Change:
    """What one turn changes. Applied whole, and only if nothing changed since the read."""

    session: bytes | None  # the new Record; None removes it (the rate count stays to the end of its window)
    lang: str | None = None  # remember this language (None: leave it as it is)
    forget_lang: bool = False
    opt_out: bool | None = None  # True: mark opted out; False: clear the mark; None: leave it
    replied: bool = False  # a reply goes out: counts toward the line's budget
    draft: bytes | None = None  # a sealed report draft to keep; b"" deletes it; None: leave it
    draft_ttl: int = 1800  # seconds the draft lives (a report's words: at most two hours)
    reported: bool = False  # a report was sent: counts toward the caller's day
    # Usage counters to add for the day (field, amount): see hotline/session/stats.py. Added
    # even when the compare-and-set refuses the change (the switchboard corrects on retry).
    counts: tuple[tuple[str, int], ...] = ()
    day: str = ""  # the day the counts belong to (YYYYMMDD, America/New_York); "" = today


class SessionStore(Protocol):
    name: str

    def read(self, caller: str) -> Snapshot:
        """Count this message and return what is kept about the caller."""

    def write(self, caller: str, seen: Snapshot, change: Change) -> Snapshot | None:
        """Apply `change` if the record and opt-out flag are still as in `seen`: then None.
        Otherwise change nothing and return a fresh Snapshot (same count and load as `seen`)."""

    def ping(self) -> bool:
        """True when the store answers."""

    def entries(self) -> dict[str, tuple[bytes, float]]:
        """Every key with its value and seconds to live: for privacy audits and tests."""

    def count(self, counts: tuple[tuple[str, int], ...], day: str = "") -> None:
        """Add usage counters outside a turn (one round trip; a turn's counts ride on write())."""

    def stats(self, days: list[str]) -> dict[str, dict[str, int]]:
        """The usage counters of these days (YYYYMMDD): {day: {field: count}}, raw, unsuppressed."""


_day_cache: tuple[int, str] = (-1, "")


def stats_day(now: float) -> str:
    """The local day (YYYYMMDD) of a Unix time: the finest time a usage counter knows."""
    global _day_cache
    minute = int(now // 60)
    if _day_cache[0] != minute:  # a day changes on a minute boundary, even across DST
        _day_cache = (minute, dt.datetime.fromtimestamp(now, LOCAL).strftime("%Y%m%d"))
    return _day_cache[1]


def render_counters(counters: dict[str, int]) -> bytes:
    """A stats hash as one value for entries(): "field=count" lines, sorted."""
    return "\n".join(f"{k}={v}" for k, v in sorted(counters.items())).encode()


def _split(value: bytes | None) -> tuple[bytes, bytes]:
    """A stored `hl:{p}:s` value -> (rate head "window,count", record). Mirrors the Lua below."""
    if not value:
        return b"", b""
    head, sep, body = value.partition(b";")
    window, comma, count = head.partition(b",")
    if sep and comma and window.isdigit() and count.isdigit():
        return head, body
    return b"", value  # a value written before rate heads existed: all of it is the record


class MemoryStore:
    """The same contract in one process: a dict with expiry times and one lock.

    Values are laid out exactly as in Redis, so `entries()` audits the same thing.
    """

    name = "embedded"

    def __init__(self, state_ttl: int, lang_ttl: int, clock=time.monotonic, *,
                 optout_ttl: int = DEFAULT_OPTOUT_TTL, window: int = DEFAULT_WINDOW, wall_clock=time.time):
        self.state_ttl, self.lang_ttl, self.optout_ttl, self.window = state_ttl, lang_ttl, optout_ttl, window
        self._clock = clock
        self._wall = wall_clock  # the day of a usage counter is a calendar day, not a monotonic one
        self._data: dict[str, tuple[bytes, float]] = {}
        self._stats: dict[str, tuple[dict[str, int], float]] = {}  # day -> (counters, expiry)
        self._lock = threading.Lock()

    def _get(self, key: str, now: float) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= now:
            del self._data[key]
            return None
        return item[0]

    def _set(self, key: str, value: bytes, ttl: float, now: float) -> None:
        self._data[key] = (value, now + ttl)

    def read(self, caller: str) -> Snapshot:
        now = self._clock()
        window = int(now // self.window)
        with self._lock:
            lang = self._get(lang_key(caller), now)
            raw = self._get(state_key(caller), now)
            head, body = _split(raw)
            load_raw = self._get(load_key(window), now)
            load = int(load_raw) if load_raw else 0
            lang_text = lang.decode() if lang else None
            extra = self._extra(caller, now)
            if self._get(optout_key(caller), now) is not None:
                return Snapshot(body, lang_text, True, 0, load, *extra)
            seen_window, _, seen_count = head.partition(b",")
            count = int(seen_count) + 1 if head and int(seen_window) == window else 1
            value = b"%d,%d;%s" % (window, count, body)
            if raw is None:
                self._set(state_key(caller), value, self.window, now)
            else:
                self._data[state_key(caller)] = (value, self._data[state_key(caller)][1])  # keep its TTL
            if len(self._data) > 10_000:  # the embedded store never grows without bound
                self._expire(now)
            return Snapshot(body, lang_text, False, count, load, *extra)

    def _extra(self, caller: str, now: float) -> tuple[bytes, int, bytes]:
        return (self._get(draft_key(caller), now) or b"", int(self._get(reports_key(caller), now) or 0),
                self._get(ALERTS_KEY, now) or b"")

    def _add(self, counts, day: str, now: float) -> None:
        if not counts:
            return
        day = day or stats_day(self._wall())
        counters, _ = self._stats.get(day, ({}, 0.0))
        for field, amount in counts:
            counters[field] = counters.get(field, 0) + amount
        self._stats[day] = (counters, now + STATS_TTL)

    def count(self, counts, day: str = "") -> None:
        with self._lock:
            self._add(counts, day, self._clock())

    def stats(self, days: list[str]) -> dict[str, dict[str, int]]:
        now = self._clock()
        with self._lock:
            return {d: dict(self._stats[d][0]) for d in days if d in self._stats and self._stats[d][1] > now}

    def write(self, caller: str, seen: Snapshot, change: Change) -> Snapshot | None:
        now = self._clock()
        with self._lock:
            self._add(change.counts, change.day, now)
            head, body = _split(self._get(state_key(caller), now))
            opted_out = self._get(optout_key(caller), now) is not None
            if body != seen.session or opted_out != seen.opted_out:
                lang = self._get(lang_key(caller), now)
                draft, reports, _ = self._extra(caller, now)
                return Snapshot(body, lang.decode() if lang else None, opted_out, seen.count, seen.load,
                                draft, reports, seen.alerts)
            head = head or b"0,0"
            if change.session is not None:
                self._set(state_key(caller), head + b";" + change.session, self.state_ttl, now)
            else:
                self._set(state_key(caller), head + b";", self.window, now)
            if change.lang:
                self._set(lang_key(caller), change.lang.encode(), self.lang_ttl, now)
            elif change.forget_lang:
                self._data.pop(lang_key(caller), None)
            if change.opt_out is True:
                self._set(optout_key(caller), b"1", self.optout_ttl, now)
            elif change.opt_out is False:
                self._data.pop(optout_key(caller), None)
            if change.draft:
                self._set(draft_key(caller), change.draft, change.draft_ttl, now)
            elif change.draft is not None:
                self._data.pop(draft_key(caller), None)
            if change.reported:
                item = self._data.get(reports_key(caller))
                if item is None or item[1] <= now:
                    self._set(reports_key(caller), b"1", REPORTS_TTL, now)
                else:
                    self._data[reports_key(caller)] = (b"%d" % (int(item[0]) + 1), item[1])
            if change.replied:
                key = load_key(int(now // self.window))
                load = self._get(key, now)
                self._set(key, str(int(load or 0) + 1).encode(), 2 * self.window, now)
            return None

    # The plain keys hotline/reports/box.py keeps beside the callers' (MemoryBox).
    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._get(key, self._clock())

    def put(self, key: str, value: bytes, ttl: float) -> None:
        with self._lock:
            self._set(key, value, ttl, self._clock())

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def _expire(self, now: float) -> None:
        for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
            del self._data[key]
        for day in [d for d, (_, expires) in self._stats.items() if expires <= now]:
            del self._stats[day]

    def ping(self) -> bool:
        return True

    def entries(self) -> dict[str, tuple[bytes, float]]:
        now = self._clock()
        with self._lock:
            self._expire(now)
            found = {k: (v, expires - now) for k, (v, expires) in self._data.items()}
            for day, (counters, expires) in self._stats.items():
                found[stats_key(day)] = (render_counters(counters), expires - now)
            return found


# KEYS: record, language, opt-out.  ARGV: window id, window seconds.
# Counts the message in the caller's rate window (unless they opted out) and returns
# {record, language, opted out 0/1, count}. A caller's first message makes a bare counter
# that lives one window; the record, once written, gives the key the state TTL.
_READ = """
local lang = redis.call('GET', KEYS[2])
local v = redis.call('GET', KEYS[1])
local body, head_window, head_count = '', nil, nil
if v then
  local w, c, b = string.match(v, '^(%d+),(%d+);(.*)$')
  if w then head_window, head_count, body = w, tonumber(c), b else body = v end
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {body, lang, 1, 0}
end
local count = 1
if head_window == ARGV[1] then count = head_count + 1 end
if v then
  redis.call('SET', KEYS[1], ARGV[1] .. ',' .. count .. ';' .. body, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[1] .. ',1;', 'EX', ARGV[2])
end
return {body, lang, 0, count}
"""

# KEYS: record, language, opt-out, report draft, report count.
# ARGV: seen record, seen opted-out (0/1), keep record (0/1), new record, state TTL,
#       language ('' = leave), language TTL, forget language (0/1),
#       opt-out ('set' / 'clear' / ''), opt-out TTL, window seconds,
#       draft ('set' / 'del' / ''), draft, draft TTL, reported (0/1), report count TTL.
# Compare-and-set: returns {1} when applied, else {0, record, language, opted out, draft, count}.
# On a single server a 6th key, the day's stats hash, may follow (ARGV 17: its TTL, then field,
# amount pairs): the counts are added first, whatever the compare says, exactly as the separate
# count script does on a cluster (where the hash is in another slot), and with no extra command.
_WRITE = """
if KEYS[6] then
  for i = 18, #ARGV, 2 do
    redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', KEYS[6], ARGV[17])
end
local v = redis.call('GET', KEYS[1])
local head, body = '', ''
if v then
  local h, b = string.match(v, '^(%d+,%d+);(.*)$')
  if h then head, body = h, b else body = v end
end
local out = redis.call('EXISTS', KEYS[3])
if body ~= ARGV[1] or tostring(out) ~= ARGV[2] then
  return {0, body, redis.call('GET', KEYS[2]), out, redis.call('GET', KEYS[4]), redis.call('GET', KEYS[5])}
end
if head == '' then head = '0,0' end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], head .. ';' .. ARGV[4], 'EX', ARGV[5])
else
  redis.call('SET', KEYS[1], head .. ';', 'EX', ARGV[11])
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[7])
elseif ARGV[8] == '1' then
  redis.call('DEL', KEYS[2])
end
if ARGV[9] == 'set' then
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[10])
elseif ARGV[9] == 'clear' then
  redis.call('DEL', KEYS[3])
end
if ARGV[12] == 'set' then
  redis.call('SET', KEYS[4], ARGV[13], 'EX', ARGV[14])
elseif ARGV[12] == 'del' then
  redis.call('DEL', KEYS[4])
end
if ARGV[15] == '1' and redis.call('INCR', KEYS[5]) == 1 then
  redis.call('EXPIRE', KEYS[5], ARGV[16])
end
return {1}
"""


# KEYS: one day's stats hash.  ARGV: TTL, then field, amount, field, amount, ...
# One command however many counters a turn adds; the hash lives STATS_TTL past its last count.
_COUNT = """
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


class RedisStore:
    """Redis, with timeouts short enough that a dead server costs milliseconds, not Twilio's 15 s.

    redis-py 8 defaults to 5 s timeouts and several retries with backoff; a webhook cannot
    wait that long, and a stateless answer beats no answer. The scripts are called by their
    SHA in the round trip's one packed write (redis-py's own Script objects would add a SCRIPT
    EXISTS round trip to every pipeline); after a server restart the first call loads them again.
    """

    name = "redis"

    def __init__(self, url: str, state_ttl: int, lang_ttl: int, timeout: float = 0.25, *,
                 optout_ttl: int = DEFAULT_OPTOUT_TTL, window: int = DEFAULT_WINDOW, clock=time.time,
                 cluster: bool = False):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = (redis.RedisError, OSError)
        self._no_script = redis.exceptions.NoScriptError
        self._response_error = redis.exceptions.ResponseError
        self._broken = (redis.ConnectionError, ConnectionError)
        self._reply_errors = (self._response_error, *self._errors)  # a failed command in a cluster pipeline
        self.state_ttl, self.lang_ttl, self.optout_ttl, self.window = state_ttl, lang_ttl, optout_ttl, window
        self._clock = clock
        self.cluster = cluster
        # One immediate retry, on a broken connection only: after a Redis restart every
        # pooled connection is dead, and the retry takes a new one. A timeout is not retried:
        # a hung server would only make the caller wait twice.
        retry = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
        if cluster:
            from redis.cluster import RedisCluster

            self.name = "redis-cluster"
            # `url` names any node; the client learns the others and the slot map from it, and
            # follows MOVED/ASK itself when slots move.
            self.client = RedisCluster.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                                retry=retry, health_check_interval=0)
            self._load_shards: tuple[str | None, ...] = shard_tags(LOAD_SHARDS)
            self._stats_shards: tuple[str | None, ...] = shard_tags(STATS_SHARDS)
            self._send = self._send_cluster
        else:
            self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                               retry=retry, health_check_interval=0)
            self._load_shards = self._stats_shards = (None,)  # one server: one key each is no hot spot
            self._send = self._send_single
        sources = (("read", _READ), ("write", _WRITE), ("count", _COUNT))
        self._sha = {name: hashlib.sha1(source.encode()).hexdigest() for name, source in sources}
        self._source = dict(sources)

    def _run(self, commands: list[tuple]) -> list:
        """Send `commands` in one exchange and read every reply: one round trip.

        Scripts Redis has lost (a restart, a flush, or a new release whose script Redis has not
        seen) are loaded again, once, and only the commands that failed for it are sent again:
        the others have already done their work (an INCR sent twice would count twice).
        """
        replies = self._send(commands)
        no_script = self._no_script
        if any(isinstance(reply, no_script) for reply in replies):
            missing = [n for n, reply in enumerate(replies) if isinstance(reply, no_script)]
            try:
                for source in self._source.values():
                    self.client.script_load(source)  # on a cluster redis-py loads it on every master
            except self._errors as exc:
                raise StoreUnavailable(type(exc).__name__) from None
            again = self._send([commands[n] for n in missing])
            for n, reply in zip(missing, again):
                if isinstance(reply, self._no_script):
                    raise StoreUnavailable("NoScriptError")
                replies[n] = reply
        for reply in replies:
            if isinstance(reply, self._reply_errors):
                raise StoreUnavailable(type(reply).__name__)
        return replies

    def _send_single(self, commands: list[tuple]) -> list:
        """One packed write and every reply read, on one server.

        What a redis-py Pipeline does, without the machinery it adds to every call (command
        stacks, retry wrappers, observability hooks): on a turn that is mostly waiting for
        Redis, that machinery was the largest part of the client's CPU. The same guarantees:
        every reply is read before the connection goes back to the pool (an error reply
        included, so the next user never reads a stale one); a connection found broken is
        reconnected and the commands sent once more (after a Redis restart every pooled
        connection is dead); a timeout is not retried (a hung server would only make the
        caller wait twice).
        """
        pool = self.client.connection_pool
        try:
            connection = pool.get_connection()
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None
        try:
            return self._exchange(connection, commands)
        except self._errors as exc:
            connection.disconnect()
            raise StoreUnavailable(type(exc).__name__) from None
        finally:
            pool.release(connection)

    def _send_cluster(self, commands: list[tuple]) -> list:
        """The same exchange on a cluster, through redis-py's ClusterPipeline.

        The pipeline groups the commands by the node owning each key's slot, writes to every
        node before reading any reply, and follows MOVED/ASK. A caller's script goes to the
        caller's node; the line-wide shards go wherever they live, in the same exchange.
        """
        try:
            pipe = self.client.pipeline(transaction=False)
            for command in commands:
                # The node is named from the client's slot map (kept up to date on MOVED): left
                # to itself, redis-py 8 asks a server for an EVALSHA's keys (COMMAND GETKEYS),
                # one more round trip before every turn.
                key = command[3] if command[0] == "EVALSHA" else command[1]
                pipe.execute_command(*command, target_nodes=self.client.get_node_from_key(key))
            return pipe.execute(raise_on_error=False)
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None

    def _exchange(self, connection, commands: list[tuple]) -> list:
        packed = connection.pack_commands(commands)
        try:
            return self._send_and_read(connection, packed, len(commands))
        except self._broken:
            connection.disconnect()  # reconnects on the next send
            return self._send_and_read(connection, packed, len(commands))

    def _send_and_read(self, connection, packed, count: int) -> list:
        connection.send_packed_command(packed, check_health=False)
        replies = []
        for _ in range(count):
            try:
                replies.append(connection.read_response())
            except self._response_error as exc:  # an error reply; the ones after it are still read
                replies.append(exc)
        return replies

    def _keys(self, caller: str) -> tuple[str, str, str]:
        return state_key(caller), lang_key(caller), optout_key(caller)

    def _report_keys(self, caller: str) -> tuple[str, str]:
        return draft_key(caller), reports_key(caller)

    def read(self, caller: str) -> Snapshot:
        window = int(self._clock() // self.window)
        script = ("EVALSHA", self._sha["read"], 3, *self._keys(caller), window, self.window)
        # The caller's report draft and day's count share the caller's slot; the alerts have their
        # own (on a cluster the pipeline sends each to its node in the same exchange).
        reports = ("MGET", *self._report_keys(caller))
        alerts = ("GET", ALERTS_KEY)
        if self.cluster:
            replies = self._run([script, reports, alerts,
                                 *(("GET", load_key(window, shard)) for shard in self._load_shards)])
            load = sum(int(reply or 0) for reply in replies[3:])
        else:  # the hot path of a single server: no shards to add up
            replies = self._run([script, reports, alerts, ("GET", load_key(window))])
            load = int(replies[3] or 0)
        (body, lang, opted_out, count), (draft, reported), alerts_value = replies[0], replies[1], replies[2]
        return Snapshot(body or b"", lang.decode() if lang else None, bool(opted_out), int(count), load,
                        draft or b"", int(reported or 0), alerts_value or b"")

    def _count_command(self, counts, day: str) -> tuple:
        key = stats_key(day or stats_day(self._clock()), random.choice(self._stats_shards))
        return ("EVALSHA", self._sha["count"], 1, key, STATS_TTL, *(x for pair in counts for x in pair))

    def count(self, counts, day: str = "") -> None:
        if counts:
            self._run([self._count_command(counts, day)])

    def stats(self, days: list[str]) -> dict[str, dict[str, int]]:
        keys = [(day, stats_key(day, shard)) for day in days for shard in self._stats_shards]
        try:
            pipe = self.client.pipeline(transaction=False)
            for _, key in keys:
                pipe.hgetall(key)
            replies = pipe.execute()
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None
        found: dict[str, dict[str, int]] = {}
        for (day, _), counters in zip(keys, replies):
            for field, value in counters.items():
                into = found.setdefault(day, {})
                into[field.decode()] = into.get(field.decode(), 0) + int(value)
        return found

    def write(self, caller: str, seen: Snapshot, change: Change) -> Snapshot | None:
        opt_out = {True: "set", False: "clear", None: ""}[change.opt_out]
        window = int(self._clock() // self.window)
        args = (seen.session, int(seen.opted_out), int(change.session is not None), change.session or b"",
                self.state_ttl, change.lang or "", self.lang_ttl, int(change.forget_lang),
                opt_out, self.optout_ttl, self.window,
                "" if change.draft is None else "set" if change.draft else "del", change.draft or b"",
                change.draft_ttl, int(change.reported), REPORTS_TTL)
        keys = (*self._keys(caller), *self._report_keys(caller))
        counted = change.counts and not self.cluster
        if counted:  # one server: the counts ride in the write script itself
            day_key = stats_key(change.day or stats_day(self._clock()))
            commands: list[tuple] = [("EVALSHA", self._sha["write"], 6, *keys, day_key, *args,
                                      STATS_TTL, *(x for pair in change.counts for x in pair))]
        else:
            commands = [("EVALSHA", self._sha["write"], 5, *keys, *args)]
        if change.replied:
            key = load_key(window, random.choice(self._load_shards)) if self.cluster else load_key(window)
            commands += [("SET", key, 0, "EX", 2 * self.window, "NX"), ("INCR", key)]
        if change.counts and not counted:
            commands.append(self._count_command(change.counts, change.day))
        result = self._run(commands)[0]
        if result[0] == 1:
            return None
        _, body, lang, opted_out, draft, reports = result
        return Snapshot(body or b"", lang.decode() if lang else None, bool(opted_out), seen.count, seen.load,
                        draft or b"", int(reports or 0), seen.alerts)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except self._errors:
            return False

    def entries(self) -> dict[str, tuple[bytes, float]]:
        found = {}
        for key in self.client.scan_iter(match="hl:*", count=500):
            if self.client.type(key) == b"hash":
                counters = {f.decode(): int(v) for f, v in self.client.hgetall(key).items()}
                value = render_counters(counters)
            else:
                value = self.client.get(key)
            found[key.decode()] = (value, self.client.pttl(key) / 1000)
        return found
