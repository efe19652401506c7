"""The SMS channel: Twilio's form in, one TwiML <Message> (or a few, if very long) out."""
from __future__ import annotations

import datetime as dt

from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels.sms import bidi
from hotline.channels.compose import Choice, Line, compose, referral_moment
from hotline.content.bundle import Content
from hotline.core.engine import Alert, Turn

# Twilio refuses bodies over 1600 characters; split long replies at paragraph breaks.
MAX_BODY = 1600

# Characters pasted from word processors that force the whole message into UCS-2 (70
# characters a segment instead of 160) for no reason a reader would notice: typographic
# quotes, dashes and spaces become their plain forms (what Twilio's "Smart Encoding" does),
# invisible characters that do nothing in a text message go. Only these: letters of any
# script, Chinese punctuation, Persian ZWNJ and the bidi marks stay exactly as written.
_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2026": "...", "\u2022": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ",
    "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u205f": " ", "\t": " ",
    # zero width space, soft hyphen, word joiner, byte order mark: invisible, never needed
    "\u200b": None, "\u00ad": None, "\u2060": None, "\ufeff": None,
})


_PLAIN_CHARS = frozenset(chr(code) for code in _PLAIN)


def plain(text: str) -> str:
    # Most texts hold none of them: finding that out is one pass in C, translating is a lookup a character.
    return text if _PLAIN_CHARS.isdisjoint(text) else text.translate(_PLAIN)


def body(parts: list, rtl: bool = False) -> str:
    """Blocks of text apart by a blank line; a menu's choices one to a line beneath them.

    `rtl`: the reply is in a right-to-left language; its lines get directional marks
    (hotline/channels/sms/bidi.py says which and why).
    """
    texts = [plain(part.label if isinstance(part, Choice) else part.text.strip()) for part in parts]
    # A reply with no right-to-left letter at all (an RTL language's catalog still empty) is
    # laid out left-to-right and stays GSM-7: marks there would only triple its cost.
    rtl = rtl and any(bidi.has_rtl(text) for text in texts)
    # Before a language is chosen, a list made only of Arabic-script names (the short list
    # for an Arabic-script first message) reads right-to-left too.
    rtl = rtl or bool(texts) and all(bidi.has_rtl(text) for text in texts)
    lines: list[str] = []
    previous = None
    for part, text in zip(parts, texts):
        if isinstance(part, Choice):
            if isinstance(previous, Line):
                lines.append("")
            lines.append(bidi.rtl_choice(part.key, text) if rtl else bidi.ltr_choice(part.key, text))
        else:
            if previous is not None:
                lines.append("")
            lines.append("\n".join(bidi.rtl_line(line) for line in text.split("\n")) if rtl else text)
        previous = part
    return "\n".join(lines).strip()


def reply_text(content: Content, turn: Turn, now: dt.datetime) -> str:
    book = content.languages.book(turn.state.lang)
    return body(compose(content, turn.state.lang, turn.outputs, "sms", now), rtl=book.language.rtl)


def reply_twiml(content: Content, turn: Turn, now: dt.datetime) -> str:
    """The whole TwiML document for a turn's reply: made once per content version, language,
    outputs and referral moment (compose.referral_moment), then served from the memo."""
    lang, outputs = turn.state.lang, turn.outputs
    key = ("sms", lang, outputs, referral_moment(content, outputs, now))
    return content.renders.get(key, lambda: _document(content, turn, now))


def _document(content: Content, turn: Turn, now: dt.datetime) -> str:
    """Each verified alert is a message of its own (one SMS, read first); the reply follows."""
    alerts = [o for o in turn.outputs if isinstance(o, Alert)]
    if not alerts:
        return twiml(reply_text(content, turn, now))
    rest = Turn(tuple(o for o in turn.outputs if not isinstance(o, Alert)), turn.state)
    response = MessagingResponse()
    for alert in alerts:
        response.message(reply_text(content, Turn((alert,), turn.state), now))
    if rest.outputs:
        for chunk in split(reply_text(content, rest, now)):
            response.message(chunk)
    return str(response)


def split(text: str, limit: int = MAX_BODY) -> list[str]:
    if len(text) <= limit:
        return [text]
    chunks, current = [], ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:
            chunks.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        current = paragraph
    if current:
        chunks.append(current)
    return chunks


def twiml(text: str | None) -> str:
    """A TwiML document: the text as <Message>s, or an empty <Response/> for silence."""
    response = MessagingResponse()
    if text:
        for chunk in split(text):
            response.message(chunk)
    return str(response)
