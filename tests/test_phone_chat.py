"""`hotline chat --voice`: the terminal call goes through the real routes and shows what is heard."""
from __future__ import annotations

from click.testing import CliRunner

from conftest import FIXTURES
from hotline.staff.cli import main


def test_chat_voice_shows_voices_and_follows_keys_and_silence(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    # The i18n fixture: its catalogs are complete, so the call starts with the language menu
    # whatever state the shipped catalogs are in. "1" there is English, then "1" is the door.
    monkeypatch.setenv("HOTLINE_FLOWS_DIR", str(FIXTURES / "i18n" / "flows"))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS_DIR", str(FIXTURES / "i18n" / "translations"))
    result = CliRunner().invoke(main, ["chat", "--voice"], input="1\n1\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "[en-US Google.en-US-Neural2-F] English: press 1." in result.output
    assert "[en-US Google.en-US-Neural2-F] Door: press 1." in result.output
    assert "Keep the door closed" in result.output
    # quiet after a page: first how to hear it again, then two re-prompts...
    assert result.output.count("Sorry, I did not get that.") == 2
    assert result.output.rstrip().endswith("(the line hangs up)")  # ...then goodbye, never a dead line


def test_plain_chat_still_texts(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["chat"], input="hi\n1\n")
    assert result.exit_code == 0 and "1 Agents at my door" in result.output
