"""The SMS channel: Twilio's form in, one TwiML <Message> (or a few, if very long) out."""
from __future__ import annotations

import datetime as dt

from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels.compose import Choice, Line, compose
from hotline.content import Content
from hotline.engine import Turn

# Twilio refuses bodies over 1600 characters; split long replies at paragraph breaks.
MAX_BODY = 1600

# Characters pasted from word processors that force the whole message into UCS-2 (70
# characters a segment instead of 160) for no reason a reader would notice.
_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ",
})


def plain(text: str) -> str:
    return text.translate(_PLAIN)


def body(parts: list) -> str:
    """Blocks of text apart by a blank line; a menu's choices one to a line beneath them."""
    lines: list[str] = []
    previous = None
    for part in parts:
        if isinstance(part, Choice):
            if isinstance(previous, Line):
                lines.append("")
            lines.append(f"{part.key} {part.label}")
        else:
            if previous is not None:
                lines.append("")
            lines.append(part.text)
        previous = part
    return plain("\n".join(lines).strip())


def reply_text(content: Content, turn: Turn, now: dt.datetime) -> str:
    return body(compose(content, turn.state.lang, turn.outputs, "sms", now))


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
