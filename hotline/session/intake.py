"""What a person sends, made safe before anything reads it, and Twilio's own keywords.

Anything can arrive in a message body: NUL bytes, control characters, bidi overrides pasted
from a chat app, a 1600-character rant, emoji. The engine only ever needs a short command or a
digit, so the text is cleaned and clipped here, once, for every channel.

Twilio's messaging keywords (STOP, START, HELP and their synonyms) are decided here too,
before the engine sees anything: they are carrier-level commands, never menu answers. Twilio
acts on a message only when the whole message is that one word (any case, surrounding spaces
allowed), so that is exactly how they are matched. With Advanced Opt-Out, Twilio tells us
what it decided in `OptOutType`, which then wins (it covers custom and translated keywords).
"""
from __future__ import annotations

import re
import unicodedata

# Twilio's default keyword lists (platform reference: "Opt-out").
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

STOP, START, HELP = "stop", "start", "help"
_OPT_OUT_TYPES = {"STOP": STOP, "START": START, "HELP": HELP}

# A command is a word or a digit; the longest keyword or greeting is a few words. Anything past
# one SMS segment is not read (the rest cannot change what the hotline answers).
MAX_TEXT = 160

# Characters that change how text looks or is ordered without being text: bidi embeddings,
# overrides and isolates, direction marks, zero-width space, byte-order mark. ZWJ and ZWNJ stay:
# Persian and Pashto spelling and emoji sequences use them.
_INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u2060\ufeff")
_SPACES = re.compile(r"\s+")


def carrier_word(text: str, opt_out_type: str | None = None) -> str | None:
    """STOP, START or HELP when Twilio treats this message as that keyword, else None."""
    if opt_out_type:
        decided = _OPT_OUT_TYPES.get(opt_out_type.strip().upper())
        if decided:
            return decided
    word = text.strip()
    if not word.isascii():  # "ſtop".upper() is "STOP"; Twilio would not read it as STOP
        return None
    word = word.upper()
    if word in OPT_OUT_WORDS:
        return STOP
    if word in OPT_IN_WORDS:
        return START
    if word in HELP_WORDS:
        return HELP
    return None


def clean(text: str) -> str:
    """The text with control, invisible and unpaired-surrogate characters removed, clipped."""
    kept = []
    for ch in text[: MAX_TEXT * 4]:  # clip early: a huge body costs no more than a short one
        category = unicodedata.category(ch)
        if ch in "\t\n\r\v\f":
            kept.append(" ")
        elif category in ("Cc", "Cs") or ch in _INVISIBLE:
            continue
        else:
            kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()[:MAX_TEXT]


def media_count(value: str | None) -> int:
    """Twilio's NumMedia as a number; anything unreadable counts as no media."""
    try:
        return max(0, int((value or "0").strip()))
    except ValueError:
        return 0
