"""Languages: which ones the hotline serves, their catalogs, and what a person's input means.

Catalogs are read once at start-up straight from the `.po` files (no compile step to forget),
and turned into one Phrasebook per language: every string of the Script already resolved to
the text that language serves. A translation is served only when it is complete, not fuzzy,
and keeps the English placeholders; anything else falls back to English, never to garbage.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from hotline.errors import CatalogError
from hotline.flows import contract
from hotline.flows.script import Script
from hotline.flows.strings import CHANNEL_FIELDS, keyword_context, label_context, message_context, node_context, referral_context, translatables

log = logging.getLogger(__name__)

ENGLISH = "en"
# A language is offered only when most of it is really translated: a menu entry in Arabic
# that leads to English text would be worse than no entry. Below this share of strings the
# language is skipped (and the staff check says why).
MIN_COVERAGE = 0.8
# The order callers see on the language menu. English first: it is the source language.
LANGUAGES = ("en", "es", "uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans")


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # the language named in itself, in its own script
    rtl: bool

    @classmethod
    def of(cls, code: str) -> "Language":
        locale = Locale.parse(code)
        # Babel names fa_AF "فارسی (افغانستان)"; people call it Dari (دری), which Babel also knows.
        name = locale.languages.get(code) or locale.languages.get(locale.language) or code
        return cls(code, name, locale.text_direction == "rtl")


# --- input -------------------------------------------------------------------------------

_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """What a person meant, in a form that compares equal across keyboards.

    " 2. " -> "2", "٢" and "۲" and "２" -> "2", "Menú" -> "menu", "AYUDA!" -> "ayuda".
    A lone "*" or "#" (keypad keys) survives the punctuation trim.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    # Arabic script: drop tatweel and treat Persian/Arabic letter variants alike.
    text = text.replace("\u0640", "").translate(_ARABIC_VARIANTS)
    text = _SPACES.sub(" ", text.casefold()).strip()
    trimmed = _EDGE_PUNCTUATION.sub("", text)
    return trimmed if trimmed else text


_ARABIC_VARIANTS = str.maketrans({"\u06cc": "\u064a", "\u0649": "\u064a", "\u06a9": "\u0643", "\u0629": "\u0647"})


# Letters only one language of a script uses decide between its neighbours; otherwise the
# script gives a short list. Order matters: specific letters before the whole script.
_SCRIPTS = (
    (re.compile("[\u0456\u0457\u0454\u0491]"), ("uk",)),          # і ї є ґ
    (re.compile("[\u044b\u044d\u044a\u0451]"), ("ru",)),          # ы э ъ ё
    (re.compile("[\u0400-\u04ff]"), ("uk", "ru")),
    (re.compile("[\u067c\u0681\u0685\u0689\u0693\u0696\u069a\u06bc\u06cd\u06d0]"), ("ps",)),  # Pashto-only letters
    (re.compile("[\u067e\u0686\u0698\u06af]"), ("fa_AF", "ps")),  # پ چ ژ گ: not in Arabic
    (re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"), ("ar", "fa_AF", "ps")),
    (re.compile("[\u3400-\u9fff\uf900-\ufaff]"), ("zh_Hans",)),
)


# --- catalogs ----------------------------------------------------------------------------


@dataclass
class CatalogReport:
    """How complete one language is: for the staff check and the closing note."""

    code: str
    total: int = 0
    translated: int = 0
    fuzzy: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    review_status: str = "none"


def catalog_path(translations_dir: Path, code: str) -> Path:
    return translations_dir / code / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, code: str) -> Catalog:
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{path}: this catalog cannot be read: {exc}") from exc
    # Babel keeps only the header fields it knows and drops ours, so read it from the file.
    catalog.hotline_review_status = _header_field(path, "X-Review-Status")
    return catalog


def _header_field(path: Path, name: str) -> str | None:
    header = path.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
    found = re.search(rf'^"{re.escape(name)}:\s*([^"\\]*)', header, re.MULTILINE)
    return found.group(1).strip() if found else None


def review_status(catalog: Catalog) -> str:
    """`X-Review-Status: draft|reviewed` in the catalog header; draft until a native speaker signs off."""
    status = getattr(catalog, "hotline_review_status", None)
    if status is not None:
        return status or "draft"
    for key, value in catalog.mime_headers:
        if key.lower() == "x-review-status":
            return value.strip() or "draft"
    return "draft"


class Phrasebook:
    """Everything one language says, resolved at start-up so a turn does no lookups but dict gets."""

    def __init__(self, script: Script, language: Language, translations: dict[str, str], all_language_words: dict[str, str]):
        self.language = language
        self.code = language.code

        def say(context: str, english: str) -> str:
            return translations.get(context, english)

        self.texts: dict[tuple[str, str], str] = {}
        self.labels: dict[tuple[str, int], str] = {}
        for node_id, node in script.nodes.items():
            flow = script.flow_of(node_id)
            for field_name in CHANNEL_FIELDS:
                english = getattr(node, field_name)
                if english:
                    self.texts[(node_id, field_name)] = say(node_context(flow, node_id, field_name), english)
            for item in node.menu:
                self.labels[(node_id, item.key)] = say(label_context(flow, node_id, item.key), item.label)
        self.messages = {mid: say(message_context(mid), text) for mid, text in script.messages.items()}
        self.offers = {rid: say(referral_context(rid), r.offers) for rid, r in script.referrals.items()}
        # Keywords: English always works; the language adds its own words; the language
        # keyword works in every language so nobody is stuck in a language they can't read.
        self.commands: dict[str, str] = dict(all_language_words)
        for keyword_id, words in script.keywords.items():
            for word in words:
                self.commands[normalize(word)] = keyword_id
            translated = translations.get(keyword_context(keyword_id))
            if translated:
                for word in translated.split(","):
                    if normalize(word):
                        self.commands[normalize(word)] = keyword_id

    def text(self, node_id: str, channel: str) -> str:
        """The node's words for a channel: its `sms:`/`voice:` override, else its `text`."""
        return self.texts.get((node_id, channel)) or self.texts.get((node_id, "text"), "")

    def message(self, message_id: str, **params: str) -> str:
        text = self.messages[message_id]
        return text.format(**params) if params else text


def _served_translations(script: Script, catalog: Catalog, report: CatalogReport, path: Path) -> dict[str, str]:
    served: dict[str, str] = {}
    broken: list[str] = []
    for item in translatables(script):
        report.total += 1
        message = catalog.get(item.english, context=item.context)
        if message is None or not message.string:
            report.missing.append(item.context)
            continue
        if message.fuzzy:
            report.fuzzy.append(item.context)
            continue
        if contract.placeholders(message.string) != contract.placeholders(item.english):
            broken.append(f"{path}: '{item.context}' has placeholders {sorted(contract.placeholders(message.string))}, "
                          f"the English has {sorted(contract.placeholders(item.english))}")
            continue
        served[item.context] = message.string
        report.translated += 1
    if broken:
        raise CatalogError("a catalog's placeholders do not match the English:\n  " + "\n  ".join(broken))
    return served


@dataclass(frozen=True)
class Languages:
    """The languages served, in menu order, and one Phrasebook each."""

    books: dict[str, Phrasebook]
    reports: dict[str, CatalogReport]
    # normalized word -> the languages whose own keywords (greetings, HELP, ...) include it
    words: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.books)

    def book(self, code: str | None) -> Phrasebook:
        return self.books.get(code or ENGLISH) or self.books[ENGLISH]

    def detect(self, said: str) -> tuple[str, ...]:
        """Which served languages a first message may be in (normalized input).

        One answer: go straight to it. Several: offer just those. None: offer them all.
        A keyword or greeting names its language; otherwise the script narrows it down.
        """
        if not said:
            return ()
        by_word = self.words.get(said)
        if by_word:
            return tuple(code for code in self.codes if code in by_word)
        for pattern, candidates in _SCRIPTS:
            if pattern.search(said):
                return tuple(code for code in candidates if code in self.books)
        return ()


def load_languages(script: Script, translations_dir: str | Path, wanted: tuple[str, ...] = LANGUAGES,
                   min_coverage: float = MIN_COVERAGE) -> Languages:
    """English plus every wanted language that has a catalog. Raises CatalogError on a broken one.

    `min_coverage=0` serves every catalog however little is translated: staff previews
    (`hotline chat --lang`, `hotline render`) show a language before callers are offered it.
    """
    translations_dir = Path(translations_dir)
    tables: dict[str, dict[str, str]] = {ENGLISH: {}}
    reports: dict[str, CatalogReport] = {ENGLISH: CatalogReport(ENGLISH, review_status="source")}
    for code in wanted:
        if code == ENGLISH:
            continue
        path = catalog_path(translations_dir, code)
        if not path.exists():
            continue
        catalog = read_catalog(path, code)
        report = CatalogReport(code, review_status=review_status(catalog))
        served = _served_translations(script, catalog, report, path)
        reports[code] = report
        if report.translated < min_coverage * report.total:
            log.warning("catalog %s: only %d of %d strings translated; not offered to callers",
                        code, report.translated, report.total)
            continue
        tables[code] = served
        if report.missing or report.fuzzy:
            log.warning("catalog %s: %d of %d strings served in English (%d missing, %d fuzzy)",
                        code, len(report.missing) + len(report.fuzzy), report.total, len(report.missing), len(report.fuzzy))
    language_words: dict[str, str] = {}
    for table in tables.values():
        for word in table.get(keyword_context("language"), "").split(","):
            if normalize(word):
                language_words[normalize(word)] = "language"
    books = {code: Phrasebook(script, Language.of(code), tables[code], language_words)
             for code in wanted if code in tables}
    # Each language's own keywords identify it in a first message ("hola", "ayuda", "привіт").
    words: dict[str, set[str]] = {}
    for code in books:
        own = [w for ws in script.keywords.values() for w in ws] if code == ENGLISH else [
            w for kid in script.keywords for w in tables[code].get(keyword_context(kid), "").split(",")]
        for word in own:
            if normalize(word):
                words.setdefault(normalize(word), set()).add(code)
    return Languages(books=books, reports=reports, words={w: frozenset(c) for w, c in words.items()})
