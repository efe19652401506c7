"""The referral form's rules: phone numbers checked and written as the directory writes them
(phonenumbers: Google's libphonenumber, which knows which US numbers can exist and which are
toll-free), and opening hours as a weekly grid of one opening per day."""
from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))


def checked_phone(raw: str) -> tuple[str | None, str | None]:
    """(the number as referrals.yaml writes it, or None; a plain-words problem, or None)."""
    raw = raw.strip()
    if not raw:
        return None, None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None, f"“{raw}” is not a phone number."
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        return None, f"“{raw}” is not a phone number that exists in the US (10 digits, a real area code)."
    digits = str(number.national_number)
    local = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    # Toll-free numbers are written with the 1 people dial first, as the directory does.
    return (f"1-{local}" if phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE else local), None


def grid(hours: dict | None) -> dict[str, tuple[str, str]]:
    """day -> (open, close) from the file's weekly openings ("" for closed)."""
    days = {day: ("", "") for day in DAYS}
    for opening in (hours or {}).get("weekly", []) or []:
        for day in opening.get("days", []):
            if days.get(day) == ("", ""):
                days[day] = (str(opening.get("open", "")), str(opening.get("close", "")))
    return days


def several_a_day(hours: dict | None) -> bool:
    seen = []
    for opening in (hours or {}).get("weekly", []) or []:
        seen.extend(opening.get("days", []))
    return len(seen) != len(set(seen))


def hours_from_grid(days: dict[str, tuple[str, str]]) -> tuple[CommentedMap | None, list[str]]:
    """The weekly openings (days with the same hours together, as the file writes them), or
    None when every day is closed; and the problems, in plain words."""
    problems, spans = [], []
    for day in DAYS:
        opens, closes = days.get(day, ("", ""))
        if not opens and not closes:
            continue
        if not opens or not closes:
            problems.append(f"{DAY_NAMES[day]}: give both the opening and the closing time, or neither.")
        elif closes <= opens:
            problems.append(f"{DAY_NAMES[day]}: it must close after it opens ({opens} to {closes}).")
        else:
            spans.append((day, opens, closes))
    if problems or not spans:
        return None, problems
    weekly = CommentedSeq()
    for opens, closes in dict.fromkeys((o, c) for _, o, c in spans):
        # Quoted as the file writes them: YAML 1.1 readers take a bare 17:00 for a number (1020).
        opening = CommentedMap(days=[d for d, o, c in spans if (o, c) == (opens, closes)],
                               open=Quoted(opens), close=Quoted(closes))
        opening.fa.set_flow_style()
        weekly.append(opening)
    return CommentedMap(timezone="America/New_York", weekly=weekly), []
