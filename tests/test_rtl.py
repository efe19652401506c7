"""Right-to-left replies: the exact marks, and the order a phone really shows.

python-bidi implements the Unicode Bidirectional Algorithm that phones use to lay out a text
(each line is a paragraph). `shown()` gives a line's characters in visual order, left to
right, as a phone would draw them; the tests read that, not just the marks.
"""
from __future__ import annotations

import re

import pytest
from bidi import get_display

from conftest import FIXTURES, SATURDAY_AFTERNOON
from hotline.channels.sms import bidi as marks
from hotline.core.words import Words
from hotline.channels.sms.segments import cost
from hotline.channels.sms import body, reply_text
from hotline.content.bundle import load_content
from hotline.core.engine import State, step
from hotline.staff.sms_budget import MOMENTS, replies

I18N = FIXTURES / "i18n"
RLM, LRM = "\u200f", "\u200e"
RTL = ("ar", "fa_AF", "ps")
SATURDAY = SATURDAY_AFTERNOON


@pytest.fixture(scope="module")
def content():
    return load_content(I18N / "flows", I18N / "translations")


def shown(line: str) -> str:
    """The line as drawn, left to right, marks removed."""
    return get_display(line).replace(RLM, "").replace(LRM, "")


def reply(content, lang, node, text):
    return reply_text(content, step(content, State(node=node, lang=lang), Words(text)), SATURDAY)


# --- the problem, shown by the algorithm itself ----------------------------------------------

def test_without_marks_a_phone_number_in_arabic_breaks_apart():
    assert "7636-566-800-1" in shown("اتصل بالرقم 1-800-566-7636")
    assert "1-800-566-7636" in shown(marks.rtl_line("اتصل بالرقم 1-800-566-7636"))


def test_without_marks_a_menu_line_starting_with_latin_puts_its_number_left():
    assert shown("3 ICE في بروم").startswith("3 ICE")
    assert shown(marks.rtl_choice("3", "ICE في بروم")).endswith("ICE 3")  # number at the right, read first


# --- the marks, exactly -------------------------------------------------------------------

@pytest.mark.parametrize("line,expected", [
    ("اتصل بالرقم 1-800-566-7636", "اتصل بالرقم \u200e1-800-566-7636"),
    ("مفتوح الآن حتى 5:00 م", "مفتوح الآن حتى \u200e5:00 م"),
    ("ساعت ۸:۰۰ باز است", "ساعت \u200e۸:۰۰ باز است"),  # Persian digits too
    ("1-800-566-7636 اتصل", "\u200f\u200e1-800-566-7636 اتصل"),
    ("ICE في بروم", "\u200fICE في بروم"),
    ("أرسل 0 للقائمة", "أرسل 0 للقائمة"),  # a lone number reads right already
    ("في 10 مارس 2025", "في 10 مارس 2025"),
    ("اتفاق 287(g) من نوع", "اتفاق \u200e287(g)\u200e من نوع"),  # the bracket would turn round
    ("قانون 79-p في", "قانون \u200e79-p في"),
    ("النموذج I-200 أو I-205.", "النموذج I-200 أو I-205."),  # left-to-right from its first letter
    ("(1-800-566-7636)", "(1-800-566-7636)"),  # no RTL letter: untouched
    ("اتصل (1-800-566-7636)", "اتصل (\u200e1-800-566-7636)"),
    ("الموقع: https://www.ny.gov/a-1/2-3", "الموقع: https://www.ny.gov/a-1/2-3"),  # a link is never cut
    ("NYS Office for New Americans Hotline", "NYS Office for New Americans Hotline"),  # no RTL letter: untouched
    ('Say: "I do not consent."', 'Say: "I do not consent."'),
])
def test_rtl_line(line, expected):
    assert marks.rtl_line(line) == expected


def test_choices():
    assert marks.rtl_choice("1", "الباب") == "\u200f1 الباب"
    assert marks.rtl_choice("8", "Kreyòl Ayisyen") == "\u200f8 Kreyòl Ayisyen"
    assert marks.ltr_choice("5", "العربية") == "\u200e5 العربية"
    assert marks.ltr_choice("2", "español") == "2 español"


@pytest.mark.parametrize("lang,expected", [
    ("ar", "اختر.\n\n\u200f1 الباب\n\u200f2 مساعدة\n\u200f3 ICE في بروم"),
    ("fa_AF", "انتخاب کنید.\n\n\u200f1 دروازه\n\u200f2 کمک\n\u200f3 ICE در بروم"),
    ("ps", "وټاکئ.\n\n\u200f1 دروازه\n\u200f2 مرسته\n\u200f3 ICE په بروم کې"),
])
def test_the_main_menu_exactly(content, lang, expected):
    assert reply(content, lang, "door", "0") == expected


def test_a_referral_exactly(content):
    assert reply(content, "ar", "main_menu", "2") == (
        "اتصل لطلب المساعدة.\n\n"
        "NYS Office for New Americans Hotline\n"
        "مساعدة مجانية بلغات كثيرة.\n"
        "مجاني - لغات كثيرة\n"
        "اتصل بالرقم \u200e1-800-566-7636\n"
        "مفتوح الآن حتى \u200e5:00 م\n\n"
        "أرسل 0 للقائمة الرئيسية أو رجوع للعودة.")


def test_a_page_with_a_number_and_a_time_exactly(content):
    assert reply(content, "ps", "main_menu", "3") == (
        "په \u200e8:00 بجو \u200e1-800-566-7636 ته زنګ ووهئ.\n\n"
        "اصلي مېنو لپاره 0 یا د بېرته تللو لپاره شاته ولېږئ.")


def test_the_language_list_follows_the_readers_direction(content):
    first = reply_text(content, step(content, State(), Words("ok")), SATURDAY)
    assert first == ("1 English\n2 español\n3 українська\n4 русский\n"
                     "\u200e5 العربية\n\u200e6 دری\n\u200e7 پښتو\n8 Kreyòl Ayisyen\n9 简体中文")
    arabic = reply(content, "ar", "main_menu", "LANGUAGE")
    assert arabic.split("\n") == [f"\u200f{n} {name}" for n, name in enumerate(
        ["English", "español", "українська", "русский", "العربية", "دری", "پښتو", "Kreyòl Ayisyen", "简体中文"], start=1)]
    short = reply_text(content, step(content, State(), Words("سلام")), SATURDAY)
    assert short == "\u200f1 العربية\n\u200f2 دری\n\u200f3 پښتو"


# --- what a phone shows, for every reply -------------------------------------------------------

@pytest.mark.parametrize("lang", RTL)
def test_on_a_phone_every_menu_number_is_at_the_right_and_every_number_reads_as_written(content, lang):
    checked = 0
    for r in replies(content, lang):
        for moment in MOMENTS:
            text = reply_text(content, r.turn, moment)
            for line in text.split("\n"):
                drawn = shown(line)
                for token in re.findall(r"[A-Za-z\d][A-Za-z\d().:/-]*[A-Za-z\d)]|\d", line.replace(LRM, "")):
                    if any(ch.isdigit() for ch in token):
                        assert token in drawn, (r.where, line, drawn)
                        checked += 1
                if line.startswith(RLM) and line[1:2].isdigit():  # a menu choice
                    key = line[1]
                    assert drawn.endswith(" " + key) or drawn.endswith(key), (r.where, line, drawn)
                    checked += 1
    assert checked > 20


def test_every_choice_of_an_rtl_menu_is_marked_and_left_to_right_replies_have_no_marks(content):
    for lang in content.languages.codes:
        for r in replies(content, lang):
            text = reply_text(content, r.turn, SATURDAY)
            if lang in RTL:
                choice_lines = [line for line in text.split("\n") if line[:1].isdigit() or line[1:2].isdigit()]
                assert all(line.startswith(RLM) for line in choice_lines), (lang, r.where, text)
            elif not r.where.endswith("language list"):  # RTL names there carry an LRM
                assert RLM not in text and LRM not in text, (lang, r.where, text)


def test_marks_never_change_the_encoding(content):
    for lang in RTL:
        for r in replies(content, lang):
            text = reply_text(content, r.turn, SATURDAY)
            bare = text.replace(RLM, "").replace(LRM, "")
            assert cost(text).encoding == cost(bare).encoding, (lang, r.where)


def test_an_rtl_language_with_nothing_translated_stays_plain_gsm7(tmp_path):
    # An RTL catalog served in English (the threshold lowered to show it) gets no marks.
    from hotline.content.catalogs.languages import Language
    from hotline.channels.compose import Choice, Line

    assert Language.of("ar").rtl
    text = body([Line("Keep the door closed.", "ar"), Choice("1", "What to say", "ar"), Choice("0", "Main menu", "ar")], rtl=True)
    assert text == "Keep the door closed.\n\n1 What to say\n0 Main menu"
    assert cost(text).encoding == "GSM-7"
