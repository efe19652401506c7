"""SMS cost: replies cleaned of needless UCS-2, and every reply in every served language within budget.

The budget (README, "Writing for a phone"): 4 segments for a page of content, 3 for a menu.
The real catalogs are measured as soon as they are served; the fixture hotline shows the test
works in every language before then.
"""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from hotline.channels.budget import CONTENT_SEGMENTS, MENU_SEGMENTS, Measure, budget, measure
from hotline.channels.segments import cost
from hotline.channels.sms import plain, reply_text
from hotline.config import Settings
from hotline.content import load_content
from hotline.engine import ChooseLanguage, Choices, Notice, Show, State, Turn
from hotline.tour import MOMENTS, Reply, replies, unshown

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
    assert budget(Turn((Show("welcome"), Show("main_menu")), State())) == ("content", CONTENT_SEGMENTS)
    assert budget(Turn((Show("door"),), State())) == ("content", 4)
    assert budget(Turn((Show("main_menu"),), State())) == ("menu", MENU_SEGMENTS)
    assert budget(Turn((Notice("hint"), Choices("door")), State())) == ("menu", 3)
    assert budget(Turn((ChooseLanguage(("en", "es")),), State())) == ("menu", 3)
    assert budget(Turn((Notice("moved"), Show("main_menu")), State())) == ("menu", 3)


def test_the_tour_shows_every_node_in_every_language(content):
    for lang in content.languages.codes:
        assert unshown(content, lang) == set(), lang


def test_every_reply_in_every_served_language_is_within_budget(content):
    measured = [measure(content, r) for lang in content.languages.codes for r in replies(content, lang)]
    over = [m.explain() for m in measured if m.over]
    assert len(measured) >= 12 * len(content.languages.codes)
    assert not over, "replies over the SMS budget:\n" + "\n".join(over)


def test_a_reply_over_budget_is_named_with_what_forced_ucs2():
    content = fixture_content()
    turn = Turn((Show("door"),), State(node="door", lang="es"))
    m = measure(content, Reply("es", "door", turn))
    curly = Measure(m.reply, "content", 3, cost("Don\u2019t open the door. " * 12), m.text)
    assert curly.over
    assert curly.explain() == ("door [es]: 4 segments (UCS-2, 252 units) > content budget 3; "
                               "UCS-2 forced by '\u2019' U+2019 RIGHT SINGLE QUOTATION MARK")
    arabic = Measure(m.reply, "menu", 1, cost("باب " * 30), m.text)
    assert arabic.explain().endswith("UCS-2 forced by 'ب' U+0628 ARABIC LETTER BEH, 'ا' U+0627 ARABIC LETTER ALEF")


def test_measuring_takes_the_dearest_moment():
    content = real_content()
    legal_help = next(r for r in replies(content, "en") if r.where == "legal_help")
    m = measure(content, legal_help)
    assert m.cost.units == max(cost(reply_text(content, legal_help.turn, t)).units for t in MOMENTS)
