"""What responders get: one SMS per report, or a digest when many arrive at once.

A relay carries the report's code, when it came, the reporter's language, and their own
words under labels in the responders' language (English): never their number, which never
enters this package. The words are read from their sealed copy (box.py) by the courier job,
sent, and deleted; a report that finds nobody on shift when its job runs is deleted unsent.

Every message is at most 320 characters (Twilio's advice for one message; longer ones are
split by carriers or refused): answers are clipped to fit, and a digest packs as many
reports as fit in each message.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Protocol

from babel import Locale
from babel.dates import format_time

from hotline.content.bundle import Content
from hotline.reports import box as boxes
from hotline.reports.seal import Seal
from hotline.config import ReportSettings
from hotline.reports.box import WORDS_TTL

log = logging.getLogger(__name__)
MAX_SMS = 320
RESPONDER_LANG = "en"
# The purpose every responder message declares to the outbound guard (hotline/session/outbound.py).
PURPOSE = "responder relay"


class Outbound(Protocol):
    """The one way a message leaves the hotline (the abuse issue's guard + queue)."""

    def send(self, to: str, body: str, purpose: str) -> None: ...


class Dispatch(Protocol):
    """Runs courier jobs away from the webhook: RQ with Redis, a thread with the embedded store."""

    def soon(self, job: Callable[..., None], *args) -> None: ...

    def later(self, seconds: float, job: Callable[..., None], *args) -> None: ...


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 3)].rstrip() + "..."


def _clock(at: float) -> str:
    from zoneinfo import ZoneInfo

    local = dt.datetime.fromtimestamp(at, dt.timezone.utc).astimezone(ZoneInfo("America/New_York"))
    return format_time(local.time(), format="short", locale="en_US")


def relay_text(content: Content, code: str, report: dict) -> str:
    """One report for responders, at most 320 characters, answers clipped evenly to fit."""
    book = content.languages.book(RESPONDER_LANG)
    lang = report.get("lang") or "en"
    try:  # named in the responders' language: "Spanish", not "español"
        language = Locale.parse(lang).get_display_name(RESPONDER_LANG) or lang
    except (ValueError, TypeError):
        language = lang
    answers = report.get("a", {})
    names = ("what", "where", "when", "taken")
    fixed = dict(code=code, time=_clock(report.get("at", 0)), language=language)
    empty = book.message("report_relay", **fixed, **{n: "" for n in names})
    room = MAX_SMS - len(empty)
    given = {n: " ".join(str(answers.get(n, "")).split()) or "-" for n in names}
    # Share the room: short answers keep all their words, the rest split what is left.
    share, left = {}, room
    for count, name in enumerate(sorted(names, key=lambda n: len(given[n])), start=0):
        share[name] = min(len(given[name]), left // (len(names) - count))
        left -= share[name]
    return book.message("report_relay", **fixed, **{n: _clip(given[n], share[n]) for n in names})


def digest_texts(content: Content, reports: list[tuple[str, dict]]) -> list[str]:
    """Several reports in as few messages as fit: a heading, then one line per report."""
    book = content.languages.book(RESPONDER_LANG)
    lines = []
    for code, report in reports:
        answers = report.get("a", {})
        summary = " - ".join(x for x in (answers.get("where", ""), answers.get("what", ""), answers.get("taken", "")) if x)
        lines.append(_clip(f"{code} {_clock(report.get('at', 0))}: {summary or '-'}", 100))
    messages, current = [], book.message("report_digest", count=str(len(reports)))
    for line in lines:
        if len(current) + 1 + len(line) > MAX_SMS:
            messages.append(current)
            current = line
        else:
            current += "\n" + line
    messages.append(current)
    return messages


class Courier:
    """The jobs that take a report's words to the responders, then delete them."""

    def __init__(self, settings: ReportSettings, seal: Seal, box: boxes.Box, outbound: Outbound,
                 dispatch: Dispatch, content: Callable[[], Content], clock: Callable[[], float]):
        self.settings, self.seal, self.box = settings, seal, box
        self.outbound, self.dispatch, self.content, self.clock = outbound, dispatch, content, clock

    def _report(self, code: str) -> dict | None:
        report = self.seal.open(self.box.words(code), ttl=WORDS_TTL)
        return report if isinstance(report, dict) else None

    def _send_all(self, body: str) -> None:
        for number in self.settings.responders:
            self.outbound.send(number, body, PURPOSE)

    def relay(self, code: str) -> None:
        report = self._report(code)
        if report is None:
            return  # expired (past its two hours) or already sent
        now = self.clock()
        if not self.settings.on_shift(dt.datetime.fromtimestamp(now, dt.timezone.utc)):
            self.box.drop_words(code)  # not kept for later: the reporter was told to call ONA
            return
        if self.box.count_relay(now) > self.settings.digest_after:
            self.box.pend(code, WORDS_TTL)
            if self.box.claim_digest(self.settings.digest_seconds):
                self.dispatch.later(self.settings.digest_seconds, self.digest)
            return
        self._send_all(relay_text(self.content(), code, report))
        self.box.drop_words(code)

    def digest(self) -> None:
        codes = self.box.take_pending()
        reports = [(code, r) for code, r in ((c, self._report(c)) for c in codes) if r is not None]
        if reports:
            for body in digest_texts(self.content(), reports):
                self._send_all(body)
        for code in codes:
            self.box.drop_words(code)


class InlineDispatch:
    """Runs each job at once, in the caller's thread (tests and `hotline chat`): `later` jobs
    are kept until run_later() is called, so a test decides when a digest's wait is over."""

    def __init__(self):
        self.waiting: list[tuple[Callable[..., None], tuple]] = []

    def soon(self, job, *args):
        job(*args)

    def later(self, seconds, job, *args):
        self.waiting.append((job, args))

    def run_later(self) -> None:
        waiting, self.waiting = self.waiting, []
        for job, args in waiting:
            job(*args)


class ThreadDispatch:
    """The embedded store's queue: each job in a background thread of this process, failures
    logged by type only (their message could quote a report)."""

    def _run(self, job, args):
        try:
            job(*args)
        except Exception as exc:
            log.error("report job failed: %s", type(exc).__name__)

    def soon(self, job, *args):
        import threading

        threading.Thread(target=self._run, args=(job, args), daemon=True, name="hotline-report").start()

    def later(self, seconds, job, *args):
        import threading

        timer = threading.Timer(seconds, self._run, args=(job, args))
        timer.daemon = True
        timer.start()
