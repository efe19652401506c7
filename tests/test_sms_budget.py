"""SMS cost: replies cleaned of needless UCS-2, and every reply in every served language within budget.

The budget (README, "The SMS budget"; hotline/staff/sms_budget.py): a page of content 4 segments in
GSM-7 or 10 in UCS-2, a menu 3 or 7. The real catalogs are measured as soon as they are
served; the fixture hotline shows the test works in every language before then.
"""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from hotline.channels.sms.segments import cost
from hotline.core.words import Words
from hotline.channels.sms import plain, reply_text, split
from hotline.config import Settings
from hotline.content.bundle import load_content
from hotline.core.engine import ChooseLanguage, Choices, Notice, Show, State, Turn, step
from hotline.staff.sms_budget import MOMENTS, SMS_BUDGET, Measure, SmsBudget, billed, kind_of, measure, replies, unshown

I18N = FIXTURES / "i18n"


def real_content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def fixture_content():
    return load_content(I18N / "flows", I18N / "translations")


CONTENTS = {"shipped": real_content, "fixture": fixture_content}


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def content(request):
    return CONTENTS[request.param]()


# --- cleaning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,clean", [
    ("Don\u2019t open the door.", "Don't open the door."),
    ("\u201cI do not consent.\u201d", '"I do not consent."'),
    ("Stay calm \u2014 do not run \u2013 ever.", "Stay calm - do not run - ever."),
    ("Wait\u2026", "Wait..."),
    ("Call\u00a01-800-566-7636", "Call 1-800-566-7636"),
    ("until 5:00\u202fPM", "until 5:00 PM"),  # Babel's English times carry a narrow no-break space
    ("co\u00adoperate", "cooperate"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("\u2022 Stay silent", "- Stay silent"),
    ("tab\there", "tab here"),
])
def test_plain_replaces_what_forces_ucs2_needlessly(raw, clean):
    assert plain(raw) == clean
    assert cost(plain(raw)).encoding == "GSM-7"


@pytest.mark.parametrize("text", [
    "Mantenga la puerta cerrada. ¿Qué hago? Información, mañana.",  # á ó í force UCS-2, rightly
    "Тримайте двері зачиненими. «Я не даю згоди.»",
    "أبقِ الباب مغلقًا، وقل: لا أوافق؟",
    "من اجازه نمی\u200cدهم",  # ZWNJ is part of Persian spelling
    "\u200fاتصل بالرقم \u200e1-800-566-7636",  # our own direction marks
    "请关好门。抱歉，我没听懂：",
    "请\u3000说",  # ideographic space
    "Kreyòl: Kenbe pòt la fèmen.",
])
def test_plain_leaves_every_script_alone(text):
    assert plain(text) == text


def test_replies_are_cleaned_of_word_processor_characters(content):
    for lang in content.languages.codes:
        for r in replies(content, lang):
            text = reply_text(content, r.turn, MOMENTS[0])
            assert not set(text) & set("\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u202f\u00ad\u200b"), (lang, r.where)


def test_english_replies_are_gsm7():
    content = real_content()
    for r in replies(content, "en"):
        if not r.where.endswith("language list"):
            for moment in MOMENTS:
                c = cost(reply_text(content, r.turn, moment))
                assert c.encoding == "GSM-7", (r.where, c.forced_ucs2_by)


# --- the budget --------------------------------------------------------------------------------

def test_which_replies_are_menus():
    content = real_content()

    def kind(*outputs):
        return kind_of(content, Turn(outputs, State()))

    assert kind(Show("door")) == "content"  # legal
    assert kind(Show("legal_local"), Notice("leaf_hint")) == "content"  # lists referrals
    assert kind(Show("welcome"), Show("main_menu")) == "menu"
    assert kind(Show("main_menu")) == "menu"
    assert kind(Show("more")) == "menu"
    assert kind(Notice("hint"), Choices("door")) == "menu"
    assert kind(ChooseLanguage(("en", "es")),) == "menu"
    assert kind(Notice("moved"), Show("main_menu")) == "menu"


def test_the_budget_is_per_encoding():
    assert [SMS_BUDGET.limit(kind, encoding) for kind in ("content", "menu") for encoding in ("GSM-7", "UCS-2")] == [3, 5, 3, 5]
    assert SMS_BUDGET.characters == 320
    door = next(r for r in replies(fixture_content(), "es") if r.where == "door")
    assert door.kind == "content"

    def over(text):
        return Measure(door, SMS_BUDGET, cost(text), text).over

    # 320 characters of Arabic (5 UCS-2 segments) are within budget; one more is not.
    assert cost("ب" * 320).segments == 5 and not over("ب" * 320) and over("ب" * 321)
    # In GSM-7 too: 320 characters (3 segments) fit, 321 do not, whatever the segments.
    assert cost("b" * 321).segments == 3 and not over("b" * 320) and over("b" * 321)


def test_the_tour_shows_every_node_in_every_language(content):
    for lang in content.languages.codes:
        assert unshown(content, lang) == set(), lang


def test_every_reply_in_every_served_language_is_within_budget(content):
    measured = [measure(content, r) for lang in content.languages.codes for r in replies(content, lang)]
    over = [m.explain() for m in measured if m.over]
    assert len(measured) >= 12 * len(content.languages.codes)
    assert not over, "replies over the SMS budget:\n" + "\n".join(over)


def test_a_reply_over_budget_is_named_with_what_forced_ucs2():
    door = next(r for r in replies(fixture_content(), "es") if r.where == "door")
    tight = SmsBudget(content_segments=1, ucs2_content_segments=3)
    curly = "Don\u2019t open the door. " * 12
    m = Measure(door, tight, cost(curly), curly)
    assert m.over
    assert m.explain() == ("door [es]: 252 characters, 4 SMS segments (UCS-2, 252 UTF-16 units); "
                           "a reply may have 320 characters and cost 3 segments in UCS-2. "
                           "UCS-2 because of '\u2019' (U+2019 RIGHT SINGLE QUOTATION MARK); "
                           "without them it would cost 2 (GSM-7, budget 1)")
    arabic = "باب " * 30
    m = Measure(door, SmsBudget(ucs2_content_segments=1), cost(arabic), arabic)
    # The language's own letters: named, but nobody is told to remove them.
    assert m.explain().endswith("UCS-2 because of 'ب' (U+0628 ARABIC LETTER BEH), 'ا' (U+0627 ARABIC LETTER ALEF)")


def test_measuring_takes_the_dearest_moment():
    content = real_content()
    legal_help = next(r for r in replies(content, "en") if r.where == "legal_help")
    m = measure(content, legal_help)
    assert m.cost.units == max(cost(reply_text(content, legal_help.turn, t)).units for t in MOMENTS)


def test_a_reply_too_long_for_one_body_costs_every_message_it_is_sent_as():
    text = "a" * 1000 + "\n\n" + "a" * 1000 + "\n\n" + "á" * 100
    first, second = split(text)
    assert (cost(first).segments, cost(first).encoding) == (7, "GSM-7")
    assert (cost(second).segments, cost(second).encoding) == (17, "UCS-2")
    assert (billed(text).segments, billed(text).encoding) == (24, "UCS-2")  # not 32: only the second is UCS-2


def test_the_language_lists_and_the_switchboards_own_replies_are_measured(content):
    for lang in content.languages.codes:
        where = {r.where for r in replies(content, lang)}
        assert {"the language list", "HELP", "FORGET", "the 'media' notice", "the 'too_fast' notice",
                "the 'unavailable' notice"} <= where, lang
        help_reply = next(r for r in replies(content, lang) if r.where == "HELP")
        assert help_reply.turn.outputs[0] == Notice("line_info") and "help" in help_reply.nodes
    # Before a language is chosen the hotline speaks English: that list is one of its replies
    # (word for word the list English speakers get with LANGUAGE, so measured once).
    first_contact = step(content, State(), Words("?"))
    assert isinstance(first_contact.outputs[0], ChooseLanguage)
    assert first_contact.outputs in {r.turn.outputs for r in replies(content, "en")}
