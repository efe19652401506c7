"""What a turn says, before a channel decides how it looks or sounds.

Both channels need the same things in the same order (a node's text, its referrals with
open-now status, its menu, the way back to the main menu), so that logic lives here once.
SMS writes a choice as "1 Label"; voice says "For Label, press 1".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_time, get_day_names

from hotline.content import Content
from hotline.engine import ChooseLanguage, Choices, Notice, Output, Show
from hotline.flows import contract
from hotline.i18n import Phrasebook
from hotline.referrals import OpenNow, Opens, open_first, status


@dataclass(frozen=True)
class Line:
    """Words to say or show, in `lang`."""

    text: str
    lang: str


@dataclass(frozen=True)
class Choice:
    """A key and what it leads to, in `lang` (on the language menu each choice has its own)."""

    key: str
    label: str
    lang: str


Part = Line | Choice


def compose(content: Content, lang: str | None, outputs: tuple[Output, ...], channel: str, now: dt.datetime) -> list[Part]:
    book = content.languages.book(lang)
    parts: list[Part] = []
    for output in outputs:
        if isinstance(output, Notice):
            parts.append(Line(book.message(output.message), book.code))
        elif isinstance(output, Show):
            parts.append(Line(book.text(output.node, channel), book.code))
            parts.extend(_referrals(content, book, output.node, channel, now))
            parts.extend(_choices(content, book, output.node))
        elif isinstance(output, Choices):
            parts.extend(_choices(content, book, output.node))
        elif isinstance(output, ChooseLanguage):
            for number, code in enumerate(output.codes, start=1):
                language = content.languages.book(code).language
                parts.append(Choice(str(number), language.native_name, code))
    return parts


def _referrals(content: Content, book: Phrasebook, node_id: str, channel: str, now: dt.datetime) -> list[Part]:
    script = content.script
    return [Line(referral_text(content, book, referral_id, channel, now), book.code)
            for referral_id in open_first(script.nodes[node_id].referrals, script.referrals, now)]


def _choices(content: Content, book: Phrasebook, node_id: str) -> list[Part]:
    node = content.script.nodes[node_id]
    parts: list[Part] = []
    for item in node.menu:
        parts.append(Choice(str(item.key), book.labels[(node_id, item.key)], book.code))
    if node.menu and node_id != contract.MAIN_MENU:
        parts.append(Choice("0", book.message("main_menu_choice"), book.code))
    return parts


def referral_text(content: Content, book: Phrasebook, referral_id: str, channel: str, now: dt.datetime) -> str:
    """One entry of the directory: name, what they offer, how to reach them, open now or when."""
    referral = content.script.referrals[referral_id]
    lines = [referral.name, book.offers[referral_id]]
    facts = []
    if referral.cost == "free":
        facts.append(book.message("referral_free"))
    if referral.languages == "all":
        facts.append(book.message("referral_languages_all"))
    elif referral.languages:
        facts.append(", ".join(_language_name(code, book.code) for code in referral.languages))
    if facts:
        lines.append(" - ".join(facts))
    if referral.phone:
        lines.append(book.message("referral_phone", phone=referral.phone))
    if referral.website and channel == "sms":  # a web address read aloud helps nobody
        lines.append(book.message("referral_website", website=referral.website))
    locale = book.code
    when = status(referral, now)
    if isinstance(when, OpenNow):
        lines.append(book.message("referral_open_now", time=_time(when.until, locale)))
    elif isinstance(when, Opens):
        if when.days_ahead == 0:
            lines.append(book.message("referral_opens_today", time=_time(when.at, locale)))
        else:
            day = get_day_names("wide", locale=locale)[when.weekday]
            lines.append(book.message("referral_opens_on", day=day, time=_time(when.at, locale)))
    return "\n".join(lines)


def _language_name(code: str, locale: str) -> str:
    """A served language named in the caller's language ("inglés" for en, to a Spanish reader)."""
    return Locale.parse(code).get_display_name(locale) or code


def _time(value: dt.time, locale: str) -> str:
    if value == dt.time.max:
        value = dt.time(0, 0)
    return format_time(value, format="short", locale=locale)
