"""Previews: any language, either channel, exactly as a person would get it.

A preview serves every catalog that loads, however little of it is translated, so staff and
translators can see a language before callers are offered it (untranslated strings show in
English, as they would for a caller). Nothing here is used when serving callers.
"""
from __future__ import annotations

import datetime as dt
import difflib

import click
from zoneinfo import ZoneInfo

from pathlib import Path

from hotline.channels.compose import compose
from hotline.channels.voice import PhoneLine, voice_outputs
from hotline.channels.voice import readable_aloud
from hotline.channels.voice.speech import Recordings
from hotline.config import Settings
from hotline.content.bundle import Content, catalogs_digest
from hotline.core.engine import Notice, State, Turn, step
from hotline.core.words import Words
from hotline.errors import PreviewError
from hotline.content.loader import load_script
from hotline.core.languages import ENGLISH
from hotline.content.catalogs.languages import catalog_path, load_languages
from hotline.staff.sms_budget import REPEAT
from hotline.staff.translations import quiet_catalog_log
from hotline.session.switchboard import Switchboard

LOCAL = ZoneInfo("America/New_York")



def preview_codes(settings: Settings) -> tuple[str, ...]:
    return tuple(code for code in settings.languages
                 if code == ENGLISH or catalog_path(settings.translations_dir, code).exists())


def preview_content(settings: Settings) -> Content:
    script = load_script(settings.flows_dir)
    with quiet_catalog_log():
        languages = load_languages(script, settings.translations_dir, preview_codes(settings), min_coverage=0)
    return Content(script, languages, catalogs_digest(settings.translations_dir, settings.languages))


def checked_language(content: Content, lang: str) -> str:
    if lang not in content.languages.codes:
        raise PreviewError(f"no catalog for language '{lang}'; these can be previewed: {', '.join(content.languages.codes)}")
    return lang


def checked_node(content: Content, node_id: str) -> str:
    if node_id not in content.script.nodes:
        close = difflib.get_close_matches(node_id, content.script.nodes, n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " `hotline graph` shows every node."
        raise PreviewError(f"there is no node '{node_id}'.{hint}")
    return node_id


def start_in(board: Switchboard, settings: Settings, number: str, lang: str, content: Content | None = None) -> None:
    """`hotline chat --lang xx`: serve the preview content, with `number` already in `lang`.
    The console passes the draft's preview content it has already loaded."""
    content = content or preview_content(settings)
    checked_language(content, lang)
    board.publish(content)
    board.start_afresh(number, lang)


def arrival(content: Content, node_id: str, lang: str) -> Turn:
    """What a person gets on arriving at a node: the engine's own "say it again" from there."""
    return step(content, State(node=checked_node(content, node_id), lang=checked_language(content, lang)), Words(REPEAT))


def heard(content: Content, turn: Turn, now: dt.datetime) -> str:
    """What the phone line says for a turn, one sentence group a line, as the phone line itself
    words it (hotline/channels/voice/__init__.py): phone numbers digit by digit, no web addresses, the
    phone's hints instead of the texting ones, English where a language lacks a translation.
    A language spoken from recordings shows the words its clips should say."""
    line = PhoneLine(content, Recordings(Path("recordings")), {})
    book = content.languages.book(turn.state.lang)
    said = []
    for part in compose(content, turn.state.lang, voice_outputs(turn.outputs), "voice", now):
        words, _ = line.words_for(part)
        said.append(readable_aloud(words))
    # The end of a topic already says the keys (its leaf hint); a menu gets them once, as a call does.
    if turn.waits_for_choice and Notice("leaf_hint") not in turn.outputs:
        said.append(readable_aloud(book.message("voice_keys")))
    return "\n".join(said)


def parse_when(text: str | None) -> dt.datetime:
    """--at "2026-12-01 09:30": a time in Binghamton (referral hours depend on it); default now."""
    if not text:
        return dt.datetime.now(dt.timezone.utc)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise PreviewError(f"--at {text!r}: write a date and time like 2026-12-01T09:30") from None
    return when if when.tzinfo else when.replace(tzinfo=LOCAL)


def sms_chat(board: Switchboard, number: str, ask, show, clock) -> None:
    """`hotline chat`'s conversation: what a person texts, and the replies, until two blank lines.

    It opens as a person's first text does (the welcome, or the menu of the chosen
    language), so the first thing typed is an answer to it, not taken as a greeting."""
    from hotline.channels import sms

    def answer(text: str) -> None:
        result = board.turn(number, text, channel="sms")
        reply = sms.reply_text(board.content, result.turn, clock(dt.timezone.utc))
        show(click.style("hotline>\n", fg="green") + (reply or "(no reply: the SMS line stays silent here)") + "\n")

    show(click.style("(the hotline's answer to a first text)", fg="cyan"))
    answer(OPENING)
    blanks = 0
    while True:
        try:
            text = ask("you> ")
        except (EOFError, KeyboardInterrupt):
            show("")
            return
        blanks = blanks + 1 if not text.strip() else 0
        if blanks >= 2:
            return
        if blanks:
            continue
        answer(text)


# What the chat sends for the person to open the conversation: an empty text, which says
# nothing about a language (so the language menu, or the welcome in the language chosen).
OPENING = ""
