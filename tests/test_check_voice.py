"""`hotline check` lists the recordings each recorded language still needs, from the phone line's
own list (hotline/channels/voice/speech.py), in the folder HOTLINE_RECORDINGS_DIR names."""
from __future__ import annotations

import json

from click.testing import CliRunner

from hotline.channels.voice.speech import clip_id, clips_needed, language_context
from hotline.staff.cli import main
from hotline.config import Settings
from hotline.content.bundle import load_content


def test_the_check_counts_missing_recordings_in_the_configured_folder(tmp_path):
    settings = Settings.from_env({}, dev=True)
    content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    needed = [clip_id(c) for c in clips_needed(content, volunteers=False)] + [clip_id(language_context("ht"))]
    (tmp_path / "ht").mkdir()
    for clip in needed[:3]:
        (tmp_path / "ht" / f"{clip}.mp3").write_bytes(b"ID3")
    env = {"HOTLINE_RECORDINGS_DIR": str(tmp_path), "HOTLINE_VOLUNTEER_NUMBERS": "", "HOTLINE_FLOWS_DIR": "",
           "HOTLINE_TRANSLATIONS_DIR": "", "HOTLINE_LANGUAGES": ""}
    result = CliRunner().invoke(main, ["check", "--json"], env=env)
    voice = {row["code"]: row for row in json.loads(result.output)["voice"]}
    assert voice["ht"]["missing_recordings"] is not None
    assert len(voice["ht"]["missing_recordings"]) == len(needed) - 3
    assert needed[0] not in voice["ht"]["missing_recordings"] and needed[3] in voice["ht"]["missing_recordings"]
    assert voice["es"]["tts"] == "es-US" and voice["es"]["missing_recordings"] == []
