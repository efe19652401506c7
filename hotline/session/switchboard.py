"""The switchboard: one turn of a conversation, from a caller's number and words to a Turn.

It is the only place that joins the pseudonym, the store and the engine, so the SMS webhook,
the voice webhook and the terminal simulator all behave the same. It never sees TwiML.

Before the engine, in this order (each decided from one read of the store):
  opted out (SMS)           -> silence, until START, YES or UNSTOP
  STOP and its synonyms     -> silence, and the caller is marked opted out (SMS only)
  over the caller's limit   -> one short notice in the window, then silence (SMS; START too);
                               a call is not picked up (calls_too_often, at the call's start)
  over the line's limit     -> the short "unavailable" notice (one segment, the ONA number; SMS only;
                               START too, which still clears the opt-out mark)
  the same request again    -> the same reply, computed again; the session does not move twice
  a picture or recording    -> a polite note that only text is read
  START, YES, UNSTOP        -> a fresh start
  HELP, INFO                -> who runs the line and how to reach a person, then the help page
  FORGET (any language)     -> everything kept about the caller is deleted, and confirmed
  REPORT, ALERTS, a report's answers -> the report loop (hotline/reports), SMS only
  anything else             -> the engine, then the current verified alerts before a main menu
A CONFIRM or FALSE from a registered responder's phone goes to the report loop before all this.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, replace
from typing import Callable

from hotline.session import intake, metrics, stats
from hotline.session.callers import pseudonym
from hotline.content.bundle import Content
from hotline.core.engine import Notice, State, Turn, step
from hotline.errors import StoreUnavailable
from hotline.core import contract
from hotline.core.words import NOTHING, Words
from hotline.session.record import Codebook, Record
from hotline.session.store import Change, SessionStore, Snapshot
from hotline.reports import intake as report_intake

log = logging.getLogger(__name__)
PENDING_SECONDS = 10.0  # phone page counts wait at most this long for a round trip to ride on

# Compare-and-set attempts before a turn is answered without being kept. Each conflict means
# another message from the same caller landed in between; a person never causes more than one
# or two, and a flood is cut off by the rate limit long before this.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class RateLimits:
    """How much one caller, and the whole line, may cost in one rate window (HOTLINE_RATE_WINDOW)."""

    per_caller: int = 12  # messages and calls; past this one short notice, then silence until the window
    # ends (a call: not picked up)
    per_line: int = 600  # replies; past this only the one-segment "unavailable" notice


@dataclass(frozen=True)
class Answer:
    turn: Turn
    degraded: bool = False  # the store did not answer: the reply was made without memory
    repeated: bool = False  # a request seen before: its reply again, the session not moved again
    # The content the turn was made with. Render the reply with this, not the switchboard's
    # current content: a reload between the two would name nodes the new version lacks.
    content: Content | None = None

    @property
    def silent(self) -> bool:
        """Nothing to send: opted out, or a flooding number already told to slow down."""
        return not self.turn.outputs


@dataclass(frozen=True)
class _Plan:
    answer: Answer
    change: Change | None  # None: nothing to write
    after: Callable[[], None] | None = None  # once the change is written (a report goes to responders)


class Switchboard:
    def __init__(self, content: Content, store: SessionStore, secret: bytes, limits: RateLimits | None = None,
                 reports=None):
        self._content = content
        self.store = store
        self.secret = secret
        self.limits = limits or RateLimits()
        self._swap = threading.Lock()
        # Page counts of phone key presses, which make no store round trip of their own: kept
        # here (aggregates only) and added with the next round trip that counts anyway, or at
        # most every PENDING_SECONDS (one round trip per interval, never one per key press).
        self._pending: dict[str, int] = {}
        self._pending_since = 0.0
        self._pending_lock = threading.Lock()
        self.reports = reports  # hotline.reports.service.Reports, or None: no report loop
        self.clock = lambda: dt.datetime.now(dt.timezone.utc)  # tests fix it

    @property
    def content(self) -> Content:
        return self._content

    def publish(self, content: Content) -> None:
        """Serve a new, fully loaded Content. Requests already running finish on the old one."""
        with self._swap:
            self._content = content

    def caller(self, number: str) -> str:
        return pseudonym(self.secret, number)

    def request_digest(self, request_id: str) -> str:
        """A short keyed digest of a request id: enough to spot a repeat, useless to look one up."""
        digest = hmac.new(self.secret, b"request\0" + request_id.encode("utf-8", "replace"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode("ascii")

    def turn(self, number: str, text: str, *, request_id: str | None = None, channel: str | None = None,
             opt_out_type: str | None = None, media: int = 0, remember: bool = True) -> Answer:
        """Answer one message or keypress (see _answer), with the content it was made with."""
        content = self._content  # one version for the whole turn, even if a reload lands now
        answer = self._answer(content, number, text, request_id=request_id, channel=channel,
                              opt_out_type=opt_out_type, media=media, remember=remember)
        return replace(answer, content=content)

    def passer_by(self, request_id: str | None) -> str:
        """The key of a caller who is nobody in particular (a withheld number): this request's
        own, so two of them never share a record. Not a phone number's pseudonym."""
        seed = request_id or secrets.token_hex(16)
        digest = hmac.new(self.secret, b"withheld\0" + seed.encode("utf-8", "replace"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:15]).decode("ascii")

    def _answer(self, content: Content, number: str, text: str, *, request_id: str | None, channel: str | None,
                opt_out_type: str | None, media: int, remember: bool = True) -> Answer:
        """Answer one message or keypress.

        request_id: Twilio's MessageSid for SMS; the voice line passes CallSid plus its step
            counter. A request seen before gets the same reply and does not move the caller.
        channel: "sms" applies Twilio's messaging keywords (STOP, START, HELP) and the opt-out
            mark. Other channels (voice) leave those words to their ordinary meaning: opting out
            of text messages never silences a phone call.
        opt_out_type: Twilio's OptOutType parameter, when Advanced Opt-Out sends it.
        media: how many pictures or recordings came with the message (NumMedia).
        remember: False for a withheld number ("Anonymous", a keypad placeholder): the turn
            starts fresh, under this request's own key, and keeps nothing but the rate count
            (one window) and the line's reply count. `number` is then not read.
        """
        caller = self.caller(number) if remember else self.passer_by(request_id)
        word = intake.carrier_word(text, opt_out_type) if channel == "sms" else None
        words = Words(intake.clean(text))  # cleaned and normalised once; everything below reads these
        request = self.request_digest(request_id) if request_id else ""
        if channel == "sms" and self.reports is not None:
            handled = self.reports.responder(content, number, words.text, self.clock())
            if handled is not None:
                return Answer(handled)
        try:
            seen = self.store.read(caller)
        except StoreUnavailable as exc:
            log.warning("session store unavailable (%s): answering without memory", exc)
            metrics.store_error(str(exc), "read")
            metrics.degraded(channel)
            return Answer(self.offline(content, words, word), degraded=True)
        if not remember:
            seen = Snapshot(count=seen.count, load=seen.load)
        plan = None
        counted: dict[str, int] = {}  # usage counters an earlier attempt of this turn already added
        for _ in range(MAX_ATTEMPTS):
            plan = self._plan(content, seen, words, word, request, media, channel == "sms")
            if not remember and plan.change is not None:  # no record, no language, no opt-out mark
                counts = stats.turn_counts(content, seen, plan.answer.turn, plan.change, channel, kept=False)
                plan = _Plan(plan.answer, Change(session=None, replied=True) if plan.change.replied else None)
            elif plan.change is not None:
                counts = stats.turn_counts(content, seen, plan.answer.turn, plan.change, channel)
            if plan.change is None:
                return plan.answer
            planned = plan.change  # (built field by field: dataclasses.replace costs 20 us a turn)
            change = Change(session=planned.session, lang=planned.lang, forget_lang=planned.forget_lang,
                            opt_out=planned.opt_out, replied=planned.replied, draft=planned.draft,
                            draft_ttl=planned.draft_ttl, reported=planned.reported,
                            counts=stats.difference(counts, counted))
            try:
                fresh = self.store.write(caller, seen, change)
            except StoreUnavailable as exc:
                log.warning("session store unavailable on write (%s): the reply goes out, the step is not kept", exc)
                metrics.store_error(str(exc), "write")
                metrics.degraded(channel)
                return Answer(plan.answer.turn, degraded=True)
            counted = counts  # added even when refused: the next attempt sends the difference
            if fresh is None:
                if plan.after is not None:
                    try:
                        plan.after()
                    except Exception as exc:  # the reply still goes out; the log gets the type only
                        log.error("after a turn: %s", type(exc).__name__)
                return plan.answer
            seen = fresh  # another message from this caller landed first: think again from there
        log.warning("a turn conflicted %d times with the same caller's other messages; answered, not kept", MAX_ATTEMPTS)
        return plan.answer

    def count_outcome(self, lang: str | None, channel: str, name: str) -> None:
        """Count an outcome reached outside a turn (a volunteer rung, the responders rung, ONA's
        number given: stats.OUTCOMES). One round trip of its own, which also carries the page
        counts kept since the last one; a store that does not answer loses the counts, never
        the caller's reply."""
        self._count_later({stats.outcome(lang, channel, name): 1}, now=True)

    def _count_later(self, counts: dict[str, int], now: bool = False) -> None:
        if not counts and not now:
            return
        import time

        with self._pending_lock:
            for key, amount in counts.items():
                self._pending[key] = self._pending.get(key, 0) + amount
            clock = time.monotonic()
            if not self._pending_since:
                self._pending_since = clock
            if not now and clock - self._pending_since < PENDING_SECONDS:
                return
            taken, self._pending, self._pending_since = self._pending, {}, 0.0
        if not taken:
            return
        try:
            self.store.count(tuple(taken.items()))
        except StoreUnavailable as exc:
            log.warning("session store unavailable (%s): some usage counts were not kept", exc)

    def flush_counts(self) -> None:
        """Add the page counts kept in this process now (tests, a worker stopping)."""
        self._count_later({}, now=True)

    def _plan(self, content: Content, seen: Snapshot, words: Words, word: str | None, request: str,
              media: int, sms: bool) -> _Plan:
        codes = Codebook.of(tuple(content.script.nodes))
        record = Record.decode(seen.session, seen.lang, codes)
        state = record.state
        if sms and seen.opted_out and word != intake.START:
            return _Plan(Answer(Turn((), state)), None)  # Twilio would refuse any reply (error 21610)
        if word == intake.STOP:
            return _Plan(Answer(Turn((), State())), Change(session=None, forget_lang=True, opt_out=True,
                                                          draft=b"" if seen.draft else None))
        # The limits guard the SMS bill: every reply costs money, START's full menu included
        # (an opted-out number is not counted, so its START is always heard). On a call, silence
        # would be dead air, and a call costs by the minute however many keys are pressed.
        if sms:
            # START from an opted-out number clears the mark even when no menu can be sent:
            # Twilio has already subscribed the number again.
            resubscribe = (Change(session=seen.session or None, opt_out=False)
                           if word == intake.START and seen.opted_out else None)
            if self._past_caller_limit(seen):
                # The message that first crosses the limit gets one notice; the rest, silence.
                notice = (Notice("too_fast"),) if seen.count == self.limits.per_caller + 1 else ()
                metrics.rate_limited("caller")
                return _Plan(Answer(Turn(notice, state)), resubscribe)
            if seen.load >= self.limits.per_line:
                metrics.rate_limited("line")
                return _Plan(Answer(Turn((Notice("unavailable"),), state)), resubscribe)
        # After the limits: a replayed signed request (Twilio's retry, or a captured one sent
        # again and again) gets its reply again only within them, since every reply costs.
        if request and record.request == request:
            before = record.before or state
            replayed = (self.reports.plan(content, seen, before, words.text, self.clock())
                        if self.reports is not None and sms and word is None else None)
            # A report's answer again: its reply again; nothing is kept or relayed twice.
            turn = replayed.turn if replayed is not None else self.reply(content, before, words, word)[0]
            return _Plan(Answer(turn, repeated=True), None)
        if media:
            return _Plan(Answer(Turn((Notice("media"),), state)), None)
        if self.reports is not None:
            now = self.clock()
            planned = self.reports.plan(content, seen, state, words.text, now) if sms and word is None else None
            if planned is not None:
                return _Plan(Answer(planned.turn), Change(
                    session=Record(planned.turn.state, request, state).encode(codes), lang=planned.turn.state.lang,
                    replied=True, draft=planned.draft, reported=planned.reported), planned.after)
        if report_intake.question_at(state.node):  # HELP, START or FORGET in the middle of a report
            state = replace(state, node=contract.MAIN_MENU, back=())
        turn, forget = self.reply(content, state, words, word)
        # A report's words live only while its questions are being answered.
        drop_draft = b"" if seen.draft else None
        if forget:
            return _Plan(Answer(turn), Change(session=None, forget_lang=True, replied=True, draft=drop_draft))
        if self.reports is not None:
            turn = self.reports.first(content, turn, seen, now, sms)
        change = Change(
            session=Record(turn.state, request, state).encode(codes),
            lang=turn.state.lang,
            opt_out=False if word == intake.START and seen.opted_out else None,  # a call never clears it
            replied=True,
            draft=None if report_intake.question_at(turn.state.node) else drop_draft,
        )
        return _Plan(Answer(turn), change)

    def placed(self, number: str, state: State, text: str, seen: Snapshot | None = None) -> Answer:
        """A turn from a place the channel carries itself (the phone line's sealed URLs).

        The phone keeps its place in the menus per call, so a key applies to the menu the
        caller heard and a repeated request is answered the same without moving anything.
        Only the language is shared with the text line: it is written when the turn changes
        it, and FORGET forgets everything. A key press costs no store round trip.
        `seen`: the record read at the start of the call (remembered): the verified alerts
        that ride on it go before the welcome or main menu, as on the text line.
        """
        content = self._content
        turn, forget = self.reply(content, state, Words(intake.clean(text)), None)
        if seen is not None and self.reports is not None:
            turn = self.reports.first(content, turn, seen, self.clock(), False)
        lang = turn.state.lang
        kept = Snapshot(session=b"-")  # the call's own place: never a new conversation here
        self._count_later(stats.turn_counts(content, kept, turn, Change(session=None if forget else b"-"), "voice"))
        if forget:
            kept_ok = self._kept(number, lambda seen: Change(session=None, forget_lang=True), "nothing is forgotten")
        elif lang and lang != state.lang:
            kept_ok = self.remember_language(number, lang)
        else:
            kept_ok = True
        return Answer(turn, degraded=not kept_ok, content=content)

    def remembered(self, number: str) -> Snapshot | None:
        """The caller's record, read once at the start of a call: their language as the text
        line and earlier calls left it, and the current verified alerts (None: the store is down)."""
        try:
            seen = self.store.read(self.caller(number))
        except StoreUnavailable as exc:
            log.warning("session store unavailable (%s): answering without memory", exc)
            return None
        if not seen.session and not seen.lang and not self._past_caller_limit(seen):
            # nothing kept about this caller: a new conversation (not a call refused as one too many)
            self._count_later({stats.new_conversation(None, "voice"): 1})
        return seen

    def calls_too_often(self, seen: Snapshot | None) -> bool:
        """Whether a call is one too many from its number in this rate window. Reading the
        record at the start of a call (remembered) counted it with the number's texts (as does
        each change a call makes to what is kept: a language chosen, FORGET); past
        limits.per_caller the line does not pick up, so a number dialled again and again costs
        no minutes and rings no volunteer. A withheld number is keyed by its call, so it is
        never one too many; the store down (None): the call is answered. A number that sent
        STOP is not counted (the store counts nobody who opted out), so its calls are answered."""
        if seen is None or not self._past_caller_limit(seen):
            return False
        metrics.rate_limited("caller")
        return True

    def _past_caller_limit(self, seen: Snapshot) -> bool:
        """The one test of the caller limit, for a text and for a call alike."""
        return seen.count > self.limits.per_caller

    def remember_language(self, number: str, lang: str) -> bool:
        """Keep `lang` as the caller's language; the text thread's place stays as it is.
        False (logged) when the store is down: the call goes on, the language not kept."""
        return self._kept(number, lambda seen: Change(session=seen.session, lang=lang), "the language is not kept")

    def _kept(self, number: str, change, lost: str) -> bool:
        try:
            self._change(number, change)
        except StoreUnavailable as exc:
            log.warning("session store unavailable (%s): %s", exc, lost)
            return False
        return True

    def start_afresh(self, number: str, lang: str) -> None:
        """A fresh start in `lang`: no place in the menus, the language remembered (a staff
        preview that begins in a language, `hotline chat --lang`, the console's simulator)."""
        self._change(number, lambda seen: Change(session=None, lang=lang))

    def _change(self, number: str, change) -> None:
        caller = self.caller(number)
        seen = self.store.read(caller)
        for _ in range(MAX_ATTEMPTS):
            fresh = self.store.write(caller, seen, change(seen))
            if fresh is None:
                return
            seen = fresh

    @staticmethod
    def reply(content: Content, state: State, words: Words, word: str | None) -> tuple[Turn, bool]:
        """What a message says to a caller at `state`, and whether it asks to be forgotten.

        Pure, like the engine: a repeated request is answered by calling this again with the
        state it first started from, and hotline/staff/sms_budget.py measures HELP and FORGET with it.
        """
        if word == intake.START:
            return step(content, State(lang=state.lang), NOTHING), False
        if word == intake.HELP:
            # Twilio's HELP word asks how the line works: the help page, also as a first text
            # (where the engine would otherwise take HELP for a greeting and give the welcome).
            at = state if state.node else State(node=contract.MAIN_MENU, lang=state.lang)
            helped = step(content, at, Words(content.script.keywords["help"][0]))
            return Turn((Notice("line_info"),) + helped.outputs, helped.state), False
        if Switchboard.asks_to_forget(content, state.lang, words):
            return Turn((Notice("forgotten"),), State(lang=state.lang)), True
        return step(content, state, words), False

    @staticmethod
    def asks_to_forget(content: Content, lang: str | None, words: Words) -> bool:
        """FORGET in the caller's language, or in any language served: deleting too readily
        costs a person a menu; not deleting when asked could cost them far more."""
        said = words.said
        if not said:
            return False
        languages = content.languages
        meant = languages.book(lang).commands.get(said)
        if meant is not None:
            return meant == "forget"
        return any(book.commands.get(said) == "forget" for book in languages.books.values())

    def offline(self, content: Content, words: Words, word: str | None) -> Turn:
        """The reply when the store cannot be reached: STOP stays silent (Twilio has blocked
        the number already); anything else gets the stateless reply."""
        if word == intake.STOP:
            return Turn((), State())
        return self.stateless(content, words)

    @staticmethod
    def stateless(content: Content, words: Words) -> Turn:
        """Without the store we don't know where the caller was. The likeliest place is the
        main menu, so a digit is read from there; the notice gives a number to call."""
        candidates = content.languages.detect(words)
        lang = candidates[0] if len(candidates) == 1 else None
        turn = step(content, State(node=contract.MAIN_MENU, lang=lang), words)
        return Turn((Notice("unavailable"),) + turn.outputs, turn.state)
