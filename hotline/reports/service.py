"""Reports: the one object the switchboard calls for the report loop.

    plan(...)       a REPORT, an answer, ALERTS: the reply, the draft to keep, what to do
                    once the turn is written (hand the report to the courier); pure but for
                    the clock it is given
    first(...)      any other reply: the current verified alerts before a welcome or main
                    menu; the menu's "Report agents nearby" starts the questions
    responder(...)  CONFIRM <code> <description> / FALSE <code> from a registered responder
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, replace
from typing import Callable

from hotline.content.bundle import Content
from hotline.content.catalogs.languages import normalize
from hotline.core import contract
from hotline.core.engine import Notice, Show, State, Turn
from hotline.errors import ConfigError
from hotline.reports import alerts, box as boxes, intake
from hotline.reports.relay import Courier
from hotline.reports.seal import Seal
from hotline.config import ReportSettings, canonical_digits
from hotline.reports.box import DRAFT_TTL, WORDS_TTL

log = logging.getLogger(__name__)
# The menu node "Report agents nearby" (flows/report.yaml): on SMS it starts the questions.
REPORT_NODE = "report"
# R + three of 32 letters and digits that cannot be misread (no 0 O 1 I): "R7K2".
_CODE_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE = re.compile(r"^R[2-9A-HJ-NP-Z]{3}$")


@dataclass(frozen=True)
class Planned:
    turn: Turn
    draft: bytes | None = None  # sealed draft to keep; b"" deletes it; None leaves it
    reported: bool = False  # counts toward the caller's reports today
    after: Callable[[], None] | None = None  # run once the turn is written


def missing(content: Content) -> list[str]:
    """The report loop's messages and keywords these scripts lack ([]: the loop can run);
    worked out once per content version (every turn asks)."""
    return content.renders.get(("reports", "missing"), lambda: (
        [m for m in contract.REPORT_MESSAGES if m not in content.script.messages]
        + [k for k in contract.REPORT_KEYWORDS if k not in content.script.keywords]))


def check_content(content: Content, settings: ReportSettings | None) -> None:
    """Responders configured, but scripts without the report loop's words: refuse to start."""
    lacking = missing(content) if settings is not None else []
    if lacking:
        raise ConfigError(f"HOTLINE_RESPONDER_NUMBERS is set, but flows/hotline.yaml lacks the report loop's "
                          f"{', '.join(lacking)}")


def _starts_at(turn: Turn, node: str) -> bool:
    return any(isinstance(o, Show) and o.node == node for o in turn.outputs)


class Reports:
    def __init__(self, settings: ReportSettings | None, secret: bytes, box: boxes.Box, courier: Courier | None,
                 dispatch=None):
        self.settings = settings
        self.secret = secret
        self.seal = Seal(secret)
        self.box = box
        self.courier = courier
        self.dispatch = dispatch

    # --- residents ----------------------------------------------------------------------

    def plan(self, content: Content, seen, state: State, text: str, now: dt.datetime) -> Planned | None:
        """The turn, if it belongs to the report loop; None leaves it to the engine."""
        if missing(content):  # scripts published without the loop's words: no loop
            return None
        book = content.languages.book(state.lang)
        command = book.commands.get(normalize(text))
        question = intake.question_at(state.node)
        if question is None:
            if command == "alerts":
                found = alerts.current(seen.alerts, now.timestamp())
                return Planned(Turn(found or (Notice("alerts_none"),), state))
            if command == "report":
                return Planned(self.start(state, seen, now))
            return None
        if command in ("forget", "help", "language") or any(
                b.commands.get(normalize(text)) == "forget" for b in content.languages.books.values()):
            return None  # the switchboard's own words: they leave the report, and its draft goes
        answers = self._draft(seen)
        progress = intake.answer(question, answers, text, command)
        home = replace(state, node=contract.MAIN_MENU, back=())
        if progress.cancelled:
            # Not the whole main menu: every reply of the loop fits in 320 characters.
            return Planned(Turn(progress.outputs + (Notice("leaf_hint"),), home), draft=b"")
        if progress.question is not None:
            sealed = self.seal.close(progress.answers)
            return Planned(Turn(progress.outputs, replace(state, node=intake.marker(progress.question))),
                           draft=sealed)
        leaving = replace(state, node=REPORT_NODE, back=())
        if not self.on_shift(now):  # the shift ended while they wrote: nothing is kept for later
            return Planned(Turn((Notice("report_closed"), Notice("leaf_hint")), leaving), draft=b"")
        report = {"a": progress.answers, "lang": state.lang or "en", "at": int(now.timestamp())}
        return Planned(Turn((Notice("report_thanks"), Notice("leaf_hint")), leaving), draft=b"", reported=True,
                       after=lambda: self.deliver(report))

    def start(self, state: State, seen, now: dt.datetime) -> Turn:
        where = replace(state, node=REPORT_NODE, back=())
        if not self.on_shift(now):
            return Turn((Notice("report_closed"), Notice("leaf_hint")), where)
        if self.settings and seen.reports >= self.settings.per_day:
            return Turn((Notice("report_limit"), Notice("leaf_hint")), where)
        progress = intake.begin()
        return Turn(progress.outputs, replace(state, node=intake.marker(progress.question), back=()))

    def first(self, content: Content, turn: Turn, seen, now: dt.datetime, sms: bool) -> Turn:
        """An ordinary reply: alerts go before a welcome or main menu; on SMS the menu's
        "Report agents nearby" starts the questions."""
        if missing(content):
            return turn
        if sms and turn.state.node == REPORT_NODE and _starts_at(turn, REPORT_NODE):
            return self.start(turn.state, seen, now)
        if _starts_at(turn, contract.WELCOME) or _starts_at(turn, contract.MAIN_MENU):
            found = alerts.current(seen.alerts, now.timestamp())
            if found:
                return Turn(found + turn.outputs, turn.state)
        return turn

    def on_shift(self, now: dt.datetime) -> bool:
        return self.settings is not None and self.courier is not None and self.settings.on_shift(now)

    def _draft(self, seen) -> dict:
        value = self.seal.open(seen.draft, ttl=DRAFT_TTL)
        return value if isinstance(value, dict) else {}

    def deliver(self, report: dict) -> None:
        """Keep the report's words sealed until the courier has sent them (at most 2 hours)."""
        for _ in range(8):  # 32,768 codes: a clash is rare, eight in a row practically impossible
            code = "R" + "".join(secrets.choice(_CODE_LETTERS) for _ in range(3))
            if self.box.create(code, report["lang"], report["at"], self.settings.alert_seconds):
                break
        else:
            log.error("report not relayed: no free code")
            return
        self.box.put_words(code, self.seal.close(report), WORDS_TTL)
        self.dispatch.soon(self.courier.relay, code)

    # --- responders ---------------------------------------------------------------------

    def responder(self, content: Content, number: str, text: str, now: dt.datetime) -> Turn | None:
        """CONFIRM or FALSE from a responder's phone; None for anything else (or anyone else)."""
        if self.settings is None or not self.settings.is_responder(number):
            return None
        words = text.split(maxsplit=2)
        if len(words) < 2:
            return None
        command = next((book.commands.get(normalize(words[0])) for book in
                        [content.languages.book(None)] + list(content.languages.books.values())
                        if book.commands.get(normalize(words[0])) in ("confirm", "false")), None)
        code = words[1].upper()
        if command is None or not CODE.match(code):
            return None
        if command == "false":
            was = self.box.refute(code, now.timestamp())
            message = "report_unknown" if was == boxes.UNKNOWN else "report_refuted"
            return Turn((Notice(message, (("code", code),)),), State())
        description = words[2].strip()[:200] if len(words) > 2 else ""
        status, count = self.box.confirm(code, self.responder_id(number), description,
                                         self.settings.confirmations, now.timestamp(), self.settings.alert_seconds)
        if status == boxes.UNKNOWN:
            notice = Notice("report_unknown", (("code", code),))
        elif status == boxes.FALSE:
            notice = Notice("report_refuted", (("code", code),))
        elif status == boxes.VERIFIED:
            notice = Notice("report_verified", (("code", code), ("hours", str(self.settings.alert_hours))))
        else:
            notice = Notice("report_confirmed", (("code", code), ("count", str(count)),
                                                 ("needed", str(self.settings.confirmations))))
        return Turn((notice,), State())

    def responder_id(self, number: str) -> str:
        """Which responder confirmed, as a keyed digest: two CONFIRMs from one phone count once."""

        digest = hmac.new(self.secret, b"responder\0" + canonical_digits(number).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:9]).decode("ascii")
