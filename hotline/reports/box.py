"""What is kept of a report, where, and for how long. Nothing here knows who reported.

| key                     | holds                                                       | lives |
|-------------------------|-------------------------------------------------------------|-------|
| `hl:{rep}:<code>`       | status (open, verified, false), when, the reporter's language, each responder's CONFIRM words (by a keyed id, never a number) | HOTLINE_ALERT_HOURS |
| `hl:{rep}:<code>:w`     | the report's words, sealed (seal.py), until the responders have them | at most 2 hours; deleted once sent |
| `hl:{rep}:relays:<w>`   | how many reports were relayed in ten-minute window w         | two windows |
| `hl:{rep}:pending`      | codes waiting for the next digest                            | two hours |
| `hl:{rep}:digest`       | "a digest is on its way"                                     | the digest's wait |
| `hl:{rep}:alerts`       | the verified alerts, as alerts.py reads them on every turn   | until the last one ends |

The `{rep}` hash tag keeps them in one Redis Cluster slot, so one script can verify a report
and publish its alert together. Two implementations, one behaviour: RedisBox (Lua, atomic
under many web workers) and MemoryBox (the embedded store, one lock).
"""
from __future__ import annotations

import json
import threading
from typing import Protocol

from hotline.core.keys import key, tag
from hotline.reports import alerts as alert_list

REPORTS = tag("rep")  # every key of the report loop in one slot: its scripts touch several
ALERTS_KEY = key(REPORTS, "alerts")
PENDING_KEY = key(REPORTS, "pending")
DIGEST_KEY = key(REPORTS, "digest")
RELAY_WINDOW = 600
# A report's words are held only until responders have them; never longer than this.
WORDS_TTL = 2 * 3600
# A report being written lives this long between two answers (then it is gone, unsent).
DRAFT_TTL = 30 * 60
OPEN, VERIFIED, FALSE, UNKNOWN = "open", "verified", "false", "unknown"


def report_key(code: str) -> str:
    return key(REPORTS, code)


def words_key(code: str) -> str:
    return key(REPORTS, code, "w")


def relays_key(window: int) -> str:
    return key(REPORTS, "relays", window)


class Box(Protocol):
    def create(self, code: str, lang: str, at: float, ttl: int) -> bool:
        """Open a report under a new code; False if the code is taken."""

    def put_words(self, code: str, sealed: bytes, ttl: int) -> None: ...

    def words(self, code: str) -> bytes | None: ...

    def drop_words(self, code: str) -> None: ...

    def info(self, code: str) -> dict[str, str]:
        """The report's record ({} when there is none)."""

    def confirm(self, code: str, responder: str, description: str, needed: int, now: float,
                ttl: int) -> tuple[str, int]:
        """Record one responder's CONFIRM: (status afterwards, confirmations so far)."""

    def refute(self, code: str, now: float) -> str:
        """FALSE: close the report (and take down its alert). Returns the status it had."""

    def count_relay(self, now: float) -> int:
        """Count one relay in this ten-minute window; returns the count."""

    def pend(self, code: str, ttl: int) -> None: ...

    def take_pending(self) -> list[str]: ...

    def claim_digest(self, seconds: int) -> bool:
        """True for the one caller that should schedule the next digest."""


# KEYS: report. ARGV: lang, at, ttl.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'open', 'lang', ARGV[1], 'at', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

# KEYS: report, alerts. ARGV: responder id, description, needed, now, alert ttl, code.
# Returns {status, confirmations}. Verifying publishes the alert in the same script.
_CONFIRM = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'unknown', 0} end
if status ~= 'open' then return {status, 0} end
redis.call('HSET', KEYS[1], 'c:' .. ARGV[1], ARGV[2])
local n, description = 0, ARGV[2]
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'c:' then
    n = n + 1
    if description == '' then description = all[i + 1] end
  end
end
if n < tonumber(ARGV[3]) then return {'open', n} end
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'status', 'verified', 'verified', ARGV[4])
redis.call('EXPIRE', KEYS[1], ttl)
local kept = {}
local raw = redis.call('GET', KEYS[2])
if raw then
  for _, alert in ipairs(cjson.decode(raw)) do
    if tonumber(alert[3]) > now and alert[1] ~= ARGV[6] then table.insert(kept, alert) end
  end
end
table.insert(kept, {ARGV[6], now, now + ttl, description})
local last = now
for _, alert in ipairs(kept) do if tonumber(alert[3]) > last then last = tonumber(alert[3]) end end
redis.call('SET', KEYS[2], cjson.encode(kept), 'EX', math.ceil(last - now))
return {'verified', n}
"""

# KEYS: report, alerts. ARGV: code, now. Returns the status the report had.
_REFUTE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
redis.call('HSET', KEYS[1], 'status', 'false')
local raw = redis.call('GET', KEYS[2])
if raw then
  local kept, last, now = {}, tonumber(ARGV[2]), tonumber(ARGV[2])
  for _, alert in ipairs(cjson.decode(raw)) do
    if alert[1] ~= ARGV[1] and tonumber(alert[3]) > now then
      table.insert(kept, alert)
      if tonumber(alert[3]) > last then last = tonumber(alert[3]) end
    end
  end
  if #kept == 0 then redis.call('DEL', KEYS[2])
  else redis.call('SET', KEYS[2], cjson.encode(kept), 'EX', math.ceil(last - now)) end
end
return status
"""


class RedisBox:
    def __init__(self, client):
        self.client = client
        self._create = client.register_script(_CREATE)
        self._confirm = client.register_script(_CONFIRM)
        self._refute = client.register_script(_REFUTE)

    def create(self, code: str, lang: str, at: float, ttl: int) -> bool:
        return bool(self._create(keys=[report_key(code)], args=[lang, int(at), ttl]))

    def put_words(self, code: str, sealed: bytes, ttl: int) -> None:
        self.client.set(words_key(code), sealed, ex=ttl)

    def words(self, code: str) -> bytes | None:
        return self.client.get(words_key(code))

    def drop_words(self, code: str) -> None:
        self.client.delete(words_key(code))

    def info(self, code: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(report_key(code)).items()}

    def confirm(self, code, responder, description, needed, now, ttl):
        status, count = self._confirm(keys=[report_key(code), ALERTS_KEY],
                                      args=[responder, description, needed, int(now), ttl, code])
        return status.decode(), int(count)

    def refute(self, code: str, now: float) -> str:
        return self._refute(keys=[report_key(code), ALERTS_KEY], args=[code, int(now)]).decode()

    def count_relay(self, now: float) -> int:
        key = relays_key(int(now // RELAY_WINDOW))
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 2 * RELAY_WINDOW)
        return int(pipe.execute()[0])

    def pend(self, code: str, ttl: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.rpush(PENDING_KEY, code)
        pipe.expire(PENDING_KEY, ttl)
        pipe.execute()

    def take_pending(self) -> list[str]:
        pipe = self.client.pipeline(transaction=True)
        pipe.lrange(PENDING_KEY, 0, -1)
        pipe.delete(PENDING_KEY)
        return [c.decode() for c in pipe.execute()[0]]

    def claim_digest(self, seconds: int) -> bool:
        return bool(self.client.set(DIGEST_KEY, b"1", nx=True, ex=seconds))


class KeyValue(Protocol):
    """What MemoryBox needs of the embedded store: the same keys, TTLs and audit as Redis."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes, ttl: float) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryBox:
    """The same, on the embedded store's dict (so its `entries()` audit sees these keys too)."""

    def __init__(self, kv: KeyValue):
        self.kv = kv
        self._lock = threading.Lock()

    def _record(self, code: str) -> dict:
        raw = self.kv.get(report_key(code))
        return json.loads(raw) if raw else {}

    def _save(self, code: str, record: dict, ttl: float) -> None:
        self.kv.put(report_key(code), json.dumps(record).encode(), ttl)

    def create(self, code, lang, at, ttl):
        with self._lock:
            if self.kv.get(report_key(code)) is not None:
                return False
            self._save(code, {"status": OPEN, "lang": lang, "at": str(int(at)), "_ttl": ttl, "_until": at + ttl}, ttl)
            return True

    def put_words(self, code, sealed, ttl):
        self.kv.put(words_key(code), sealed, ttl)

    def words(self, code):
        return self.kv.get(words_key(code))

    def drop_words(self, code):
        self.kv.delete(words_key(code))

    def info(self, code):
        return {k: v for k, v in self._record(code).items() if not k.startswith("_")}

    def confirm(self, code, responder, description, needed, now, ttl):
        with self._lock:
            record = self._record(code)
            if not record:
                return UNKNOWN, 0
            if record["status"] != OPEN:
                return record["status"], 0
            record["c:" + responder] = description
            said = [v for k, v in record.items() if k.startswith("c:")]
            if len(said) < needed:
                self._save(code, record, max(1.0, record["_until"] - now))
                return OPEN, len(said)
            record.update(status=VERIFIED, verified=str(int(now)), _until=now + ttl)
            self._save(code, record, ttl)
            current = [a for a in alert_list.decode(self.kv.get(ALERTS_KEY)) if a[2] > now and a[0] != code]
            current.append([code, int(now), int(now) + ttl, description or next((s for s in said if s), "")])
            self._publish(current, now)
            return VERIFIED, len(said)

    def refute(self, code, now):
        with self._lock:
            record = self._record(code)
            if not record:
                return UNKNOWN
            was = record["status"]
            record["status"] = FALSE
            self._save(code, record, max(1.0, record["_until"] - now))
            self._publish([a for a in alert_list.decode(self.kv.get(ALERTS_KEY)) if a[2] > now and a[0] != code], now)
            return was

    def _publish(self, current: list, now: float) -> None:
        if current:
            self.kv.put(ALERTS_KEY, json.dumps(current, separators=(",", ":")).encode(), max(a[2] for a in current) - now)
        else:
            self.kv.delete(ALERTS_KEY)

    def count_relay(self, now):
        key = relays_key(int(now // RELAY_WINDOW))
        with self._lock:
            count = int(self.kv.get(key) or 0) + 1
            self.kv.put(key, str(count).encode(), 2 * RELAY_WINDOW)
            return count

    def pend(self, code, ttl):
        with self._lock:
            codes = json.loads(self.kv.get(PENDING_KEY) or b"[]") + [code]
            self.kv.put(PENDING_KEY, json.dumps(codes).encode(), ttl)

    def take_pending(self):
        with self._lock:
            codes = json.loads(self.kv.get(PENDING_KEY) or b"[]")
            self.kv.delete(PENDING_KEY)
            return codes

    def claim_digest(self, seconds):
        with self._lock:
            if self.kv.get(DIGEST_KEY) is not None:
                return False
            self.kv.put(DIGEST_KEY, b"1", seconds)
            return True
