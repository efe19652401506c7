"""Referral hours: is a line open now, and if not, when does it open?

Times are compared in the referral's own time zone (America/New_York), so daylight-saving
changes and a caller's phone clock do not matter. `now` is passed in: tests fix the clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the hours only read a referral's fields; core never loads the model
    from hotline.content.model import Referral

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpenNow:
    until: dt.time


@dataclass(frozen=True)
class Opens:
    days_ahead: int  # 0 = later today
    weekday: int  # 0 = Monday
    at: dt.time


Status = OpenNow | Opens | None  # None: hours unknown


def _clock(text: str) -> dt.time:
    hour, minute = (int(x) for x in text.split(":"))
    return dt.time.max if hour == 24 else dt.time(hour, minute)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def status(referral: Referral, now: dt.datetime) -> Status:
    """Open now (until when), or the next opening within a week; None without known hours."""
    hours = referral.hours
    if hours is None or "hours" in referral.unconfirmed and not hours.weekly:
        return None
    local = now.astimezone(_zone(hours.timezone))
    today, clock = local.weekday(), local.time().replace(tzinfo=None)
    for opening in hours.weekly:
        if DAYS[today] in opening.days and _clock(opening.open) <= clock < _clock(opening.close):
            return OpenNow(_clock(opening.close))
    for ahead in range(0, 8):
        weekday = (today + ahead) % 7
        starts = sorted(_clock(o.open) for o in hours.weekly if DAYS[weekday] in o.days)
        for start in starts:
            if ahead > 0 or start > clock:
                return Opens(ahead, weekday, start)
    return None


def open_first(referral_ids: tuple[str, ...], referrals: dict[str, Referral], now: dt.datetime) -> list[str]:
    """The same entries, those open now first; otherwise in the order staff wrote them."""
    return sorted(referral_ids, key=lambda rid: not isinstance(status(referrals[rid], now), OpenNow))
