"""Which languages the phone line can speak, and how: a Twilio voice, recorded audio, or not at all.

Twilio has text-to-speech for English, Spanish, Arabic, Mandarin, Russian and Ukrainian. It
has no voice for Haitian Creole, Dari or Pashto: those are played from recordings, one audio
file per thing the line says, found by a stable id (the string's gettext context, see
hotline/content/catalogs/strings.py, with ':' written '__'):

    <recordings dir>/ht/door__door__text.mp3          the text of node `door` in flow `door`
    <recordings dir>/ht/door__door__menu__1.mp3       "<label>: press 1", said whole
    <recordings dir>/ht/messages__voice_keys.mp3      one of the hotline's own messages
    <recordings dir>/ht/referrals__ona__offers.mp3    a referral: name, what it offers, phone
    <recordings dir>/ht/language__ht.mp3              the language menu entry: "For Kreyol, press 8"

A recorded language is wholly spoken when every recording it needs exists; before that it is
played page by page (PhoneLine.missing_clips: a page whose clips all exist is played, the
others get ONA's interpreters or the text offer, hotline/web/voice.py). `missing_recordings`
lists what is still missing for the staff check. The clips come from this folder and from the
published revision's approved takes (hotline/channels/voice/clips.py, Shelf).

Voice names come from Twilio's published list of Google voices; `language` is the tag the
<Say> needs for that voice, `speech` the tag <Gather> needs to recognise the language (None:
Twilio does not recognise it, keypad only).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline.content.bundle import Content
from hotline.content.catalogs.strings import label_context, message_context, node_context, referral_context
from hotline.core.languages import LANGUAGES


@dataclass(frozen=True)
class Voice:
    language: str  # BCP-47 tag for <Say language>, matching the voice
    voice: str  # Twilio voice name for <Say voice>
    speech: str | None  # BCP-47 tag for <Gather language>; None: no speech recognition


# One voice per language, so a caller hears the same person all through the call.
TTS: dict[str, Voice] = {
    "en": Voice("en-US", "Google.en-US-Neural2-F", "en-US"),
    "es": Voice("es-US", "Google.es-US-Neural2-A", "es-US"),
    "uk": Voice("uk-UA", "Google.uk-UA-Wavenet-A", "uk-UA"),
    "ru": Voice("ru-RU", "Google.ru-RU-Wavenet-A", "ru-RU"),
    # Google's Arabic voice speaks Modern Standard Arabic (ar-XA); recognition needs a
    # country, and Saudi Arabic is the closest to the standard the menus are written in.
    "ar": Voice("ar-XA", "Google.ar-XA-Wavenet-A", "ar-SA"),
    "zh_Hans": Voice("cmn-CN", "Google.cmn-CN-Wavenet-A", "cmn-Hans-CN"),
}
# No Twilio voice and no speech recognition: recordings, keypad only.
RECORDED = ("ht", "fa_AF", "ps")

# Messages the phone line says in a language (besides the flows' own texts and labels).
# voice_press and the referral_* templates are not here: a recording says a whole choice or a
# whole referral, because a clip cannot fill in a placeholder.
SPOKEN_MESSAGES = ("main_menu_choice", "moved", "unavailable", "voice_keys", "voice_no_input", "voice_goodbye",
                   "voice_change_language", "voice_ona", "voice_more_choice", "voice_time_warning")
VOLUNTEER_MESSAGES = ("voice_volunteer_choice", "voice_volunteer_connecting", "voice_volunteer_closed",
                      "voice_volunteer_no_answer", "voice_voicemail", "voice_voicemail_thanks")
# Said in a language the line cannot otherwise speak: optional recordings that let its
# speakers hear the text-message offer in their own language rather than in English.


def clip_id(context: str) -> str:
    """The stable id of a recording: its gettext context, safe as a file name."""
    return context.replace(":", "__")


def language_context(code: str) -> str:
    return f"language:{code}"


def menu_key(code: str) -> str:
    """A language's key on the phone's language menu: its place in the hotline's list, fixed.

    Fixed keys keep recordings valid ("for Kreyol, press 8") whichever languages are served.
    """
    return str(LANGUAGES.index(code) + 1)


def clips_needed(content: Content, volunteers: bool = True, referrals: tuple[str, ...] = ()) -> list[str]:
    """Every context a recorded language must have a clip for, in script order."""
    script = content.script
    needed: list[str] = []
    referenced: list[str] = []
    for node_id, node in script.nodes.items():
        flow = script.flow_of(node_id)
        needed.append(node_context(flow, node_id, "voice" if node.voice else "text"))
        needed.extend(label_context(flow, node_id, item.key) for item in node.menu)
        referenced.extend(r for r in node.referrals if r not in referenced)
    messages = SPOKEN_MESSAGES + (VOLUNTEER_MESSAGES if volunteers else ())
    needed.extend(message_context(m) for m in messages)
    referenced.extend(r for r in referrals if r not in referenced)
    needed.extend(referral_context(r) for r in referenced if r in script.referrals)
    return needed


@dataclass(frozen=True)
class Recordings:
    """The folder of recorded clips, and where Twilio fetches them from."""

    folder: Path

    def path(self, code: str, context: str) -> Path:
        return self.folder / code / f"{clip_id(context)}.mp3"

    def has(self, code: str, context: str) -> bool:
        return self.path(code, context).is_file()

    def shelf(self) -> frozenset[tuple[str, str]]:
        """Every clip there now, as (language, clip id). A phone line reads this once, when it
        is built (with the content), so a call never waits on the disk."""
        if not self.folder.is_dir():
            return frozenset()
        return frozenset((path.parent.name, path.stem) for path in self.folder.glob("*/*.mp3") if path.is_file())


def missing_recordings(content: Content, recordings_dir: str | Path, languages: tuple[str, ...] = RECORDED,
                       volunteers: bool = True, referrals: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """For each language spoken from recordings: the clip ids still to record (empty: ready)."""
    shelf = Recordings(Path(recordings_dir))
    contexts = clips_needed(content, volunteers, referrals)
    return {code: [clip_id(c) for c in contexts + [language_context(code)] if not shelf.has(code, c)]
            for code in languages}


@dataclass(frozen=True)
class Readiness:
    """How the phone line serves one language."""

    code: str
    how: str  # "tts" | "recordings" | "text" (offered by SMS only)
    missing: tuple[str, ...] = ()

    @property
    def can_speak(self) -> bool:
        return self.how != "text"


def readiness(content: Content, recordings: Recordings, volunteers: bool = True,
              referrals: tuple[str, ...] = ()) -> dict[str, Readiness]:
    """For every language the hotline serves: can the phone speak it, and how."""
    recorded = tuple(c for c in content.languages.codes if c not in TTS)
    # Asked of `recordings` itself: a revision's approved clips count as much as the folder's.
    contexts = clips_needed(content, volunteers, referrals) if recorded else []
    missing = {code: [clip_id(c) for c in contexts + [language_context(code)] if not recordings.has(code, c)]
               for code in recorded}
    table: dict[str, Readiness] = {}
    for code in content.languages.codes:
        if code in TTS:
            table[code] = Readiness(code, "tts")
        elif not missing[code]:
            table[code] = Readiness(code, "recordings")
        else:
            table[code] = Readiness(code, "text", tuple(missing[code]))
    return table


def untranslated(content: Content, code: str) -> frozenset[str]:
    """Contexts this language serves in English (missing or fuzzy): say those with the English voice."""
    report = content.languages.reports.get(code)
    if report is None or code == "en":
        return frozenset()
    return frozenset(report.missing) | frozenset(report.fuzzy)

