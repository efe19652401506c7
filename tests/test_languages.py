"""Choosing a language: the first-contact list, detection from a first message, switching any time.

Run on the fixture hotline (tests/fixtures/i18n), whose catalogs translate every string a
caller can read in all eight languages, so these tests do not wait for the real catalogs.
"""
from __future__ import annotations

import pytest

from conftest import FIXTURES, Twilio, message_text
from hotline.content.bundle import load_content
from hotline.core.words import Words, script_clues
from hotline.core.engine import LANGUAGE_MENU, ChooseLanguage, Notice, Show, State, step
from hotline.core.languages import LANGUAGES
from hotline.content.catalogs.languages import Language, language_names

I18N = FIXTURES / "i18n"
ALL = ("en", "es", "uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans")


@pytest.fixture(scope="module")
def content():
    return load_content(I18N / "flows", I18N / "translations")


def shown(turn):
    return [o.node for o in turn.outputs if isinstance(o, Show)]


def test_every_language_is_served_by_the_fixture(content):
    assert content.languages.codes == ALL == LANGUAGES


@pytest.mark.parametrize("code,name,rtl", [
    ("en", "English", False), ("es", "español", False), ("uk", "українська", False), ("ru", "русский", False),
    ("ar", "العربية", True), ("fa_AF", "دری", True), ("ps", "پښتو", True), ("ht", "Kreyòl Ayisyen", False),
    ("zh_Hans", "简体中文", False),
])
def test_each_language_is_named_in_itself_from_babels_data(code, name, rtl):
    assert Language.of(code) == Language(code, name, rtl)


# --- detection -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    # a greeting or keyword in the language's own catalog decides
    ("hola", ("es",)), ("Hola!", ("es",)), ("AYUDA", ("es",)), ("buenos días", ("es",)), ("Buenos dias", ("es",)),
    ("привіт", ("uk",)), ("Привіт!", ("uk",)), ("ДОПОМОГА", ("uk",)),
    ("привет", ("ru",)), ("здравствуйте", ("ru",)), ("помощь", ("ru",)),
    ("مرحبا", ("ar",)), ("مرحبا!", ("ar",)), ("رجوع", ("ar",)),
    ("کمک", ("fa_AF",)), ("زبان", ("fa_AF",)),
    ("مرسته", ("ps",)), ("ستړي مه شئ", ("ps",)),
    ("bonjou", ("ht",)), ("BONSWA", ("ht",)), ("Alo", ("ht",)),
    ("你好", ("zh_Hans",)), ("你好！", ("zh_Hans",)), ("您好", ("zh_Hans",)),
    ("hi", ("en",)), ("Hello!", ("en",)), ("HELP", ("en",)),
    # a keyword inside a longer first message
    ("Hola, necesito ayuda", ("es",)), ("help me please", ("en",)), ("bonjou, mwen bezwen èd", ("ht",)),
    # a language named in itself or in English
    ("español", ("es",)), ("Espanol", ("es",)), ("русский", ("ru",)), ("українська", ("uk",)),
    ("العربية", ("ar",)), ("دری", ("fa_AF",)), ("پښتو", ("ps",)), ("Kreyòl Ayisyen", ("ht",)),
    ("简体中文", ("zh_Hans",)), ("中文", ("zh_Hans",)), ("Arabic", ("ar",)), ("dari", ("fa_AF",)), ("Pashto", ("ps",)),
    # an unambiguous script or letters only one language uses
    ("我需要帮助", ("zh_Hans",)), ("Мені потрібна їжа", ("uk",)), ("Їх забрали", ("uk",)),
    ("Добрий вечір", ("uk",)), ("Мне нужны вы", ("ru",)), ("Ещё", ("ru",)), ("زه ډېر ویرېږم", ("ps",)), ("ښځه", ("ps",)),
    ("¿Qué hago?", ("es",)), ("Mañana", ("es",)), ("Mwen pè anpil", ("ht",)),
    # ambiguous scripts get the short list
    ("سلام", ("ar", "fa_AF", "ps")), ("كيف حالك", ("ar", "fa_AF", "ps")), ("ما اسمك", ("ar", "fa_AF", "ps")),
    ("پدر من", ("fa_AF", "ps")), ("کجا", ("fa_AF", "ps")), ("سلام چطور هستی", ("fa_AF", "ps")),
    ("Что делать", ("uk", "ru")), ("меню", ("uk", "ru")), ("назад", ("uk", "ru")), ("Как дела", ("uk", "ru")),
    # two languages' words: offer both rather than guess
    ("hi hola", ("en", "es")),
    # nothing to go on
    ("1", ()), ("ok", ()), ("", ()), ("???", ()), ("😀", ()), ("こんにちは", ()),
])
def test_detection(content, text, expected):
    assert content.languages.detect(Words(text)) == expected


def test_persian_letters_are_read_before_folding():
    # normalize() folds ی to ي and ک to ك so keywords match from any keyboard; the detector
    # must see them as typed, or "کجا" would look like Arabic.
    assert script_clues("کجا") == ("fa_AF", "ps")
    assert script_clues("كجا") == ("ar", "fa_AF", "ps")
    assert script_clues("Ещё") == ("ru",)  # ё would fold to е


def test_detection_only_offers_served_languages(content):
    english_and_arabic = load_content(I18N / "flows", I18N / "translations", ("en", "ar"))
    assert english_and_arabic.languages.detect(Words("سلام")) == ("ar",)
    assert english_and_arabic.languages.detect(Words("hola")) == ()
    assert english_and_arabic.languages.detect(Words("привіт")) == ()


def test_language_names_come_from_babel():
    assert {"espanol", "spanish"} <= language_names("es")
    assert {"دري", "dari"} <= language_names("fa_AF")  # normalize folds ی to ي


# --- first contact -----------------------------------------------------------------------

def test_first_contact_offers_every_language_named_in_itself(content):
    turn = step(content, State(), Words("ok"))
    assert turn.outputs == (ChooseLanguage(ALL),)
    assert turn.state.node == LANGUAGE_MENU


@pytest.mark.parametrize("text,lang", [("hola", "es"), ("привіт", "uk"), ("привет", "ru"), ("مرحبا", "ar"),
                                       ("کمک", "fa_AF"), ("ښه", "ps"), ("bonjou", "ht"), ("你好", "zh_Hans"), ("hi", "en")])
def test_a_greeting_goes_straight_to_its_language(content, text, lang):
    turn = step(content, State(), Words(text))
    assert shown(turn) == ["welcome", "main_menu"] and turn.state.lang == lang


@pytest.mark.parametrize("text,short", [("سلام", ("ar", "fa_AF", "ps")), ("كيف", ("ar", "fa_AF", "ps")),
                                        ("چطور", ("fa_AF", "ps")), ("Что делать", ("uk", "ru"))])
def test_an_ambiguous_script_gets_the_short_list(content, text, short):
    turn = step(content, State(), Words(text))
    assert turn.outputs == (ChooseLanguage(short),)
    # the number chooses from the short list, not from the full one
    for number, code in enumerate(short, start=1):
        chosen = step(content, turn.state, Words(str(number)))
        assert chosen.state.lang == code and shown(chosen) == ["welcome", "main_menu"]


def test_a_short_list_that_did_not_fit_leads_to_every_language(content):
    short = step(content, State(), Words("سلام")).state
    turn = step(content, short, Words("9"))  # not on the list of three
    assert turn.outputs == (ChooseLanguage(ALL),)
    assert step(content, turn.state, Words("9")).state.lang == "zh_Hans"


def test_the_language_keyword_on_first_contact_asks_for_the_list(content):
    for word in ("LANGUAGE", "idioma", "мова", "язык", "لغة", "زبان", "ژبه", "langaj", "语言"):
        turn = step(content, State(), Words(word))
        assert turn.outputs == (ChooseLanguage(ALL),), word
    remembered = step(content, State(lang="ru"), Words("idioma"))
    assert remembered.outputs == (ChooseLanguage(ALL),)


def test_a_remembered_language_skips_the_list(content):
    turn = step(content, State(lang="ar"), Words("hello"))
    assert shown(turn) == ["welcome", "main_menu"] and turn.state.lang == "ar"


def test_a_language_no_longer_served_is_forgotten_not_fatal(content):
    english_only = load_content(I18N / "flows", I18N / "translations", ("en",))
    turn = step(english_only, State(node="door", lang="ar"), Words("1"))
    assert shown(turn) == ["door_say"] and turn.state.lang is None


def test_on_the_list_a_name_or_greeting_chooses_too(content):
    listed = step(content, State(), Words("ok")).state
    assert step(content, listed, Words("Español")).state.lang == "es"
    assert step(content, listed, Words("你好")).state.lang == "zh_Hans"
    assert step(content, listed, Words("١")).state.lang == "en"  # Arabic-Indic 1 is the first choice
    assert step(content, listed, Words("rubbish")).outputs == (ChooseLanguage(ALL),)


# --- switching at any time ------------------------------------------------------------------

@pytest.mark.parametrize("word", ["LANGUAGE", "lang", "IDIOMA", "мова", "ЯЗЫК", "اللغة", "زبان", "ژبه", "LANGAJ", "语言"])
def test_the_language_keyword_works_in_any_language_at_any_time(content, word):
    for lang in ALL:
        turn = step(content, State(node="door", back=("main_menu",), lang=lang), Words(word))
        assert turn.outputs == (ChooseLanguage(ALL),), (word, lang)


def test_switching_to_ukrainian_mid_conversation_returns_to_the_same_place(content):
    state = State(node="door", back=("main_menu",), lang="en")
    listed = step(content, state, Words("LANGUAGE"))
    turn = step(content, listed.state, Words("3"))  # українська
    assert shown(turn) == ["door"]
    assert turn.state == State(node="door", back=("main_menu",), lang="uk")
    # ... and goes on in Ukrainian: BACK (in Ukrainian) from there leads to the main menu
    assert shown(step(content, turn.state, Words("НАЗАД"))) == ["main_menu"]


def test_on_the_list_back_menu_and_help_work_in_the_callers_language(content):
    listed = step(content, State(node="door", back=("main_menu",), lang="es"), Words("idioma")).state
    back = step(content, listed, Words("atrás"))
    assert shown(back) == ["door"] and back.state.lang == "es"
    assert shown(step(content, listed, Words("0"))) == ["main_menu"]
    assert shown(step(content, listed, Words("MENÚ"))) == ["main_menu"]
    helped = step(content, listed, Words("ayuda"))
    assert shown(helped) == ["help"] and shown(step(content, helped.state, Words("atrás"))) == ["door"]


def test_a_page_removed_while_the_list_was_open_leads_to_the_main_menu(content):
    listed = State(node=LANGUAGE_MENU, back=("main_menu", "gone_node"), lang="en")
    turn = step(content, listed, Words("2"))
    assert turn.outputs[0] == Notice("moved") and turn.state.node == "main_menu" and turn.state.lang == "es"


def test_the_language_is_remembered_per_caller_with_its_own_ttl(make_app, redis_url, redis_client):
    app = make_app(redis_url=redis_url, flows_dir=I18N / "flows", translations_dir=I18N / "translations",
                   state_ttl=600, lang_ttl=86400)
    twilio = Twilio(app.test_client())
    assert "Bienvenida." in message_text(twilio.sms("+16075550111", "hola"))
    assert "Welcome." in message_text(twilio.sms("+16075550112", "hi"))  # another caller, another language
    redis_client.delete(*[k for k in redis_client.scan_iter("hl:*:s")])  # the place expired; the language did not
    assert "Bienvenida." in message_text(twilio.sms("+16075550111", "1"))
    board = app.extensions["hotline"]
    lang_keys = [k for k in redis_client.scan_iter("hl:*:l")]
    assert sorted(redis_client.get(k) for k in lang_keys) == [b"en", b"es"]
    assert all(3600 < redis_client.ttl(k) <= 86400 for k in lang_keys)
    assert board.store.read(board.caller("+16075550111")).lang == "es"
