"""Languages: which ones the hotline serves, their catalogs, and what a person's input means.

Catalogs are read once at start-up straight from the `.po` files (no compile step to forget),
and turned into one Phrasebook per language: every string of the Script already resolved to
the text that language serves. A translation is served only when it is complete, not fuzzy,
and keeps the English placeholders; anything else falls back to English, never to garbage.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from babel import Locale
import polib
from babel.dates import get_day_names

from hotline.core.languages import ENGLISH, LANGUAGES
from hotline.core.words import Words, normalize
from hotline.errors import CatalogError
from hotline.core import contract
from hotline.content.catalogs import pocheck
from hotline.content.script import Script
from hotline.content.catalogs.strings import CHANNEL_FIELDS, keyword_context, label_context, message_context, node_context, referral_context, translatables

log = logging.getLogger(__name__)

# A language is offered only when most of it is really translated: a menu entry in Arabic
# that leads to English text would be worse than no entry. Below this share of strings the
# language is skipped (and the staff check says why).
MIN_COVERAGE = 0.8


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


_WORD = re.compile(r"\w+")


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
    reviewed_by: str = ""  # "ana 2026-12-02": who reviewed it, and when (the console writes it)
    served: bool = False
    # Keyword words that cannot work as translated (a digit, or a word two keywords share).
    keyword_problems: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.translated / self.total if self.total else 0.0


def catalog_path(translations_dir: Path, code: str) -> Path:
    return translations_dir / code / "LC_MESSAGES" / "messages.po"


class CatalogFile:
    """One catalog as polib read it, with its entries found by (msgid, msgctxt)."""

    def __init__(self, po: polib.POFile, problems: list[pocheck.Problem] = ()):
        self.po = po
        self.problems = list(problems)  # msgfmt -c's warnings (errors stop read_catalog)
        self._entries = {(e.msgid, e.msgctxt): e for e in po if not e.obsolete}

    def get(self, msgid: str, context: str | None = None) -> polib.POEntry | None:
        return self._entries.get((msgid, context))

    def __iter__(self):
        return iter(e for e in self.po if not e.obsolete and e.msgid)

    @property
    def obsolete(self) -> list[polib.POEntry]:
        return [e for e in self.po if e.obsolete]

    @property
    def language(self) -> str | None:
        return self.po.metadata.get("Language") or None


def read_catalog(path: Path, code: str) -> CatalogFile:
    """Read one catalog with polib after the checks msgfmt -c makes (pocheck).

    Raises CatalogError "<path>:<line>: <reason>" on the first error: a catalog msgfmt, Poedit or
    Weblate would refuse is never served, and a lenient reading could serve garbled text."""
    try:
        raw = path.read_bytes()
        # Some editors on Windows start a UTF-8 file with a byte order mark; it means nothing here.
        raw = raw.removeprefix(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(f"{path}:{line}: this catalog is not UTF-8 text; save it as UTF-8") from exc
    except OSError as exc:
        raise CatalogError(f"{path}: this catalog cannot be read: {exc}") from exc
    po, problems = pocheck.check(text)
    # Placeholder mismatches are refused too, by _served_translations, in the hotline's own words.
    errors = [p for p in problems if p.severity == "error" and p.kind != "format"]
    if po is None or errors:
        first = errors[0]
        raise CatalogError(f"{path}:{first.line}: {first.reason}")
    catalog = CatalogFile(po, problems)
    declared = catalog.language
    if declared and declared != code:
        raise CatalogError(f"{path}: the header says `Language: {declared}`, but the file is the {code} catalog; "
                           f"was a catalog copied into the wrong folder?")
    return catalog


_REVIEW_COMMENT = re.compile(r"^#\s*Review status:\s*(\w+)", re.MULTILINE | re.IGNORECASE)
_REVIEW_HEADER = re.compile(r'^"X-Review-Status:\s*([^"\\]*)', re.MULTILINE | re.IGNORECASE)


def review_status(po_text: str) -> str:
    """draft|reviewed: draft until a native speaker signs off.

    Written as `# Review status: draft` in the header comment, which every gettext tool keeps
    (a plain `pybabel update` keeps comments but silently drops header fields it does not
    know); an `X-Review-Status:` header field is read too. Read from the file's text, because
    Babel's Catalog does not keep unknown header fields. Nothing found reads "draft": the safe side.
    """
    found = _REVIEW_COMMENT.search(po_text) or _REVIEW_HEADER.search(po_text)
    return (found.group(1).strip().lower() if found else "") or "draft"


_REVIEWED_BY = re.compile(r"^#\s*Review status:\s*reviewed by (\S+) on (\d{4}-\d{2}-\d{2})", re.MULTILINE | re.IGNORECASE)


def reviewer_of(po_text: str) -> str:
    """"ana 2026-12-02" from `# Review status: reviewed by ana on 2026-12-02`, else ""."""
    found = _REVIEWED_BY.search(po_text)
    return f"{found.group(1)} {found.group(2)}" if found and review_status(po_text) == "reviewed" else ""


# Translators separate keyword words with their own script's comma too: , ، ， 、
_KEYWORD_SEPARATORS = re.compile("[,\u060c\uff0c\u3001]")


def keyword_words(text: str) -> list[str]:
    """The normalized words of a keyword entry ("MENÚ, INICIO" -> ["menu", "inicio"]).

    A digit is never a keyword: it would hide a menu choice."""
    words = [normalize(word) for word in _KEYWORD_SEPARATORS.split(text)]
    return [w for w in words if w and not w.isdigit()]


class Phrasebook:
    """Everything one language says, resolved at start-up so a turn does no lookups but dict gets."""

    def __init__(self, script: Script, language: Language, translations: dict[str, str], all_language_words: dict[str, str]):
        self.language = language
        self.code = language.code
        self._translations = translations

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
        # Who runs the line is said in one place staff set (the `operator` message) and filled
        # in wherever a message names it, once, here.
        operator = self.messages.get("operator", "")
        self.messages = {mid: text.replace("{operator}", operator) for mid, text in self.messages.items()}
        self.days = self._day_names(translations)
        self.offers = {rid: say(referral_context(rid), r.offers) for rid, r in script.referrals.items()}
        # Keywords: English always works; the language adds its own words; the language
        # keyword works in every language so nobody is stuck in a language they can't read.
        self.commands: dict[str, str] = dict(all_language_words)
        for keyword_id, words in script.keywords.items():
            for word in words:
                if normalize(word):
                    self.commands[normalize(word)] = keyword_id
        for keyword_id in script.keywords:
            for word in keyword_words(translations.get(keyword_context(keyword_id), "")):
                self.commands[word] = keyword_id

    def _day_names(self, translations: dict[str, str]) -> tuple[str, ...]:
        """Monday first: the catalog's day names; where a day is not translated, the locale
        data's (CLDR, through Babel) when it has its own, else the English."""
        english = [self.messages.get(message_id, name) for message_id, name in contract.DAY_MESSAGES.items()]
        locale_days = get_day_names("wide", locale=self.code)
        own = [locale_days[i] for i in range(7)]
        english_data = [[names[i] for i in range(7)] for names in
                        (get_day_names("wide", locale=ENGLISH), get_day_names("abbreviated", locale=ENGLISH))]
        if self.code != ENGLISH and own in english_data:
            own = english  # Babel has no day names for this language (Haitian Creole): it falls back to English
        return tuple(translations.get(message_context(message_id), own[i] if self.code != ENGLISH else english[i])
                     for i, message_id in enumerate(contract.DAY_MESSAGES))

    def text(self, node_id: str, channel: str) -> str:
        """The node's words for a channel: its `sms:`/`voice:` override, else its `text`."""
        return self.texts.get((node_id, channel)) or self.texts.get((node_id, "text"), "")

    def phrase(self, context: str, english: str) -> str:
        """Any other string by its context (the pocket card's lines, ...): translated or English."""
        return self._translations.get(context, english)

    def message(self, message_id: str, **params: str) -> str:
        text = self.messages[message_id]
        return text.format(**params) if params else text


def _served_translations(script: Script, catalog: CatalogFile, report: CatalogReport, path: Path) -> dict[str, str]:
    served: dict[str, str] = {}
    broken: list[str] = []
    for item in translatables(script):
        report.total += 1
        message = catalog.get(item.english, context=item.context)
        if message is None or not (message.msgstr or message.msgstr_plural):
            report.missing.append(item.context)
            continue
        if message.fuzzy:
            report.fuzzy.append(item.context)
            continue
        if message.msgid_plural:
            broken.append(f"{path}:{message.linenum}: '{item.context}' has plural forms; the hotline has none")
            continue
        if contract.placeholders(message.msgstr) != contract.placeholders(item.english):
            broken.append(f"{path}:{message.linenum}: '{item.context}' has placeholders {_braced(contract.placeholders(message.msgstr))}, "
                          f"the English has {_braced(contract.placeholders(item.english))}")
            continue
        if not message.msgstr.strip():
            report.missing.append(item.context)
            continue
        served[item.context] = message.msgstr
        report.translated += 1
    if broken:
        raise CatalogError("a catalog does not match the English and cannot be served:\n  " + "\n  ".join(broken))
    return served


def _braced(names: set[str]) -> str:
    """{phone}, {time}: placeholders as the translator wrote them (not a Python list)."""
    return ", ".join("{" + name + "}" for name in sorted(names)) or "none"


def _keyword_problems(script: Script, served: dict[str, str]) -> list[str]:
    problems, owner = [], {}
    for keyword_id in script.keywords:
        text = served.get(keyword_context(keyword_id), "")
        for word in _KEYWORD_SEPARATORS.split(text):
            if normalize(word).isdigit():
                problems.append(f"keywords:{keyword_id}: '{word.strip()}' is a digit, which is a menu choice; ignored")
        for word in keyword_words(text):
            if owner.setdefault(word, keyword_id) != keyword_id:
                problems.append(f"keywords:{keyword_id}: '{word}' is also a word for '{owner[word]}'")
    return problems


def language_names(code: str) -> set[str]:
    """What a person may type to ask for a language: its names in itself and in English (Babel's data)."""
    locale = Locale.parse(code)
    english = Locale("en")
    names = {Language.of(code).native_name, locale.language_name or "",
             english.languages.get(code, ""), english.languages.get(locale.language, "")}
    return {normalize(n) for n in names if normalize(n)}


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

    def detect(self, words: Words) -> tuple[str, ...]:
        """Which served languages a first message may be in, from the message as sent.

        One answer: go straight to it. Several: offer just those. None: offer them all.
        Words decide first: the whole message, else each word or pair of words, that is a
        keyword, greeting or language name ("hola", "привіт", "buenos dias", "español"). The
        letters then narrow it down or decide alone ("مرحبا" is Arabic script: ar, fa_AF, ps;
        "گ" is not Arabic: fa_AF, ps).
        """
        said = words.said
        if not said:
            return ()
        by_words = self._by_words(said)
        by_letters = words.clues
        if by_words and by_letters and by_words & set(by_letters):
            by_words &= set(by_letters)
        candidates = by_words or set(by_letters)
        return tuple(code for code in self.codes if code in candidates)

    @cached_property
    def urgent_words(self) -> frozenset[str]:
        """The panic words of every language served, normalised."""
        return frozenset(word for book in self.books.values() for word, meant in book.commands.items()
                         if meant == contract.URGENT)

    def is_urgent(self, words: Words) -> bool:
        """A panic word is the whole message, or one of its words or pairs of words ("ICE at my door")."""
        panic = self.urgent_words
        if words.said in panic:
            return True
        tokens = _WORD.findall(words.said)
        return any(t in panic for t in tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])])

    def _by_words(self, said: str) -> set[str]:
        whole = self.words.get(said)
        if whole:
            return set(whole)
        tokens = _WORD.findall(said)
        found = [self.words[t] for t in tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])] if t in self.words]
        if not found:
            return set()
        agreed = frozenset.intersection(*found)
        # Words of two languages ("hi, hola"): offer both rather than guess.
        return set(agreed) if agreed else set(frozenset.union(*found))


def catalog_report(script: Script, path: Path, code: str) -> tuple[CatalogReport, dict[str, str]]:
    """One catalog as load_languages judges it: its report, and the translations it would serve.

    Raises CatalogError on a broken one. (The staff check asks this of each catalog alone.)"""
    catalog = read_catalog(path, code)
    text = path.read_text(encoding="utf-8")
    report = CatalogReport(code, review_status=review_status(text), reviewed_by=reviewer_of(text))
    served = _served_translations(script, catalog, report, path)
    report.keyword_problems = _keyword_problems(script, served)
    return report, served


def is_offered(report: CatalogReport, min_coverage: float = MIN_COVERAGE) -> bool:
    """Whether load_languages gives the language a phrasebook: enough of it is translated."""
    return not report.translated < min_coverage * report.total


def load_languages(script: Script, translations_dir: str | Path, wanted: tuple[str, ...] = LANGUAGES,
                   min_coverage: float = MIN_COVERAGE) -> Languages:
    """English plus every wanted language that has a catalog. Raises CatalogError on a broken one.

    `min_coverage` is the share of strings a language needs to be offered; the staff report
    passes 0 to see every catalog as it would be served.
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
        report, served = catalog_report(script, path, code)
        reports[code] = report
        for problem in report.keyword_problems:
            log.warning("catalog %s: %s", code, problem)
        if not is_offered(report, min_coverage):
            log.warning("catalog %s: only %d of %d strings translated; not offered to callers",
                        code, report.translated, report.total)
            continue
        tables[code] = served
        if report.missing or report.fuzzy:
            log.warning("catalog %s: %d of %d strings served in English (%d missing, %d fuzzy)",
                        code, len(report.missing) + len(report.fuzzy), report.total, len(report.missing), len(report.fuzzy))
    language_words: dict[str, str] = {}
    for table in tables.values():
        for word in keyword_words(table.get(keyword_context("language"), "")):
            language_words[word] = "language"
    books = {code: Phrasebook(script, Language.of(code), tables[code], language_words)
             for code in wanted if code in tables}
    reports[ENGLISH].total = reports[ENGLISH].translated = sum(1 for _ in translatables(script))
    for code in books:
        reports[code].served = True
    # Each language's own keywords and its names identify it in a first message
    # ("hola", "ayuda", "привіт", "español").
    words: dict[str, set[str]] = {}
    for code in books:
        own = [normalize(w) for ws in script.keywords.values() for w in ws] if code == ENGLISH else [
            w for kid in script.keywords for w in keyword_words(tables[code].get(keyword_context(kid), ""))]
        for word in [w for w in own if w] + sorted(language_names(code)):
            words.setdefault(word, set()).add(code)
    return Languages(books=books, reports=reports, words={w: frozenset(c) for w, c in words.items()})
