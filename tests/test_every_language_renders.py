"""Every node of every flow, rendered in every served language, as callers get it.

No English where the catalog has a translation, no placeholder left unfilled, nothing empty.
Run over the shipped catalogs (whatever is served: as soon as a language passes the coverage
threshold it is checked here) and over the fixture hotline, where all nine are served.
"""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import FIXTURES
from hotline.channels.sms import reply_text
from hotline.config import Settings
from hotline.content.bundle import load_content
from hotline.content.catalogs.strings import translatables
from hotline.content.catalogs.languages import catalog_path, keyword_words, read_catalog
from hotline.staff.sms_budget import MOMENTS, replies

I18N = FIXTURES / "i18n"
SETTINGS = Settings.from_env({}, dev=True)
PLACES = {
    "shipped": (SETTINGS.flows_dir, SETTINGS.translations_dir),
    "fixture": (I18N / "flows", I18N / "translations"),
}
MARKS = re.compile("[\u200e\u200f]")
CHOICE = re.compile(r"^\d ")


@pytest.fixture(scope="module", params=sorted(PLACES))
def place(request):
    flows, translations = PLACES[request.param]
    return load_content(flows, translations), translations


def served_value(book, context: str):
    """What a phrasebook serves for one msgctxt."""
    kind, _, rest = context.partition(":")
    if kind == "messages":
        return book.messages[rest]
    if kind == "referrals":
        return book.offers[rest.split(":")[0]]
    if kind == "keywords":
        return None  # words, not text: checked through the commands
    if kind == "card":
        return book.phrase(context, None)  # the pocket card's lines
    node, field = rest.split(":", 1)
    if field.startswith("menu:"):
        return book.labels[(node, int(field.split(":")[1]))]
    return book.texts[(node, field)]


def test_every_translation_is_served_and_nothing_else(place):
    content, translations = place
    for code in content.languages.codes:
        if code == "en":
            continue
        book = content.languages.book(code)
        catalog = read_catalog(catalog_path(translations, code), code)
        for item in translatables(content.script):
            message = catalog.get(item.english, context=item.context)
            translated = bool(message and message.msgstr and not message.fuzzy)
            if item.context.startswith("keywords:"):
                if translated:
                    keyword_id = item.context.split(":")[1]
                    for word in keyword_words(message.msgstr):
                        assert book.commands.get(word) in (keyword_id, "language"), (code, item.context, word)
                continue
            expected = message.msgstr if translated else item.english
            # who runs the line is said in one place and filled in wherever a message names it
            expected = expected.replace("{operator}", book.messages.get("operator", ""))
            assert served_value(book, item.context) == expected, (code, item.context)


def translated_english(content, translations, code) -> set[str]:
    """The English of every string the catalog translates (not fuzzy, not the same words)."""
    if code == "en":
        return set()
    catalog = read_catalog(catalog_path(translations, code), code)
    english = set()
    for item in translatables(content.script):
        message = catalog.get(item.english, context=item.context)
        if (message and message.msgstr and not message.fuzzy and message.msgstr != item.english
                and "{" not in item.english and not item.context.startswith("keywords:")):
            english.add(item.english)
    return english


def test_every_reply_in_every_language_is_whole(place):
    content, translations = place
    checked = 0
    for code in content.languages.codes:
        # English that has a translation in this language must never reach its callers.
        leaks = translated_english(content, translations, code)
        for reply in replies(content, code):
            for moment in MOMENTS:
                text = reply_text(content, reply.turn, moment)
                where = f"{reply.where} [{code}]"
                assert text.strip(), f"{where}: an empty reply"
                assert not re.search(r"\{[A-Za-z_]*\}", text), f"{where}: a placeholder left unfilled:\n{text}"
                for line in MARKS.sub("", text).split("\n"):
                    if CHOICE.match(line):
                        assert line[2:].strip(), f"{where}: a menu choice without a label: {line!r}"
                    if reply.where.endswith("language list"):
                        continue  # each language named in itself, by design
                    assert CHOICE.sub("", line) not in leaks, f"{where}: English served where {code} has a translation: {line!r}"
                checked += 1
    assert checked >= 12 * len(MOMENTS)


def test_the_leak_check_catches_a_leak(tmp_path):
    """The check above is not vacuous: an English label in a Spanish reply is caught."""
    # A Content of this test's own to spoil (load_content shares one per set of files and folders).
    shutil.copytree(I18N, tmp_path / "i18n")
    content = load_content(tmp_path / "i18n" / "flows", tmp_path / "i18n" / "translations")
    book = content.languages.book("es")
    english_label = content.languages.book("en").labels[("main_menu", 1)]
    book.labels[("main_menu", 1)] = english_label  # as if the phrasebook had fallen back
    with pytest.raises(AssertionError, match="English served where es has a translation: '1 Door'"):
        test_every_reply_in_every_language_is_whole((content, tmp_path / "i18n" / "translations"))
