"""Phone numbers as staff write them, checked and shown with Google's libphonenumber (`phonenumbers`).

A referral's number may be written in any common North American form ("607-555-0142",
"(607) 555-0142", "1-800-555-0142", "+1 607 555 0142", "607.555.0142"); it is kept as staff
expect to read it, "607-555-0142" or "1-800-555-0142" for a toll-free line, which is also
what the phone line reads out digit by digit. A number that cannot exist ("000-555-0142":
no area code starts with 0) is refused, with the reason. A hand-written pattern accepted
that number; libphonenumber knows the numbering plan, its area codes and exchange rules.
"""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, number_type

REGION = "US"  # a number without +country is a North American one (the NANP: US, Canada, ...)
_TOLL_FREE = {PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST}


class PhoneProblem(ValueError):
    """Why a phone number cannot be used, in plain words."""


def parse(text: str) -> phonenumbers.PhoneNumber:
    raw = str(text).strip()
    if any(ch.isalpha() for ch in raw.removeprefix("+")):
        # libphonenumber would turn 1-800-HOTLINE into digits; callers need the digits written
        # out (the phone line reads them one by one), so staff write them.
        try:
            digits = phonenumbers.convert_alpha_characters_in_number(raw)
        except Exception:  # pragma: no cover - the library only maps letters
            digits = ""
        try:
            shown = display(digits)
        except PhoneProblem:
            shown = digits
        hint = f" ({raw} is {shown})" if shown and shown != raw else ""
        raise PhoneProblem(f"'{raw}' has letters: write the digits{hint}, like 607-555-0142")
    try:
        number = phonenumbers.parse(raw, REGION)
    except NumberParseException:
        raise PhoneProblem(f"'{raw}' is not a phone number; write it like 607-555-0142") from None
    if number.country_code != 1:
        raise PhoneProblem(f"'{raw}' is not a North American number; the hotline shows and dials only those")
    if not phonenumbers.is_possible_number(number):
        raise PhoneProblem(f"'{raw}' has the wrong number of digits; write a 10-digit number like 607-555-0142")
    if not phonenumbers.is_valid_number(number):
        raise PhoneProblem(f"'{raw}' cannot be a real number (no area code or exchange starts with 0 or 1); "
                           "check the digits")
    return number


def display(text: str) -> str:
    """The number as staff and callers read it: 607-555-0142, or 1-800-555-0142 for toll-free."""
    number = parse(text)
    digits = str(number.national_number)
    local = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"1-{local}" if number_type(number) in _TOLL_FREE else local


def e164(text: str) -> str:
    """+16075550142: for dialing (tel: links, Twilio)."""
    return phonenumbers.format_number(parse(text), phonenumbers.PhoneNumberFormat.E164)
