"""What staff write for days and times, read as the hotline needs them, with plain refusals.

    days:  [mon, tue]   [Monday, Tuesday]   mon-fri   Mon–Fri   "mon, wed, fri"   weekdays   every day
    times: "09:00"   9:00   9am   9:30 pm   5pm   17:30   noon   midnight (24:00, the end of the day)

Both come out in the one form the rest of the hotline reads: ("mon", "tue", ...), in the order
written (a range may run over the weekend: fri-mon), and "HH:MM".
A value that is none of these is refused with what to write instead (flows/README.md has the
full format, with examples).
"""
from __future__ import annotations

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NAMES = {
    "mon": "mon", "monday": "mon", "mo": "mon",
    "tue": "tue", "tues": "tue", "tuesday": "tue", "tu": "tue",
    "wed": "wed", "weds": "wed", "wednesday": "wed", "we": "wed",
    "thu": "thu", "thur": "thu", "thurs": "thu", "thursday": "thu", "th": "thu",
    "fri": "fri", "friday": "fri", "fr": "fri",
    "sat": "sat", "saturday": "sat", "sa": "sat",
    "sun": "sun", "sunday": "sun", "su": "sun",
}
_GROUPS = {"weekdays": DAYS[:5], "weekends": DAYS[5:], "weekend": DAYS[5:], "daily": DAYS,
           "every day": DAYS, "everyday": DAYS, "all week": DAYS}
_RANGE = re.compile(r"^\s*([a-z]+)\.?\s*(?:-|–|—|to|through|thru)\s*([a-z]+)\.?\s*$")
DAYS_HELP = "write days like mon, tue, wed, thu, fri, sat, sun (or Monday ...), or a range like mon-fri"
TIME_HELP = "write a time like 09:00, 9:30, 5pm or 17:30 (24:00 or midnight for the end of the day)"


def _day(word: str) -> str:
    key = word.strip().strip(".").lower()
    if key not in _NAMES:
        raise ValueError(f"'{word.strip()}' is not a day: {DAYS_HELP}")
    return _NAMES[key]


def days(value) -> tuple[str, ...]:
    """Any of the forms above -> the days in week order, each once."""
    if isinstance(value, str):
        parts = [value] if _RANGE.match(value.lower()) or value.strip().lower() in _GROUPS else re.split(r"[,;/]|\band\b", value)
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise ValueError(f"`days` must be a list of days, e.g. [mon, tue], not {value!r}: {DAYS_HELP}")
    found: list[str] = []  # in the order written ("fri-mon" is Friday to Monday), each day once

    def add(*days_: str) -> None:
        found.extend(day for day in days_ if day not in found)

    for part in parts:
        if not isinstance(part, str):
            raise ValueError(f"{part!r} is not a day: {DAYS_HELP}")
        text = part.strip().lower()
        if not text:
            continue
        if text in _GROUPS:
            add(*_GROUPS[text])
            continue
        ranged = _RANGE.match(text)
        if ranged:
            first, last = DAYS.index(_day(ranged.group(1))), DAYS.index(_day(ranged.group(2)))
            # A range may run over the weekend: fri-mon is fri, sat, sun, mon.
            add(*(DAYS[(first + i) % 7] for i in range((last - first) % 7 + 1)))
            continue
        add(_day(part))
    if not found:
        raise ValueError(f"`days` is empty: {DAYS_HELP}")
    return tuple(found)


_CLOCK = re.compile(r"^(\d{1,2})(?::|\.|h)?(\d{2})?\s*(am|pm|a\.m\.|p\.m\.|a|p)?$")


def clock(value) -> str:
    """Any of the time forms above -> "HH:MM" (24-hour); "24:00" is the end of the day."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a time: {TIME_HELP}")
    if isinstance(value, int) and not 0 <= value <= 24:
        raise ValueError(f"{value} is not a time: {TIME_HELP}")
    text = str(value).strip().lower()
    if text == "noon":
        return "12:00"
    if text == "midnight":
        return "24:00"
    found = _CLOCK.match(text)
    if not found:
        raise ValueError(f"'{value}' is not a time: {TIME_HELP}")
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{value}' is not a time: with am or pm the hour is 1 to 12")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if (hour, minute) == (24, 0):
        return "24:00"
    if hour > 23 or minute > 59:
        raise ValueError(f"'{value}' is not a time of day: {TIME_HELP}")
    return f"{hour:02d}:{minute:02d}"
