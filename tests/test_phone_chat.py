"""`hotline chat --voice`: the terminal call goes through the real routes and shows what is heard."""
from __future__ import annotations

from click.testing import CliRunner

from hotline.staff.cli import main


def test_chat_voice_shows_voices_and_follows_keys_and_silence(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    # "1" picks English (or, with only English served, opens the door), then on into the door pages.
    result = CliRunner().invoke(main, ["chat", "--voice"], input="1\n1\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "[en-US Google.en-US-Neural2-F] Agents at my door: press 1." in result.output
    assert "Keep the door closed" in result.output
    # quiet after a page: first how to hear it again, then two re-prompts...
    assert result.output.count("Sorry, I did not get that.") == 2
    assert result.output.rstrip().endswith("(the line hangs up)")  # ...then goodbye, never a dead line


def test_plain_chat_still_texts(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["chat"], input="hi\n1\n")
    assert result.exit_code == 0 and "1 Agents at my door" in result.output
