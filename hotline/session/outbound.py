"""The one way a text message leaves the hotline: a guard, then a queue, then a sender.

The webhooks answer Twilio; sending a text is the one thing the hotline starts itself, and
it costs money and reaches a phone the hotline did not choose to be called from. Caller ID is
spoofable, so "text the number that called" is, unguarded, a way to make the hotline text a
stranger about immigration, or to pump texts to premium-rate numbers (toll fraud). Every
feature that sends a text goes through `Outbound.send`, and so inherits the guard.

Public API (for the phone line, verified reports, volunteer notices; nothing else is public):

    outbound: Outbound = current_app.extensions["hotline_outbound"]   # built by create_app
    decision = outbound.send(to, body, Purpose.CALLER_TEXT_OFFER)
    if decision.ok: ...          # queued (or, in tests, sent)
    else: decision.reason        # a Refusal value, safe to log: never the number or the body

    outbound.allow_staff(Purpose.RESPONDER_RELAY, numbers)   # at start-up: who staff sends may reach
    outbound.can_text_caller(number)   # worth offering a text? (shape only; the full guard runs at send)

Purposes and their rules (the guard, `Outbound.check`):

| purpose                  | to whom                          | rules |
|--------------------------|----------------------------------|-------|
| CALLER_TEXT_OFFER        | the caller, at the number of the request being answered | caller rules |
| CALLER_NOTICE            | the same (a later feature's text to a caller) | caller rules |
| VOLUNTEER_NOTICE         | a volunteer                      | staff rules |
| RESPONDER_RELAY          | a responder on shift             | staff rules |

- caller rules: an ordinary North American number (US or Canada by `phonenumbers`: a valid
  fixed-line or mobile number, not toll-free, premium-rate, shared-cost or personal), not a
  withheld-caller placeholder, not international; never after STOP (the number's opt-out mark
  in the session store); at most one text per caller per day (`hl:{p}:t`, 24 h); and each one
  counts against the line's reply budget (HOTLINE_LINE_LIMIT per window), refused past it.
  `to` must be the `From` of the request being answered: the guard cannot know otherwise, so
  no caller purpose ever takes a number from anywhere else.
  The day's one text is shared by every caller purpose.
- staff rules: `to` is in the numbers configured for that purpose (`allow_staff`), nothing else
  (create_app registers HOTLINE_VOLUNTEER_NUMBERS for VOLUNTEER_NOTICE; a feature that relays
  to responders registers theirs at start-up). Staff texts are not counted against the line's
  budget: their volume is the sending feature's to bound (a digest, not a flood).
- the store does not answer: refused (no send without knowing about STOP and the limits). A
  text the queue then refuses gives the day's mark back.

After the guard, the message goes on a queue; a sender hands it to Twilio:

- RQ on the same Redis (production): `hotline worker` (Procfile `worker:`) runs the jobs. A
  job holds only a Fernet token (key derived from HOTLINE_SECRET_KEY) of number + body, lives
  at most JOB_TTL unstarted, is deleted on success (result_ttl 0) and kept FAILURE_TTL after
  its last failure. Sends are retried with backoff (RETRY_INTERVALS); a refusal by Twilio that
  cannot change (unsubscribed, invalid number...) is not retried. HOTLINE_SEND_RATE messages
  per second per sending number, shared by every worker through one Redis counter.
  What RQ keeps besides the job: the queue's name in `rq:queues`, worker registrations that
  expire, registries of job ids; no number, no body. The send-rate counter `hl:rate:<s>`
  lives two seconds and holds a count.
- a background thread of the process, with the embedded store (`hotline serve --dev`).
- directly in the request: only when a test injects its own sender.

Senders: Twilio's Messages API; HOTLINE_OUTBOX=DIR (development only) writes one JSON file
per message instead; tests bring a fake. Failures are logged by exception type (and Twilio's
error code) only. An optional Twilio Lookup line-type check (HOTLINE_LOOKUP=1, it costs money
per number) refuses, before a caller text, numbers that are not mobile or VoIP.
"""
from __future__ import annotations

import base64
import enum
import functools
import json
import logging
import queue as queue_module
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Protocol

from hotline.channels.sms import plain, split
from hotline.core import keys
from hotline.errors import SendFailed, StoreUnavailable, Undeliverable
from hotline.session import metrics
from hotline.session.callers import canonical_number, pseudonym, withheld
from hotline.session.store import load_key, optout_key

log = logging.getLogger(__name__)
# A caller may be waiting on the line while a direct send runs: give up well inside Twilio's 15 s.
SEND_TIMEOUT = 5.0
QUEUE_NAME = "hotline-outbound"
JOB_TTL = 15 * 60  # a text nobody could send within 15 minutes is stale: dropped, not sent late
FAILURE_TTL = 60 * 60  # a failed job (its token, the error type) is kept an hour for the operator
RETRY_INTERVALS = (10, 60, 300)  # seconds before the 2nd, 3rd and 4th try
DAY = 24 * 3600
# phonenumbers' number types an ordinary person's phone has.
_ORDINARY = {"FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE"}
REGIONS = frozenset({"US", "CA"})  # North America, without the Caribbean's +1 (a pumping classic)


class Audience(enum.Enum):
    CALLER = "caller"
    STAFF = "staff"


class Purpose(enum.Enum):
    """Why a message is sent; decides whom it may go to (see the module's table)."""

    CALLER_TEXT_OFFER = ("caller_text_offer", Audience.CALLER)
    CALLER_NOTICE = ("caller_notice", Audience.CALLER)
    VOLUNTEER_NOTICE = ("volunteer_notice", Audience.STAFF)
    RESPONDER_RELAY = ("responder_relay", Audience.STAFF)

    def __init__(self, label: str, audience: Audience):
        self.label = label
        self.audience = audience


class Refusal(str, enum.Enum):
    """Why the guard said no. The values are safe to log and to count."""

    WITHHELD = "withheld"  # no number, or a withheld-caller placeholder
    NOT_A_NUMBER = "not_a_number"
    NOT_NORTH_AMERICAN = "not_north_american"  # international, or the Caribbean's +1
    NOT_ORDINARY = "not_ordinary"  # toll-free, premium-rate, shared-cost, personal, pager...
    OPTED_OUT = "opted_out"  # the number sent STOP
    ALREADY_TEXTED = "already_texted_today"
    LINE_BUSY = "line_busy"  # the line's reply budget for this window is spent
    NOT_STAFF = "not_staff"  # not among the numbers configured for this purpose
    STORE_UNAVAILABLE = "store_unavailable"
    NO_SENDER = "no_sender"  # nothing configured that can send
    SEND_FAILED = "send_failed"  # direct sending only: the sender raised


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: Refusal | None = None

    def __bool__(self) -> bool:
        return self.ok


SENT = Decision(True)


@dataclass(frozen=True)
class Message:
    to: str
    body: str
    purpose: Purpose
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def number_refusal(number: str) -> Refusal | None:
    """None when `number` is an ordinary North American phone a text may go to; else why not."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    if withheld(number):
        return Refusal.WITHHELD
    digits = canonical_number(number)
    if not digits.startswith("+"):
        return Refusal.NOT_A_NUMBER
    try:
        parsed = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException:
        return Refusal.NOT_A_NUMBER
    if parsed.country_code != 1:
        return Refusal.NOT_NORTH_AMERICAN
    if not phonenumbers.is_valid_number(parsed):
        return Refusal.NOT_A_NUMBER
    if phonenumbers.region_code_for_number(parsed) not in REGIONS:
        return Refusal.NOT_NORTH_AMERICAN
    kind = phonenumbers.number_type(parsed)
    names = {getattr(PhoneNumberType, name) for name in _ORDINARY}
    if kind not in names:
        return Refusal.NOT_ORDINARY
    return None


# --- the ledger: STOP, once a day, the line's budget -------------------------------------


# The session store's opt-out mark and the line's reply count are read here, never written;
# "texted today" is the guard's own: "1", for 24 hours.
texted_key = functools.partial(keys.caller_key, "t")


class Ledger(Protocol):
    def claim(self, caller: str, line_limit: int) -> Refusal | None:
        """Check STOP, today's text and the line's budget; if all allow, record this text."""

    def release(self, caller: str) -> None:
        """The claimed text could not be queued after all: today's mark goes (best effort)."""


# KEYS: opt-out, texted-today. ARGV: seconds the mark lives. One hash slot (the caller's).
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'opted_out' end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 'ok' end
return 'already_texted_today'
"""


class RedisLedger:
    """The ledger on the session Redis: the same opt-out marks and line counter as the store.

    On a Redis Cluster (HOTLINE_REDIS_CLUSTER=1) the caller's two keys share the caller's slot
    as in the store, and the line's reply count is the store's sharded one: read as the sum of
    its shards, bumped in one shard picked at random (hotline/session/store.py).
    """

    def __init__(self, url: str, timeout: float, window: int, clock: Callable[[], float] = time.time,
                 cluster: bool = False):
        import redis

        self._errors = (redis.RedisError, OSError)
        self.window, self._clock, self.cluster = window, clock, cluster
        if cluster:
            from redis.cluster import RedisCluster

            from hotline.session.store import LOAD_SHARDS, shard_tags

            self.client = RedisCluster.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            self._shards: tuple[str, ...] = shard_tags(LOAD_SHARDS)
        else:
            self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            self._shards = ()

    def _load_keys(self, window: int) -> list[str]:
        if not self._shards:
            return [load_key(window)]
        return [load_key(window, shard) for shard in self._shards]

    def claim(self, caller: str, line_limit: int) -> Refusal | None:
        import random

        window = int(self._clock() // self.window)
        try:
            keys = self._load_keys(window)
            if len(keys) == 1:
                load = int(self.client.get(keys[0]) or 0)
            else:
                pipe = self.client.pipeline(transaction=False)
                for key in keys:
                    pipe.get(key)
                load = sum(int(value or 0) for value in pipe.execute())
            if load >= line_limit:
                return Refusal.LINE_BUSY
            said = self.client.eval(_CLAIM, 2, optout_key(caller), texted_key(caller), DAY)
            if said != b"ok":
                return Refusal(said.decode())
            bumped = random.choice(keys)
            pipe = self.client.pipeline(transaction=False)
            pipe.set(bumped, 0, ex=2 * self.window, nx=True)
            pipe.incr(bumped)
            pipe.execute()
        except self._errors as exc:
            raise StoreUnavailable(type(exc).__name__) from None
        return None

    def release(self, caller: str) -> None:
        try:
            self.client.delete(texted_key(caller))
        except self._errors:
            pass  # the mark expires in a day anyway


class MemoryLedger:
    """The ledger beside the embedded store (one process): its own marks, the store's opt-outs.

    The embedded store is small (trials, `hotline serve --dev`) and a send is rare, so its
    public audit view (`entries()`) is read for the opt-out mark and the line's count.
    """

    def __init__(self, store, window: int, clock: Callable[[], float] = time.monotonic):
        self.store, self.window, self._clock = store, window, clock
        self._texted: dict[str, float] = {}
        self._sends: list[float] = []  # this ledger's own texts, counted with the store's replies
        self._lock = threading.Lock()

    def claim(self, caller: str, line_limit: int) -> Refusal | None:
        now = self._clock()
        entries = self.store.entries()
        if optout_key(caller) in entries:
            return Refusal.OPTED_OUT
        with self._lock:
            self._texted = {k: t for k, t in self._texted.items() if t > now}
            if caller in self._texted:
                return Refusal.ALREADY_TEXTED
            load = entries.get(load_key(int(now // self.window)), (b"0", 0))[0]
            if int(load or 0) + self._sent_this_window(now) >= line_limit:
                return Refusal.LINE_BUSY
            self._texted[caller] = now + DAY
            self._sends.append(now)
        return None

    def release(self, caller: str) -> None:
        with self._lock:
            self._texted.pop(caller, None)

    def _sent_this_window(self, now: float) -> int:
        window = int(now // self.window)
        self._sends = [t for t in self._sends if int(t // self.window) == window]
        return len(self._sends)


# --- senders ----------------------------------------------------------------------------


class TextSender(Protocol):
    def send(self, to: str, body: str) -> None:
        """Send `body` to `to`; raise SendFailed (Undeliverable: never retry) if it cannot."""


# Twilio errors a retry cannot fix: unsubscribed (21610), not a valid or mobile number (21211,
# 21614), region not enabled by Geo Permissions (21408), blocked as fraud (30450, 21612).
PERMANENT = frozenset({21211, 21408, 21610, 21612, 21614, 30450, 30006, 30007})
# Twilio Lookup line types a text may go to (landlines, toll-free, premium, pagers: no).
TEXTABLE_LINES = frozenset({"mobile", "fixedVoip", "nonFixedVoip"})


class TwilioTextSender:
    """Sends through Twilio's Messages API, from the hotline's own number."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, http_client=None, lookup: bool = False):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if http_client is None:
            # A logger of our own at WARNING: the client's INFO lines name the request URL
            # and headers, and nothing about a message belongs in our logs.
            quiet = logging.getLogger("hotline.twilio_rest")
            quiet.setLevel(logging.WARNING)
            http_client = TwilioHttpClient(timeout=SEND_TIMEOUT, logger=quiet)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.lookup = lookup

    def line_type(self, to: str) -> str | None:
        """Twilio Lookup's line type for `to` (a paid request; only with HOTLINE_LOOKUP=1)."""
        found = self.client.lookups.v2.phone_numbers(to).fetch(fields="line_type_intelligence")
        return (found.line_type_intelligence or {}).get("type")

    def send(self, to: str, body: str, check_line: bool = False) -> None:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            if check_line and self.lookup and self.line_type(to) not in TEXTABLE_LINES:
                log.warning("text message not sent: Lookup line type not textable")
                raise Undeliverable("line type") from None
            for chunk in split(plain(body)):
                self.client.messages.create(to=to, from_=self.from_number, body=chunk)
        except TwilioRestException as exc:
            log.warning("text message not sent: TwilioRestException %s", exc.code)
            kind = Undeliverable if exc.code in PERMANENT else SendFailed
            raise kind(f"TwilioRestException {exc.code}") from None
        except (TwilioException, OSError) as exc:
            log.warning("text message not sent: %s", type(exc).__name__)
            raise SendFailed(type(exc).__name__) from None


class OutboxSender:
    """Development only (HOTLINE_OUTBOX=DIR): each message becomes a JSON file, nothing is sent."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, to: str, body: str, purpose: str = "", check_line: bool = False) -> None:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        record = {"to": to, "body": body, "purpose": purpose, "segments": split(plain(body))}
        temporary = self.folder / f".{name}"
        temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        temporary.replace(self.folder / name)  # a reader never sees half a file


def _deliver_with(sender: TextSender, message: Message) -> None:
    kwargs = {}
    if isinstance(sender, (TwilioTextSender, OutboxSender)):
        kwargs["check_line"] = message.purpose.audience is Audience.CALLER
    if isinstance(sender, OutboxSender):
        kwargs["purpose"] = message.purpose.label
    try:
        sender.send(message.to, message.body, **kwargs)
    except Exception:
        metrics.outbound(False)  # /metrics: hotline_outbound_messages_total{result="failed"}
        raise
    metrics.outbound(True)


# --- the send rate ------------------------------------------------------------------------


def segments(body: str) -> int:
    return len(split(plain(body))) or 1


class LocalRate:
    """HOTLINE_SEND_RATE messages a second, in one process (the background-thread queue)."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.gap, self._clock, self._sleep = 1.0 / rate, clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, count: int = 1) -> None:
        for _ in range(count):
            with self._lock:
                now = self._clock()
                start = max(now, self._next)
                self._next = start + self.gap
            if start > now:
                self._sleep(start - now)


class RedisRate:
    """HOTLINE_SEND_RATE messages a second from the sending number, across every worker: one
    counter per second in Redis (a key that lives two seconds, holding a count)."""

    def __init__(self, client, rate: float, clock=time.time, sleep=time.sleep):
        self.client, self.rate, self._clock, self._sleep = client, rate, clock, sleep

    def wait(self, count: int = 1) -> None:
        per_second = max(1, int(self.rate))
        gap = 1.0 / self.rate if self.rate < 1 else 0.0
        for _ in range(count):
            while True:
                now = self._clock()
                slot = int(now) if not gap else int(now / gap)
                counter = keys.key("rate", slot)
                pipe = self.client.pipeline(transaction=False)
                pipe.incr(counter)
                pipe.expire(counter, 2 + int(gap))
                taken = pipe.execute()[0]
                if taken <= per_second:
                    break
                step = gap or 1.0
                self._sleep(max(0.01, (slot + 1) * step - now))


# --- queues -----------------------------------------------------------------------------


class DirectQueue:
    """Sends in the request: tests with their own sender (a real deployment queues)."""

    def __init__(self, sender: TextSender):
        self.sender = sender

    def put(self, message: Message) -> Decision:
        try:
            _deliver_with(self.sender, message)
        except SendFailed:
            return Decision(False, Refusal.SEND_FAILED)
        return SENT


class ThreadQueue:
    """A background thread of this process sends (the embedded store: no Redis, no worker).

    Retries with the same backoff as the RQ queue; the pending messages are in memory only and
    are gone if the process stops.
    """

    def __init__(self, sender: TextSender, rate: float, intervals: tuple[float, ...] = RETRY_INTERVALS,
                 sleep=time.sleep):
        self.sender, self.intervals, self._sleep = sender, intervals, sleep
        self.rate = LocalRate(rate, sleep=sleep)
        self._queue: queue_module.Queue = queue_module.Queue(maxsize=1000)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, message: Message) -> Decision:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="hotline-outbound", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((message, 0, time.monotonic()))
        except queue_module.Full:
            return Decision(False, Refusal.LINE_BUSY)
        return SENT

    def join(self) -> None:
        """Wait until every message put so far was sent or given up (tests)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            message, tries, queued = self._queue.get()
            try:
                if time.monotonic() - queued > JOB_TTL:
                    log.warning("text message dropped: not sent within %d s", JOB_TTL)
                    continue
                self.rate.wait(segments(message.body))
                _deliver_with(self.sender, message)
            except Undeliverable:
                pass  # logged by the sender; a retry cannot help
            except Exception as exc:  # noqa: BLE001 - the thread must live; the type is enough
                if tries < len(self.intervals):
                    log.warning("text message not sent (%s): retry %d in %s s", type(exc).__name__, tries + 1,
                                self.intervals[tries])
                    threading.Timer(self.intervals[tries], self._requeue, (message, tries + 1, queued)).start()
                else:
                    log.warning("text message given up after %d tries (%s)", tries + 1, type(exc).__name__)
            finally:
                self._queue.task_done()

    def _requeue(self, message: Message, tries: int, queued: float) -> None:
        try:
            self._queue.put_nowait((message, tries, queued))
        except queue_module.Full:
            log.warning("text message dropped: the outbound queue is full")


def fernet_for(secret: bytes):
    """The queue's cipher: a Fernet key derived from HOTLINE_SECRET_KEY (HKDF-SHA256), so a
    copy of Redis holds no number and no body in the clear, and the key never leaves the app."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline outbound queue v1").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(fernet, message: Message) -> bytes:
    payload = {"to": message.to, "body": message.body, "purpose": message.purpose.name, "id": message.id}
    return fernet.encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def unseal(fernet, token: bytes) -> Message:
    payload = json.loads(fernet.decrypt(token, ttl=JOB_TTL + sum(RETRY_INTERVALS) + 60))
    return Message(payload["to"], payload["body"], Purpose[payload["purpose"]], payload["id"])


class RQQueue:
    """Jobs on the session Redis for `hotline worker`: a token, short TTLs, retries with backoff."""

    def __init__(self, url: str, secret: bytes, timeout: float, name: str = QUEUE_NAME):
        import redis
        from rq import Queue

        self._errors = (redis.RedisError, OSError)
        self.connection = redis.Redis.from_url(url, socket_timeout=max(timeout, 0.5),
                                               socket_connect_timeout=max(timeout, 0.5))
        self.queue = Queue(name, connection=self.connection)
        self.fernet = fernet_for(secret)

    def put(self, message: Message) -> Decision:
        from rq import Retry

        try:
            self.queue.enqueue_call(
                deliver, args=(seal(self.fernet, message),), description="outbound text",
                ttl=JOB_TTL, result_ttl=0, failure_ttl=FAILURE_TTL, job_id=message.id,
                retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)))
        except self._errors as exc:
            log.warning("text message not queued: %s", type(exc).__name__)
            return Decision(False, Refusal.STORE_UNAVAILABLE)
        return SENT


@dataclass
class WorkerContext:
    """What the job function needs in a worker process: set by `hotline worker` (or a test)."""

    sender: TextSender
    fernet: object
    rate: object


_worker: WorkerContext | None = None


def set_worker(context: WorkerContext | None) -> None:
    global _worker
    _worker = context


def deliver(token: bytes) -> None:
    """The RQ job: open the token, wait for the send rate, send. A failure re-raises SendFailed
    (its message the exception type only, so the stored failure holds nothing personal) and
    RQ retries it; a permanent one ends the job quietly."""
    context = _worker
    if context is None:
        raise SendFailed("no worker context: run `hotline worker`, not `rq worker`")
    from cryptography.fernet import InvalidToken

    try:
        message = unseal(context.fernet, token)
    except InvalidToken:
        log.warning("outbound job dropped: its token is stale or not ours")
        return
    context.rate.wait(segments(message.body))
    try:
        _deliver_with(context.sender, message)
    except Undeliverable:
        return
    except SendFailed as exc:
        raise SendFailed(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - whatever it was, only its type is kept
        log.warning("text message not sent: %s", type(exc).__name__)
        raise SendFailed(type(exc).__name__) from None


# --- the guard ----------------------------------------------------------------------------


class Outbound:
    """The guard in front of a queue. Built once per app (see hotline/web/app.py)."""

    def __init__(self, secret: bytes, ledger: Ledger | None, queue, line_limit: int,
                 staff: dict[Purpose, Iterable[str]] | None = None):
        self.secret, self.ledger, self.queue, self.line_limit = secret, ledger, queue, line_limit
        self._staff: dict[Purpose, frozenset[str]] = {}
        self.refused: dict[str, int] = {}  # refusal reason -> count, for tests and figures
        self.sent = 0
        for purpose, numbers in (staff or {}).items():
            self.allow_staff(purpose, numbers)

    def allow_staff(self, purpose: Purpose, numbers: Iterable[str]) -> None:
        """Staff sends of `purpose` may reach exactly these numbers (added to any already set)."""
        if purpose.audience is not Audience.STAFF:
            raise ValueError(f"{purpose.name} texts callers, not staff")
        self._staff[purpose] = self._staff.get(purpose, frozenset()) | {canonical_number(n) for n in numbers}

    def can_text_caller(self, number: str) -> bool:
        """Whether offering a caller a text makes sense: a sender exists and the number could
        take one. STOP, today's text and the line's budget are decided by `send`."""
        return self.queue is not None and number_refusal(number) is None

    def check(self, to: str, purpose: Purpose) -> Refusal | None:
        """The guard alone. For a caller purpose a None answer has recorded the text (today's
        mark, the line's count): call `send`, not this, unless refusing is all you want."""
        if self.queue is None:
            return Refusal.NO_SENDER
        if purpose.audience is Audience.STAFF:
            return None if canonical_number(to) in self._staff.get(purpose, ()) else Refusal.NOT_STAFF
        refusal = number_refusal(to)
        if refusal is not None:
            return refusal
        if self.ledger is None:
            return Refusal.STORE_UNAVAILABLE
        try:
            return self.ledger.claim(pseudonym(self.secret, to), self.line_limit)
        except StoreUnavailable:
            return Refusal.STORE_UNAVAILABLE

    def send(self, to: str, body: str, purpose: Purpose) -> Decision:
        """Guard, then queue, one message. Never raises for a refusal; logs the reason only."""
        refusal = self.check(to, purpose)
        if refusal is not None:
            self.refused[refusal.value] = self.refused.get(refusal.value, 0) + 1
            log.info("outbound %s refused: %s", purpose.label, refusal.value)
            return Decision(False, refusal)
        decision = self.queue.put(Message(canonical_number(to), body, purpose))
        if decision.ok:
            self.sent += 1
            return decision
        log.info("outbound %s not queued: %s", purpose.label, decision.reason.value)
        if purpose.audience is Audience.CALLER and decision.reason is not Refusal.SEND_FAILED:
            # Nothing was handed over, so nothing was sent today: the caller may try again. (A
            # direct send that failed may have reached Twilio in part; that one keeps its mark.)
            self.ledger.release(pseudonym(self.secret, to))
        return decision


def sender_for(settings) -> TextSender | None:
    """The sender a worker process uses: the outbox in development (HOTLINE_OUTBOX), else
    Twilio when the account, token and the hotline's number are all set, else none."""
    if settings.outbox_dir:
        return OutboxSender(settings.outbox_dir)
    phone = settings.phone
    if phone.account_sid and settings.auth_token and phone.hotline_number:
        return TwilioTextSender(phone.account_sid, settings.auth_token, phone.hotline_number, lookup=settings.lookup)
    return None
