"""The words a person sent: cleaned once where they come in, then read by everyone.

`Words` carries the text twice: as sent (its letters tell Persian from Arabic and Russian from
Ukrainian, so language detection reads them unfolded) and normalised (what every comparison
with a menu key, a keyword or a greeting uses). It is made once per turn, by the session layer's
intake, and handed to the engine, the language detection and the switchboard's own rules.
"""
from __future__ import annotations

import re
import unicodedata


_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """What a person meant, in a form that compares equal across keyboards.

    " 2. " -> "2", "٢" and "۲" and "２" -> "2", "Menú" -> "menu", "AYUDA!" -> "ayuda".
    A lone "*" or "#" (keypad keys) survives the punctuation trim.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    # Invisible format characters (ZWNJ in Persian words, bidi marks a phone pastes along)
    # change nothing a person meant: "می‌خواهم" and "میخواهم" are the same word.
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    # Arabic script: drop tatweel and treat the letter variants of Arabic, Persian and Pashto
    # keyboards alike (many Afghans type on an Arabic keyboard, and the reverse).
    text = text.replace("\u0640", "").translate(_ARABIC_VARIANTS)
    text = _SPACES.sub(" ", text.casefold()).strip()
    trimmed = _EDGE_PUNCTUATION.sub("", text)
    return trimmed if trimmed else text


_ARABIC_VARIANTS = str.maketrans({
    "\u06cc": "\u064a", "\u0649": "\u064a", "\u06d0": "\u064a", "\u06cd": "\u064a",  # ی ى ې ۍ -> ي
    "\u06a9": "\u0643", "\u06ab": "\u06af",  # ک -> ك, Pashto ګ -> گ
    "\u0629": "\u0647", "\u06c1": "\u0647", "\u06be": "\u0647", "\u06d5": "\u0647",  # ة ہ ھ ە -> ه
    "\u0671": "\u0627",  # ٱ -> ا (أ إ آ lose their hamza and madda as combining marks above)
})


# What the letters of a first message say about its language. The clues are read from the
# text as sent (only NFKC-folded): normalize() folds away exactly the letters that tell
# Persian from Arabic (ی ک) and Russian from Ukrainian (ё). The first clue that matches
# decides; letters only one language uses come before the script they belong to.
_SCRIPTS = (
    (re.compile("[\u0456\u0457\u0454\u0491\u0406\u0407\u0404\u0490]"), ("uk",)),  # і ї є ґ
    (re.compile("[\u044b\u044d\u044a\u0451\u042b\u042d\u042a\u0401]"), ("ru",)),  # ы э ъ ё
    (re.compile("[\u0400-\u04ff]"), ("uk", "ru")),
    # Letters of Pashto alone: ټ ځ څ ډ ړ ږ ښ ګ ڼ ۍ ې
    (re.compile("[\u067c\u0681\u0685\u0689\u0693\u0696\u069a\u06ab\u06bc\u06cd\u06d0]"), ("ps",)),
    # Not in Arabic: پ چ ژ گ, Persian yeh ی and keheh ک, Persian digits ۰-۹
    (re.compile("[\u067e\u0686\u0698\u06af\u06cc\u06a9\u06f0-\u06f9]"), ("fa_AF", "ps")),
    (re.compile("[\u0600-\u06ff\u0750-\u077f]"), ("ar", "fa_AF", "ps")),
    (re.compile("[\u3040-\u30ff]"), ()),  # kana: Japanese, which the hotline does not serve
    (re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), ("zh_Hans",)),
    # Latin letters: ñ ¿ ¡ and acute vowels are Spanish; grave è ò are Haitian Creole.
    (re.compile("[\u00f1\u00d1\u00bf\u00a1\u00e1\u00ed\u00f3\u00fa\u00c1\u00cd\u00d3\u00da]"), ("es",)),
    (re.compile("[\u00e8\u00f2\u00c8\u00d2]"), ("ht",)),
)


def script_clues(text: str) -> tuple[str, ...]:
    """The languages the letters of `text` point to, before any folding; () when they say nothing."""
    text = unicodedata.normalize("NFKC", text)
    for pattern, candidates in _SCRIPTS:
        if pattern.search(text):
            return candidates
    return ()


class Words:
    """One message's words: `text` as it came in (already cleaned), `said` normalised."""

    __slots__ = ("text", "said")

    def __init__(self, text: str):
        self.text = text
        self.said = normalize(text)

    def __repr__(self) -> str:  # never a caller's words in a log line by accident: tests only
        return f"Words({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def clues(self) -> tuple[str, ...]:
        return script_clues(self.text)


NOTHING = Words("")
