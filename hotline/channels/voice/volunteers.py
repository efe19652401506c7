"""The optional volunteer line: who is on call, and when.

Configured only through the environment (never in the flow files, which are public):

| variable                     | example                                   | meaning |
|------------------------------|-------------------------------------------|---------|
| HOTLINE_VOLUNTEER_NUMBERS    | +16075550111,+16075550112                 | on-call phones, rung all at once (at most 10) |
| HOTLINE_VOLUNTEER_HOURS      | mon-fri 09:00-17:00; sat 10:00-14:00      | when they answer, America/New_York |
| HOTLINE_VOLUNTEER_RING       | 20                                        | seconds to ring before giving up |
| HOTLINE_VOLUNTEER_REFERRALS  | ona,idp                                   | referral ids said when nobody answers |
| HOTLINE_VOICEMAIL            | off                                       | on: callers may leave a message (kept in Twilio, never here) |

Unset numbers: no volunteer item on the phone menu at all.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from pydantic import ValidationError

from hotline.errors import ConfigError
from hotline.content.model import Hours, Opening
from hotline.core.hours import DAYS, OpenNow, status

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MAX_NUMBERS = 10  # Twilio's <Dial> rings at most ten <Number>s at once
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class _Schedule:
    """What referrals.status reads of a referral (its hours, and that they are confirmed)."""

    hours: Hours
    unconfirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Volunteers:
    numbers: tuple[str, ...]
    hours: Hours
    ring_seconds: int = 20
    referrals: tuple[str, ...] = ("ona", "idp")
    voicemail: bool = False

    def on_duty(self, now: dt.datetime) -> bool:
        return isinstance(status(_Schedule(self.hours), now), OpenNow)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Volunteers | None":
        raw = env.get("HOTLINE_VOLUNTEER_NUMBERS", "").strip()
        if not raw:
            return None
        numbers = tuple(n.strip() for n in raw.split(",") if n.strip())
        bad = [n for n in numbers if not E164.match(n)]
        if bad or not numbers:
            # Never echo the numbers themselves into a log: say which positions are wrong.
            where = ", ".join(str(numbers.index(n) + 1) for n in bad)
            raise ConfigError(f"HOTLINE_VOLUNTEER_NUMBERS: entries {where} are not E.164 numbers like +16075550100")
        if len(numbers) > MAX_NUMBERS:
            raise ConfigError(f"HOTLINE_VOLUNTEER_NUMBERS: at most {MAX_NUMBERS} numbers can ring at once")
        if not env.get("HOTLINE_VOLUNTEER_HOURS", "").strip():
            raise ConfigError("HOTLINE_VOLUNTEER_HOURS is required with HOTLINE_VOLUNTEER_NUMBERS, "
                              "e.g. 'mon-fri 09:00-17:00; sat 10:00-14:00' (America/New_York)")
        try:
            ring = int(env.get("HOTLINE_VOLUNTEER_RING", "20"))
        except ValueError:
            raise ConfigError("HOTLINE_VOLUNTEER_RING must be a number of seconds") from None
        if not 5 <= ring <= 60:
            raise ConfigError("HOTLINE_VOLUNTEER_RING must be between 5 and 60 seconds")
        referrals = tuple(r.strip() for r in env.get("HOTLINE_VOLUNTEER_REFERRALS", "ona,idp").split(",") if r.strip())
        return cls(numbers, parse_hours(env["HOTLINE_VOLUNTEER_HOURS"]), ring, referrals,
                   env.get("HOTLINE_VOICEMAIL", "").strip().lower() in _TRUE)


def _days(text: str) -> tuple[str, ...]:
    days: list[str] = []
    for item in text.split(","):
        first, _, last = item.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ConfigError(f"HOTLINE_VOLUNTEER_HOURS: '{item.strip()}' is not a day or range like mon-fri")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend(DAYS[i % 7] for i in range(start, start + (end - start) % 7 + 1))
    return tuple(dict.fromkeys(days))


def parse_hours(text: str) -> Hours:
    """'mon-fri 09:00-17:00; sat,sun 10:00-14:00' -> Hours, checked like a referral's hours."""
    openings = []
    for group in (g.strip() for g in text.lower().split(";")):
        if not group:
            continue
        days, _, times = group.rpartition(" ")
        opens, _, closes = times.partition("-")
        try:
            openings.append(Opening(days=_days(days), open=opens, close=closes))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"HOTLINE_VOLUNTEER_HOURS: '{group}': {reason}") from None
    if not openings:
        raise ConfigError("HOTLINE_VOLUNTEER_HOURS has no opening times")
    return Hours(weekly=tuple(openings))
