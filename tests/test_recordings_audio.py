"""Uploads and browser recordings become clips <Play> accepts: MP3, mono, trimmed, levelled.

Every input is made here: a tone (speech stands in badly, but a tone's loudness is exact) with
silence before and after it, written as the browser or a phone would by Debian's ffmpeg program
(not by the PyAV the hotline reads them with: a codec quirk on one side is not hidden by the same
quirk on the other).
"""
from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest

from hotline.staff import audio

RATE = 48000
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"  # Debian's ffmpeg (scripts/test installs it)


def tone(seconds: float = 1.0, before: float = 1.0, after: float = 1.5, amplitude: float = 0.05,
         rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    sound = amplitude * np.sin(2 * math.pi * 440 * t)
    return np.concatenate([np.zeros(int(before * rate)), sound, np.zeros(int(after * rate))]).astype(np.float32)


def wav_bytes(samples: np.ndarray, rate: int = RATE, channels: int = 1) -> bytes:
    out = io.BytesIO()
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(out, "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return out.getvalue()


def encoded(samples: np.ndarray, container_format: str, codec: str, rate: int = RATE) -> bytes:
    """The tone as a browser (Opus in WebM), a phone (AAC in M4A) or an editor (MP3) saves it,
    written by Debian's ffmpeg program: an encoder other than the PyAV the hotline decodes with."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "tone.wav", Path(folder) / f"tone.{container_format}"
        source.write_bytes(wav_bytes(samples, rate=rate))
        # a file, not a pipe: the M4A muxer goes back to write its index at the start
        subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(source),
                        "-c:a", codec, "-f", container_format, str(out)], check=True, timeout=60)
        return out.read_bytes()


SOURCES = {
    "wav": lambda s: wav_bytes(s),
    "wav-stereo-44k": lambda s: wav_bytes(tone(rate=44100), rate=44100, channels=2),
    "webm-opus": lambda s: encoded(s, "webm", "libopus"),
    "ogg-opus": lambda s: encoded(s, "ogg", "libopus"),  # what Firefox records
    "mp3": lambda s: encoded(s, "mp3", "libmp3lame"),
    "m4a-aac": lambda s: encoded(s, "ipod", "aac"),
}


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_accepted_kind_becomes_a_trimmed_levelled_mono_mp3(kind):
    source = SOURCES[kind](tone())
    clip = audio.convert(source)
    name, channels, rate, seconds, loudness = audio.measure(clip.mp3)
    assert name == "mp3" and clip.mp3[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
    assert (channels, rate) == (1, audio.RATE)
    assert 3.3 < clip.source_seconds < 3.8  # 1 s before, 1 s of tone, 1.5 s after (codecs pad a little)
    # Trimmed to the tone and a short pad each side (an MP3 decoder adds a frame or two).
    assert 1.0 <= seconds < 1.0 + 2 * audio.PAD + 0.15, seconds
    assert seconds < clip.source_seconds - 2
    # A quiet tone (-29 dBFS RMS) brought up to the target.
    assert abs(loudness - audio.TARGET_RMS_DB) < 1.5, loudness


def test_a_loud_recording_is_brought_down_and_never_clips():
    clip = audio.convert(wav_bytes(tone(amplitude=0.99)))
    _, _, _, _, loudness = audio.measure(clip.mp3)
    assert abs(loudness - audio.TARGET_RMS_DB) < 1.5
    samples = audio.decode(clip.mp3)
    assert float(np.max(np.abs(samples))) < 10 ** (audio.PEAK_DB / 20) + 0.05


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"<html><body>not a sound</body></html>" * 40, "not an audio file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(2000), "not an audio file"),
], ids=["empty", "html", "png"])
def test_what_is_not_audio_is_refused_in_plain_words(data, reason):
    with pytest.raises(audio.AudioError, match=reason):
        audio.convert(data)


def test_silence_alone_is_refused():
    with pytest.raises(audio.AudioError, match="silent"):
        audio.convert(wav_bytes(np.zeros(RATE * 2, dtype=np.float32)))


def test_a_recording_over_a_minute_is_refused():
    long = tone(seconds=audio.MAX_SECONDS + 5, before=0, after=0, rate=8000)
    with pytest.raises(audio.AudioError, match="longer than 60 seconds"):
        audio.convert(wav_bytes(long, rate=8000))


def test_a_truncated_file_is_refused_or_converted_never_a_crash():
    whole = encoded(tone(), "webm", "libopus")
    try:
        clip = audio.convert(whole[: len(whole) // 2])
    except audio.AudioError as error:
        assert str(error)
    else:
        assert audio.measure(clip.mp3)[0] == "mp3"
