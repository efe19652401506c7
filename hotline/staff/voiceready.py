"""Voice readiness: per language, can the phone line speak it, and can callers answer by voice?

From Twilio's documentation (the text-to-speech voices of <Say>,
https://www.twilio.com/docs/voice/twiml/say/text-speech, and the speech recognition languages
of <Gather>, https://www.twilio.com/docs/voice/twiml/gather#languagetags): text-to-speech exists
for English, Spanish, Arabic, Mandarin, Russian and Ukrainian, but not for Haitian Creole,
Dari or Pashto, which need recorded audio (<Play>) or must not be offered by voice. Speech
recognition does not cover Haitian Creole, Pashto or Dari: there, the keypad only.

The voice table and the list of recordings each language needs belong to the phone line
(hotline/channels/voice/speech.py); this module only turns them into the check's findings.
`hotline check` passes `recordings_missing(...)` for the configured recordings folder; a
caller of run_check that passes nothing gets the recordings reported as "not listed".
"""
from __future__ import annotations

from typing import Callable

from pathlib import Path

from hotline.channels.voice import speech as voices
from hotline.content.bundle import Content
from hotline.content.catalogs.languages import Language
from hotline.staff.findings import CheckFinding, VoiceStatus

# Language code -> Twilio's language tag for text-to-speech, or None: no Twilio voice exists.
TTS: dict[str, str | None] = {code: (voices.TTS[code].language if code in voices.TTS else None)
                              for code in ("en", "es", "uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans")}
# Languages Twilio's speech recognition understands; the others answer with the keypad.
SPEECH_INPUT = frozenset(code for code, voice in voices.TTS.items() if voice.speech)

MissingRecordings = Callable[[Content, str], list[str]]


def recordings_missing(recordings_dir: str | Path, volunteers: bool = True,
                       referrals: tuple[str, ...] = ()) -> MissingRecordings:
    """The phone line's own list of clips still to record, for one language at a time."""
    def missing(content: Content, code: str) -> list[str]:
        if code in voices.TTS:
            return []
        return voices.missing_recordings(content, recordings_dir, (code,), volunteers, referrals)[code]

    return missing


def voice_readiness(content: Content, offered: tuple[str, ...], catalog_files: dict[str, str],
                    missing_recordings: MissingRecordings | None = None) -> tuple[list[VoiceStatus], list[CheckFinding]]:
    statuses, findings = [], []
    for code in content.languages.codes:
        name = Language.of(code).native_name
        tts = TTS.get(code)
        missing = tuple(missing_recordings(content, code)) if missing_recordings else None
        status = VoiceStatus(code, name, code in offered, tts, code in SPEECH_INPUT, missing)
        statuses.append(status)
        where = catalog_files.get(code, "flows/hotline.yaml")
        severity = "warning" if status.offered else "note"
        if tts is None and missing is None:
            findings.append(CheckFinding("voice", severity, where, 1,
                                    f"{name} ({code}) has no Twilio voice: it needs recorded audio for every text, "
                                    "and must not be offered on the phone line until the recordings exist", code))
        elif tts is None and missing:
            findings.append(CheckFinding("voice", severity, where, 1,
                                    f"{name} ({code}) has no Twilio voice and {len(missing)} recordings are missing",
                                    code, {"missing_recordings": list(missing)}))
    return statuses, findings
