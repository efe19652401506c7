"""Who the responders are, when they are on shift, and how the report loop behaves.

Configured only through the environment, like the volunteer line (the flow files are public):

| variable                       | default          | meaning |
|--------------------------------|------------------|---------|
| HOTLINE_RESPONDER_NUMBERS      | off              | trained responders' phones, comma-separated E.164 (at most 10) |
| HOTLINE_RESPONDER_HOURS        | required with numbers | when they are on shift, e.g. `mon-sun 07:00-22:00` (America/New_York) |
| HOTLINE_REPORT_CONFIRMATIONS   | 2                | CONFIRMs from different responders that make a verified alert |
| HOTLINE_ALERT_HOURS            | 6                | hours a verified alert is told to everyone (and a report's code and status kept) |
| HOTLINE_REPORTS_PER_DAY        | 3                | reports one caller may send in a day |
| HOTLINE_REPORT_DIGEST_AFTER    | 3                | relays in ten minutes before responders get digests instead |
| HOTLINE_REPORT_DIGEST_SECONDS  | 300              | how long a digest gathers reports before it is sent |

Without responder numbers there is no report loop: REPORT says nobody is checking reports and
gives the ONA number, and nothing is kept.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from hotline.config import E164, MAX_NUMBERS, _Schedule, parse_hours
from hotline.content.model import Hours
from hotline.core.hours import OpenNow, status
from hotline.errors import ConfigError

_NOT_DIAL = re.compile(r"[^\d]")

# A report's words are held only until responders have them; never longer than this.
WORDS_TTL = 2 * 3600
# A report being written lives this long between two answers (then it is gone, unsent).
DRAFT_TTL = 30 * 60


def canonical_digits(number: str) -> str:
    """The digits of a number however Twilio wrote it ("sms:+1 607-555-0100" -> "16075550100")."""
    return _NOT_DIAL.sub("", number.split(":", 1)[-1])


@dataclass(frozen=True)
class ReportSettings:
    responders: tuple[str, ...]
    hours: Hours
    confirmations: int = 2
    alert_hours: int = 6
    per_day: int = 3
    digest_after: int = 3
    digest_seconds: int = 300

    def on_shift(self, now: dt.datetime) -> bool:
        return isinstance(status(_Schedule(self.hours), now), OpenNow)

    def is_responder(self, number: str) -> bool:
        return canonical_digits(number) in {canonical_digits(n) for n in self.responders}

    @property
    def alert_seconds(self) -> int:
        return self.alert_hours * 3600

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ReportSettings | None":
        raw = env.get("HOTLINE_RESPONDER_NUMBERS", "").strip()
        if not raw:
            return None
        numbers = tuple(n.strip() for n in raw.split(",") if n.strip())
        bad = [str(i) for i, n in enumerate(numbers, start=1) if not E164.match(n)]
        if bad or not numbers:
            # Never echo the numbers into a log: say which positions are wrong.
            raise ConfigError(f"HOTLINE_RESPONDER_NUMBERS: entries {', '.join(bad)} are not E.164 numbers like +16075550100")
        if len(numbers) > MAX_NUMBERS:
            raise ConfigError(f"HOTLINE_RESPONDER_NUMBERS: at most {MAX_NUMBERS} responders")
        hours_text = env.get("HOTLINE_RESPONDER_HOURS", "").strip()
        if not hours_text:
            raise ConfigError("HOTLINE_RESPONDER_HOURS is required with HOTLINE_RESPONDER_NUMBERS, "
                              "e.g. 'mon-sun 07:00-22:00' (America/New_York)")
        try:
            hours = parse_hours(hours_text)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace("HOTLINE_VOLUNTEER_HOURS", "HOTLINE_RESPONDER_HOURS")) from None
        values = {}
        for name, var, low, high in (("confirmations", "HOTLINE_REPORT_CONFIRMATIONS", 1, MAX_NUMBERS),
                                     ("alert_hours", "HOTLINE_ALERT_HOURS", 1, 48),
                                     ("per_day", "HOTLINE_REPORTS_PER_DAY", 1, 20),
                                     ("digest_after", "HOTLINE_REPORT_DIGEST_AFTER", 1, 100),
                                     ("digest_seconds", "HOTLINE_REPORT_DIGEST_SECONDS", 10, 1800)):
            if env.get(var):
                try:
                    values[name] = int(env[var])
                except ValueError:
                    raise ConfigError(f"{var} must be a number") from None
                if not low <= values[name] <= high:
                    raise ConfigError(f"{var} must be between {low} and {high}")
        settings = cls(numbers, hours, **values)
        if settings.confirmations > len(numbers):
            raise ConfigError(f"HOTLINE_REPORT_CONFIRMATIONS is {settings.confirmations}, but only {len(numbers)} "
                              "responders are configured: no report could ever be verified")
        return settings
