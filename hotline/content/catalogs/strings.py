"""Every string a caller can receive, with the gettext context that says where it lives.

One walk over the Script serves the Babel extractor (what translators get), the phrasebooks
(what each language serves) and the staff check (what is missing). Keeping it in one place
means those three can never disagree about which strings exist.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator

from hotline.core import contract
from hotline.content.script import Script

CHANNEL_FIELDS = ("text", "sms", "voice")


@dataclass(frozen=True)
class Translatable:
    context: str  # msgctxt: "<flow>:<node>:<field>", "messages:<id>", "keywords:<id>", ...
    english: str  # msgid
    file: str
    line: int
    comment: str  # for the translator: what the text is for, and its placeholders


def context(*parts: object) -> str:
    """A string's msgctxt: where it comes from, its parts joined by colons. Translators see it;
    catalogs, recordings and the console find a string by it (flow:node:field, messages:id)."""
    return ":".join(str(part) for part in parts)


node_context = context  # (flow, node_id, field): a node's text, sms or voice
message_context = functools.partial(context, "messages")
keyword_context = functools.partial(context, "keywords")
card_context = functools.partial(context, "card")


def label_context(flow: str, node_id: str, key: int) -> str:
    return context(flow, node_id, "menu", key)


def referral_context(referral_id: str) -> str:
    return context("referrals", referral_id, "offers")


def _placeholder_note(text: str) -> str:
    names = sorted(contract.placeholders(text))
    if not names:
        return ""
    return " Keep these placeholders exactly as written: " + ", ".join("{" + n + "}" for n in names) + "."


def translatables(script: Script) -> Iterator[Translatable]:
    for node_id, node in script.nodes.items():
        place = script.places[node_id]
        title = script.flows[place.flow][0]
        purpose = f"Topic '{title}', step {node_id}"
        if node.legal:
            purpose += " (legal information: keep the meaning exact; plain words)"
        for field in CHANNEL_FIELDS:
            text = getattr(node, field)
            if text:
                channel = {"text": "SMS and voice", "sms": "SMS only", "voice": "spoken on the phone line: no web addresses"}[field]
                yield Translatable(node_context(place.flow, node_id, field), text, place.file, place.line,
                                   f"{purpose}; {channel}. Keep phone numbers and names as they are.")
        for item in node.menu:
            yield Translatable(label_context(place.flow, node_id, item.key), item.label, place.file, place.line,
                               f"{purpose}: menu choice {item.key}, opens '{item.goto}'. A few words; shown as '{item.key} <label>'.")
    for message_id, text in script.messages.items():
        yield Translatable(message_context(message_id), text, *script.lines[f"messages:{message_id}"],
                           f"The hotline's own message '{message_id}'.{_placeholder_note(text)}")
    for keyword_id, words in script.keywords.items():
        yield Translatable(keyword_context(keyword_id), ", ".join(words), *script.lines[f"keywords:{keyword_id}"],
                           f"Keyword people can send for '{keyword_id}'. Translate as one or more words separated by "
                           f"commas, in capitals; the English words keep working too.")
    if script.card is not None:
        card, (file, line) = script.card, script.lines["card"]
        note = "The pocket card (printed, wallet size): keep it very short."
        yield Translatable(card_context("title"), card.title, file, line, note + " The card's title.")
        for i, point in enumerate(card.points, start=1):
            yield Translatable(card_context(f"point:{i}"), point.text, file, line,
                               f"{note} Sums up step '{point.step}' (legal information: keep the meaning exact).")
        yield Translatable(card_context("hotline"), card.hotline, file, line, note + _placeholder_note(card.hotline))
        yield Translatable(card_context("help"), card.help, file, line, note + " Above the referral numbers.")
        yield Translatable(card_context("disclaimer"), card.disclaimer, file, line, note + " Small print at the bottom.")
        yield Translatable(card_context("show_back"), card.show_back, file, line,
                           note + " Tells the holder that the other side, in English, is for an officer.")
        # card.officer is not translated on purpose: the back is for an English-speaking officer.
    for referral_id, referral in script.referrals.items():
        yield Translatable(referral_context(referral_id), referral.offers, *script.lines[f"referrals:{referral_id}"],
                           f"What '{referral.name}' offers, in one short sentence. Keep the organisation's name in English.")
