"""Static TwiML for when the app itself is down: the last line of defence behind Twilio's Fallback URL.

When the webhook fails or times out, Twilio fetches the number's Fallback URL instead. A static
document there needs no app, no Redis and no state, so it works when nothing else does. It
cannot hold a conversation, so it says the essentials in brief and gives every referral
number the directory has:
- the hotline's own "unavailable" message (it names the ONA hotline);
- the text of a few key nodes (by default what to say at the door, and what to do if
  arrested), as each language's phrasebook serves them: the same words callers get;
- each referral with a confirmed phone number.

`hotline fallback OUTDIR` writes sms.xml and voice.xml (English), and sms-<code>.xml (and
voice-<code>.xml where Twilio has a voice for it) for every other language being served.
Run it again whenever the flows or catalogs change; the README says how to host the files.
"""
from __future__ import annotations

from pathlib import Path

import click
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels import sms
from hotline.channels.compose import Line
from hotline.channels.sms.segments import cost
from hotline.content.bundle import Content
from hotline.core.languages import ENGLISH
from hotline.content.catalogs.languages import Phrasebook
from hotline.staff import folders as places
from hotline.staff.failures import guarded

# What to say at the door, and what to do if arrested: the two moments where a person has no
# time to read menus. Staff can name other nodes with --node.
ESSENTIALS = ("door_say", "arrested")

# <Say language=...> for the languages with a Twilio text-to-speech voice (platform reference).
# Other languages get the SMS document only; their callers hear the English one.
SAY_LANGUAGE = {"en": "en-US", "es": "es-US"}


def _referral_lines(content: Content, book: Phrasebook, phone) -> list[str]:
    lines = []
    for referral in content.script.referrals.values():
        if referral.phone and "phone" not in referral.unconfirmed:
            lines.append(f"{referral.name}: {book.message('referral_phone', phone=phone(referral.phone))}")
    return lines


def sms_document(content: Content, lang: str, nodes: tuple[str, ...] = ESSENTIALS) -> str:
    book = content.languages.book(lang)
    parts = [Line(book.message("unavailable"), book.code)]
    parts += [Line(book.text(node, "sms"), book.code) for node in nodes]
    parts.append(Line("\n".join(_referral_lines(content, book, lambda p: p)), book.code))
    return sms.twiml(sms.body(parts))


def _spoken_phone(phone: str) -> str:
    """1-800-566-7636 -> "1, 8 0 0, 5 6 6, 7 6 3 6": digit by digit, a pause at each dash."""
    return ", ".join(" ".join(group) for group in phone.split("-"))


def voice_document(content: Content, lang: str, nodes: tuple[str, ...] = ESSENTIALS) -> str:
    book = content.languages.book(lang)
    say = SAY_LANGUAGE[lang]
    response = VoiceResponse()
    unavailable = book.message("unavailable")
    for referral in content.script.referrals.values():  # numbers read digit by digit
        if referral.phone:
            unavailable = unavailable.replace(referral.phone, _spoken_phone(referral.phone))
    response.say(unavailable, language=say)
    for node in nodes:
        response.say(book.text(node, "voice"), language=say)
    numbers = _referral_lines(content, book, _spoken_phone)
    for _ in range(2):  # a number is hard to catch the first time
        response.pause(length=1)
        for line in numbers:
            response.say(line, language=say)
    response.hangup()
    return str(response)


def write_fallbacks(content: Content, folder: Path, nodes: tuple[str, ...] = ESSENTIALS) -> list[Path]:
    unknown = [n for n in nodes if n not in content.script.nodes]
    if unknown:
        raise click.UsageError(f"no node {', '.join(unknown)} in the flows")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code in content.languages.codes:
        suffix = "" if code == ENGLISH else f"-{code}"
        documents = {f"sms{suffix}.xml": sms_document(content, code, nodes)}
        if code in SAY_LANGUAGE:
            documents[f"voice{suffix}.xml"] = voice_document(content, code, nodes)
        for name, document in documents.items():
            path = folder / name
            path.write_text(document, encoding="utf-8")
            written.append(path)
    return written


@click.command("fallback")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--node", "nodes", multiple=True, help=f"A node to include (repeatable; default: {', '.join(ESSENTIALS)}).")
@places.options
def command(folder: Path, nodes: tuple[str, ...], flows_dir=None, translations_dir=None) -> None:
    """Write static TwiML (SMS and voice) to FOLDER, for the Twilio number's Fallback URL."""
    import xml.etree.ElementTree as ET

    from hotline.config import Settings
    from hotline.content.bundle import load_content

    found = places.find(flows_dir, translations_dir)
    click.secho(found.line(), fg="cyan", err=True)
    with guarded():
        settings = Settings.from_env(dev=True, flows_dir=found.flows, translations_dir=found.translations)
        content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
        written = write_fallbacks(content, folder, nodes or ESSENTIALS)
    for path in written:
        document = path.read_text(encoding="utf-8")
        if path.name.startswith("sms"):
            text = "\n\n".join(m.text or "" for m in ET.fromstring(document))
            detail = f"{cost(text).segments} SMS segments ({cost(text).encoding})"
        else:
            detail = "spoken, then the numbers twice"
        click.echo(f"wrote {path} ({len(document)} bytes; {detail})")
