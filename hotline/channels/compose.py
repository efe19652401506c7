"""What a turn says, before a channel decides how it looks or sounds.

Both channels need the same things in the same order (a node's text, its referrals with
open-now status, its menu, the way back to the main menu), so that logic lives here once.
SMS writes a choice as "1 Label"; voice says "Label: press 1" (each language's voice_press).

Every part also carries `clip`: the gettext context of its words (hotline/content/catalogs/strings.py).
SMS ignores it; the phone line uses it to find the recording of those words in languages
that Twilio cannot speak (hotline/channels/voice/speech.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_time

from hotline.content.bundle import Content
from hotline.core.engine import Alert, ChooseLanguage, Choices, Notice, Output, Show
from hotline.core import contract
from hotline.content.catalogs.strings import label_context, message_context, node_context, referral_context
from hotline.content.catalogs.languages import Phrasebook
from hotline.core.hours import OpenNow, Opens, open_first, status

# Alerts are about Broome County: their time is read on its clock, whatever the server's.
ALERT_ZONE = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Line:
    """Words to say or show, in `lang`."""

    text: str
    lang: str
    clip: str = ""  # where the words come from: "door:door:text", "messages:hint", ...


@dataclass(frozen=True)
class Choice:
    """A key and what it leads to, in `lang` (on the language menu each choice has its own)."""

    key: str
    label: str
    lang: str
    clip: str = ""  # the label's context; on the language menu, "language:<code>"


Part = Line | Choice


def compose(content: Content, lang: str | None, outputs: tuple[Output, ...], channel: str, now: dt.datetime) -> list[Part]:
    """The parts of a reply, rendered once per content version for each distinct moment
    (see referral_moment) and served from its memo after that."""
    key = ("compose", lang, outputs, channel, referral_moment(content, outputs, now))
    return list(content.renders.get(key, lambda: tuple(_compose(content, lang, outputs, channel, now))))


def referral_moment(content: Content, outputs: tuple[Output, ...], now: dt.datetime) -> tuple:
    """All that `now` changes in a reply: whether each referral it shows is open, and until or
    from when. Two moments with the same statuses render the same words."""
    referrals = content.script.referrals
    return tuple(status(referrals[referral_id], now)
                 for output in outputs if isinstance(output, Show)
                 for referral_id in content.script.nodes[output.node].referrals)


def _compose(content: Content, lang: str | None, outputs: tuple[Output, ...], channel: str, now: dt.datetime) -> list[Part]:
    book = content.languages.book(lang)
    parts: list[Part] = []
    for output in outputs:
        if isinstance(output, Notice):
            parts.append(Line(book.message(output.message, **dict(output.values)), book.code, message_context(output.message)))
        elif isinstance(output, Show):
            parts.append(Line(book.text(output.node, channel), book.code, _text_context(content, output.node, channel)))
            parts.extend(_referrals(content, book, output.node, channel, now))
            parts.extend(_choices(content, book, output.node))
        elif isinstance(output, Choices):
            parts.extend(_choices(content, book, output.node))
        elif isinstance(output, Alert):
            at = dt.datetime.fromtimestamp(output.at, dt.timezone.utc).astimezone(ALERT_ZONE).time()
            parts.append(Line(book.message("alert", time=_time(at, book.code), description=output.description),
                              book.code, message_context("alert")))
        elif isinstance(output, ChooseLanguage):
            for number, code in enumerate(output.codes, start=1):
                language = content.languages.book(code).language
                parts.append(Choice(str(number), language.native_name, code, f"language:{code}"))
    return parts


def _text_context(content: Content, node_id: str, channel: str) -> str:
    """The context of the field Phrasebook.text serves on this channel: its override, else `text`."""
    node = content.script.nodes[node_id]
    field = channel if channel in ("sms", "voice") and getattr(node, channel) else "text"
    return node_context(content.script.flow_of(node_id), node_id, field)


def _referrals(content: Content, book: Phrasebook, node_id: str, channel: str, now: dt.datetime) -> list[Part]:
    return list(referral_lines(content, book, content.script.nodes[node_id].referrals, channel, now))


def referral_lines(content: Content, book: Phrasebook, referral_ids: tuple[str, ...], channel: str, now: dt.datetime) -> list[Line]:
    """Directory entries, those open now first (also what the phone says when no volunteer answers)."""
    return [Line(referral_text(content, book, referral_id, channel, now), book.code, referral_context(referral_id))
            for referral_id in open_first(referral_ids, content.script.referrals, now)]


def _choices(content: Content, book: Phrasebook, node_id: str) -> list[Part]:
    node = content.script.nodes[node_id]
    flow = content.script.flow_of(node_id)
    parts: list[Part] = []
    for item in node.menu:
        parts.append(Choice(str(item.key), book.labels[(node_id, item.key)], book.code, label_context(flow, node_id, item.key)))
    if node.menu and node_id != contract.MAIN_MENU:
        parts.append(Choice("0", book.message("main_menu_choice"), book.code, message_context("main_menu_choice")))
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
            lines.append(book.message("referral_opens_on", day=book.days[when.weekday], time=_time(when.at, locale)))
    return "\n".join(lines)


def _language_name(code: str, locale: str) -> str:
    """A served language named in the caller's language ("inglés" for en, to a Spanish reader)."""
    return Locale.parse(code).get_display_name(locale) or code


def _time(value: dt.time, locale: str) -> str:
    if value == dt.time.max:
        value = dt.time(0, 0)
    return format_time(value, format="short", locale=locale)
