"""`hotline chat --voice`: call the hotline from this terminal.

It places the call through the real routes (POST /voice and the URLs the app returns), the
way Twilio would, and prints what the caller would hear: each <Say> with its language tag and
voice, each <Play> with its recording. Type keys to press them; an empty line is silence
(the no-input path); "say ..." speaks words where the language allows it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Callable
from urllib.parse import urlsplit

import click

CALL_SID = "CA" + "0" * 32


class PrintedSender:
    """In the terminal a text message is printed, not sent."""

    def send(self, to: str, body: str) -> None:
        click.secho("(text message to the caller)\n" + body, fg="magenta")


def heard_lines(document: bytes) -> list[str]:
    """What a caller hears in one TwiML response, one line per <Say>/<Play>, plus what happens next."""
    root = ET.fromstring(document)
    lines = []
    for element in root.iter():
        if element.tag == "Say":
            lines.append(f"[{element.get('language')} {element.get('voice')}] {element.text}")
        elif element.tag == "Play":
            lines.append(f"[recording] {urlsplit(element.text).path.rsplit('/recordings/', 1)[-1]}")
        elif element.tag == "Dial":
            lines.append(f"(ringing {len(list(element))} volunteer phone(s), caller ID {element.get('callerId')})")
        elif element.tag == "Record":
            lines.append("(recording a voicemail, in Twilio; press # to finish)")
        elif element.tag == "Hangup":
            lines.append("(the line hangs up)")
    return lines


def run(post: Callable[[str, dict], bytes], number: str, ask: Callable[[str], str],
        echo: Callable[[str], None] = click.echo) -> None:
    """Drive one call: `post(url, form)` answers TwiML, `ask(prompt)` reads the caller's input,
    `echo(line)` shows what is heard (the terminal; the console's transcript)."""
    form = {"From": number, "To": "+10000000000", "CallSid": CALL_SID, "Direction": "inbound", "CallStatus": "in-progress"}
    document = post("/voice", form)
    while True:
        for line in heard_lines(document):
            echo(line)
        root = ET.fromstring(document)
        gather, redirect = root.find("Gather"), root.find("Redirect")
        dial, record = root.find("Dial"), root.find("Record")
        if root[-1].tag == "Hangup":
            return
        if dial is not None:
            answered = ask("did a volunteer answer? [y/N] ").strip().lower().startswith("y")
            document = post(dial.get("action"), dict(form, DialCallStatus="completed" if answered else "no-answer"))
            continue
        if record is not None:
            message = ask("leave a message (Enter for none) > ").strip()
            if message:
                document = post(record.get("action"), dict(form, RecordingDuration="5"))
            else:
                document = post(redirect.text, form)
            continue
        pressed = ask("keys> ").strip()
        if pressed.lower().startswith("say ") and gather is not None:
            document = post(gather.get("action"), dict(form, SpeechResult=pressed[4:]))
        elif pressed and gather is not None:
            document = post(gather.get("action"), dict(form, Digits=pressed[:1]))
        else:
            document = post(redirect.text, form)


def chat(number: str, settings=None, lang: str | None = None) -> None:
    """Call from the terminal; `lang`: start as a caller whose language is already `lang`."""
    from hotline.web.app import create_app

    folders = {"flows_dir": settings.flows_dir, "translations_dir": settings.translations_dir} if settings else {}
    app = create_app({"dev": True, "auth_token": None, "HOTLINE_TEXT_SENDER": PrintedSender(), **folders})
    client = app.test_client()
    board = app.extensions["hotline"]
    if lang:
        from hotline.staff.preview import start_in

        start_in(board, app.config["HOTLINE_SETTINGS"], number, lang)
    ready = app.extensions["hotline_phone"].line(board.content).ready
    click.secho(f"hotline chat --voice: scripts {board.content.version}, {board.store.name} store; phone line: "
                + ", ".join(f"{code} ({r.how})" for code, r in ready.items()), fg="cyan")
    click.secho("Press keys (0-9 * #), Enter for silence, 'say <words>' to speak, Ctrl-D to hang up.", fg="cyan")

    def post(url: str, form: dict) -> bytes:
        return client.post(url, data=form).data

    def ask(prompt: str) -> str:
        return input(prompt)

    try:
        run(post, number, ask)
    except (EOFError, KeyboardInterrupt):
        click.echo("\n(you hung up)")
