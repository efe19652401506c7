"""Input in every script: digits from any keyboard, keywords with or without accents, any case."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES
from hotline.content.bundle import load_content
from hotline.core.engine import Choices, Notice, Show, State, step
from hotline.core.words import Words, normalize

I18N = FIXTURES / "i18n"


@pytest.fixture(scope="module")
def content():
    return load_content(I18N / "flows", I18N / "translations")


ASCII = "0123456789"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"  # U+0660-0669, Arabic keyboards
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0-06F9, Persian, Dari and Pashto keyboards
FULL_WIDTH = "０１２３４５６７８９"  # U+FF10-FF19, Chinese and Japanese input methods
DEVANAGARI = "०१२३४५६७८९"  # any decimal digit Unicode knows counts


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN, FULL_WIDTH, DEVANAGARI], ids=["arabic", "persian", "full-width", "devanagari"])
def test_every_digit_is_its_ascii_value(digits):
    assert [normalize(d) for d in digits] == list(ASCII)
    assert normalize(digits[1] + digits[2]) == "12"


@pytest.mark.parametrize("raw,expected", [
    (" 2. ", "2"), ("2)", "2"), ("#2", "2"), ("(3)", "3"), ("٣.", "3"), ("۳؟", "3"), ("３。", "3"),
    ("*", "*"), ("#", "#"), (" * ", "*"),
])
def test_digits_survive_the_punctuation_around_them(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Menú", "menu"), ("MENÚ", "menu"), ("menu", "menu"), ("  Menú! ", "menu"), ("AYUDA", "ayuda"),
    ("Atrás", "atras"), ("ATRAS", "atras"), ("Información", "informacion"), ("BUENOS  DÍAS", "buenos dias"),
    ("ÈD", "ed"), ("èd", "ed"), ("Kreyòl", "kreyol"),
    ("ПРИВІТ", "привіт"), ("Привет", "привет"), ("МЕНЮ", "меню"),
    ("ЇЖА", "іжа"), ("ЙОГО", "иого"), ("ЁЛКА", "елка"),  # marks on Cyrillic letters fold both ways alike
    ("ＨＥＬＰ", "help"), ("Ｈｅｌｌｏ！", "hello"),
    ("STRASSE", "strasse"), ("Straße", "strasse"),  # casefold, not lower
])
def test_keywords_compare_without_accents_or_case(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("variants", [
    ("مساعدة", "مساعده"),  # teh marbuta, heh
    ("أهلا", "اهلا", "إهلا", "آهلا", "ٱهلا"),  # alef with hamza above/below, madda, wasla, bare alef
    ("مرحبا", "مَرْحَبًا", "مرحـــبا"),  # harakat and tatweel
    ("ﻣﺮﺣﺒﺎ", "مرحبا"),  # presentation forms (old phones, copied PDFs)
    ("یک", "يك", "ىك"),  # Persian yeh/keheh, Arabic yeh/kaf, alef maksura
    ("کمک", "كمك"),  # Persian keheh vs Arabic kaf
    ("ګډ", "گډ"),  # Pashto gaf with ring vs Persian gaf
    ("ډېر", "ډير", "ډیر"),  # Pashto e, Arabic and Persian yeh
    ("ستړی", "ستړي", "ستړۍ"),
    ("می\u200cخواهم", "میخواهم"),  # ZWNJ inside a Persian word
    ("\u200fمرحبا", "مرحبا\u200e"),  # bidi marks a phone pasted along
])
def test_arabic_script_letter_variants_compare_equal(variants):
    assert len({normalize(v) for v in variants}) == 1, [normalize(v) for v in variants]


def test_distinct_words_stay_distinct():
    assert normalize("کمک") != normalize("کتاب")
    assert normalize("привіт") != normalize("привет")
    assert normalize("你好") == "你好"


@given(st.text(max_size=30))
def test_normalize_is_idempotent_and_never_fails(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=3))
def test_any_decimal_digits_become_ascii(digits):
    assert normalize(digits) == "".join(str(unicodedata.decimal(d)) for d in digits)


# --- through the engine ---------------------------------------------------------------------

@pytest.mark.parametrize("key", ["3", "٣", "۳", "３", " 3. ", "3)"])
@pytest.mark.parametrize("lang", ["en", "ar", "fa_AF", "ps", "zh_Hans"])
def test_a_menu_choice_in_any_digits_in_any_language(content, key, lang):
    turn = step(content, State(node="main_menu", lang=lang), Words(key))
    assert [o.node for o in turn.outputs if isinstance(o, Show)] == ["local"]


@pytest.mark.parametrize("lang,words", [
    ("es", ["menú", "MENU", "Menu", "INICIO", "inicio!"]),
    ("uk", ["МЕНЮ", "меню", "Початок"]),
    ("ar", ["القائمة", "قائمة", "القائمه", "قائمه"]),
    ("fa_AF", ["مینو", "مينو", "شروع"]),
    ("ps", ["مېنو", "مينو", "پیل"]),
    ("ht", ["MENI", "meni"]),
    ("zh_Hans", ["菜单", "主菜单"]),
])
def test_the_menu_keyword_in_any_form(content, lang, words):
    for word in words + ["MENU", "0", "٠", "۰", "０"]:  # the English word and zero work in every language
        turn = step(content, State(node="door_say", back=("main_menu", "door"), lang=lang), Words(word))
        assert turn.state.node == "main_menu", (lang, word)


def test_a_keyword_of_another_language_is_not_a_command(content):
    turn = step(content, State(node="door", back=("main_menu",), lang="ru"), Words("ATRÁS"))
    assert turn.outputs == (Notice("hint"), Choices("door"))
