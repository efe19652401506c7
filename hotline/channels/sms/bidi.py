"""Right-to-left text on a phone: marks that keep menus and numbers where a reader expects them.

A text message has no markup, so a phone lays out each line (each paragraph, in Unicode's
terms) by the Unicode Bidirectional Algorithm from the line's first strong letter. Two things
go wrong in Arabic, Dari and Pashto replies without help:

1. A line that starts with a digit or a Latin word ("1 ICE ...", "NYS Office ...: ...") takes
   its direction from that word, so it is laid out left-to-right and the Arabic around it is
   shuffled, and its menu number lands on the wrong side.
2. A phone number or a time inside Arabic letters breaks apart: after an Arabic letter its
   digits count as "Arabic numbers", the hyphens between them stop binding, and
   1-800-566-7636 shows as 7636-566-800-1.

The fix uses the two oldest directional marks, which every phone since Unicode 3 renders
invisibly (the newer isolates FSI/PDI show as boxes on older handsets):
- RIGHT-TO-LEFT MARK (U+200F) at the start of a right-to-left line that does not begin with
  an RTL letter, and before every menu choice in an RTL reply, so every line is laid out
  right-to-left and every menu number sits at the right, where the reader starts.
- LEFT-TO-RIGHT MARK (U+200E) just before a number with separators or Latin letters (phone
  numbers, times, dates, "287(g)", "I-200", "79-p"): with a strong left-to-right letter before
  it the whole token is one left-to-right run and reads as written. A token that ends in a
  bracket gets a second mark after it, or the bracket would join the Arabic and turn round.
- In a left-to-right reply (the first-contact language list) a choice named in an RTL
  language gets a LEFT-TO-RIGHT MARK, so "5 العربية" keeps its number on the left like
  every other line of the list.

Lines without any RTL letter (an English fallback, an organisation's name) are left alone:
forcing them right-to-left would move their full stop to the wrong end. The marks cost one
UCS-2 unit each and only ever appear in text that holds Arabic-script letters, which is
UCS-2 already, so they never change a message's encoding.
"""
from __future__ import annotations

import re
import unicodedata

RLM = "\u200f"
LRM = "\u200e"

# Runs of digits and Latin letters joined by - . / : or a bracketed part: 1-800-566-7636, 17:00,
# 2026-11-28, 287(g), R25-73. Never inside a web address or an e-mail (a mark would break the
# link): a run must not follow a letter, digit or / . : @ _ - and must not be followed by / @.
_LTR_TOKEN = re.compile(r"(?<![A-Za-z\d/.:@_\-\u200e])[A-Za-z\d]+(?:[-./:][A-Za-z\d]+|\([A-Za-z\d]+\))*(?![/@])")


def is_rtl_letter(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def has_rtl(text: str) -> bool:
    # Each distinct character once: a reply repeats the same few dozen letters hundreds of times.
    return not text.isascii() and any(is_rtl_letter(ch) for ch in set(text))


def _starts_rtl(text: str) -> bool:
    """Whether the first strong character of the line is right-to-left."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _numbers_left_to_right(text: str) -> str:
    def mark(found: re.Match) -> str:
        token = found.group(0)
        # A bare number ("2025", "0") reads right already, and words without digits ("ICE") too;
        # one that starts with a Latin letter ("I-200") is left-to-right from its first letter.
        if token.isdigit() or not any(ch.isdigit() for ch in token):
            return token
        return (LRM if token[0].isdigit() else "") + token + (LRM if token.endswith(")") else "")

    return _LTR_TOKEN.sub(mark, text)


def rtl_line(line: str) -> str:
    """One line of prose in a right-to-left reply."""
    if not has_rtl(line):
        return line
    line = _numbers_left_to_right(line)
    return line if _starts_rtl(line) else RLM + line


def rtl_choice(key: str, label: str) -> str:
    """A menu line in a right-to-left reply: always marked, so every number is on the same side."""
    return f"{RLM}{key} {_numbers_left_to_right(label) if has_rtl(label) else label}"


def ltr_choice(key: str, label: str) -> str:
    """A menu line in a left-to-right reply; one named in an RTL language keeps its number on the left."""
    return f"{LRM}{key} {label}" if has_rtl(label) else f"{key} {label}"
