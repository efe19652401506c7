"""A recording as staff made it (a browser's WebM, a phone's M4A, a WAV) made into a clip the
phone line can play: MP3, mono, 22.05 kHz, silence trimmed from both ends, loudness evened.

FFmpeg's decoders and the LAME encoder through PyAV (`av`: its wheels carry FFmpeg's libraries,
so a plain `pip install` is enough, no system ffmpeg). The trimming and levelling are done on
the decoded samples here, with numpy, so what they do is visible and testable:

- silence: the clip starts at the first 10 ms window louder than SILENCE_DB and ends at the
  last one, keeping PAD seconds either side (a clip that starts on a breath sounds cut off);
- loudness: the speech is scaled to TARGET_RMS_DB (RMS of the windows above the silence
  threshold, so pauses do not count), never past PEAK_DB, so clips recorded close to or far from
  the microphone sound alike on a call.

Anything that is not audio FFmpeg can decode, is empty, is only silence, or lasts more than
MAX_SECONDS is refused with an AudioError whose message says so in plain words.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import av
import numpy as np

from hotline.errors import HotlineError

RATE = 22050
MAX_SECONDS = 60.0
MAX_BYTES = 20 * 1024 * 1024  # a minute of uncompressed 48 kHz stereo WAV is 11 MB
ACCEPTED = ("wav", "mp3", "ogg", "webm", "m4a")  # what the console's upload accepts by name
SILENCE_DB = -45.0
PAD = 0.15
TARGET_RMS_DB = -20.0
PEAK_DB = -1.0
WINDOW = RATE // 100  # 10 ms


class AudioError(HotlineError):
    """An upload that cannot become a clip; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class Clip:
    mp3: bytes
    seconds: float  # after trimming
    source_seconds: float  # as uploaded


def _db(value: float) -> float:
    return 20 * math.log10(value) if value > 0 else -math.inf


def decode(data: bytes) -> np.ndarray:
    """Mono float samples at RATE; raises AudioError for what is not (usable) audio."""
    if not data:
        raise AudioError("the file is empty")
    if len(data) > MAX_BYTES:
        raise AudioError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: a clip lasts at most "
                         f"{MAX_SECONDS:.0f} seconds")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError):
        raise AudioError("this is not an audio file (use WAV, MP3, OGG, WebM or M4A)") from None
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with container:
            if not container.streams.audio:
                raise AudioError("this is not an audio file: it has no sound in it (use WAV, MP3, OGG, WebM or M4A)")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total > MAX_SECONDS * RATE * 1.05:
                    raise AudioError(f"the recording is longer than {MAX_SECONDS:.0f} seconds: "
                                     "record each thing the line says as its own clip")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioError:
        raise
    except (av.FFmpegError, ValueError, OSError):
        raise AudioError("this audio file is damaged or cut short: record or export it again") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        raise AudioError("the recording has no sound in it")
    if samples.size > MAX_SECONDS * RATE:
        raise AudioError(f"the recording is longer than {MAX_SECONDS:.0f} seconds: "
                         "record each thing the line says as its own clip")
    return samples


def _window_rms(samples: np.ndarray) -> np.ndarray:
    count = max(1, samples.size // WINDOW)
    windows = samples[: count * WINDOW].reshape(count, -1) if samples.size >= WINDOW else samples.reshape(1, -1)
    return np.sqrt(np.mean(np.square(windows, dtype=np.float64), axis=1))


def trim(samples: np.ndarray) -> np.ndarray:
    """Cut the silence at both ends (see the module's notes); AudioError if nothing is left."""
    rms = _window_rms(samples)
    loud = np.flatnonzero(rms > 10 ** (SILENCE_DB / 20))
    if loud.size == 0:
        raise AudioError("the recording is silent: check the microphone and record again")
    pad = int(PAD * RATE)
    start = max(0, int(loud[0]) * WINDOW - pad)
    end = min(samples.size, (int(loud[-1]) + 1) * WINDOW + pad)
    return samples[start:end]


def level(samples: np.ndarray) -> np.ndarray:
    """Scale the speech to TARGET_RMS_DB, its peak kept under PEAK_DB."""
    rms = _window_rms(samples)
    speech = rms[rms > 10 ** (SILENCE_DB / 20)]
    loudness = float(np.sqrt(np.mean(np.square(speech)))) if speech.size else float(np.sqrt(np.mean(np.square(samples))))
    peak = float(np.max(np.abs(samples)))
    gain = min(10 ** (TARGET_RMS_DB / 20) / loudness, 10 ** (PEAK_DB / 20) / peak)
    return (samples * gain).astype(np.float32)


def encode(samples: np.ndarray) -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.bit_rate = 48000
        for start in range(0, samples.size, 1152 * 8):
            chunk = samples[start:start + 1152 * 8]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def convert(data: bytes) -> Clip:
    """An uploaded or recorded file made into a clip for <Play>; AudioError says what is wrong."""
    samples = decode(data)
    source_seconds = samples.size / RATE
    speech = level(trim(samples))
    return Clip(mp3=encode(speech), seconds=round(speech.size / RATE, 2), source_seconds=round(source_seconds, 2))


def measure(data: bytes) -> tuple[str, int, int, float, float]:
    """(format, channels, sample rate, seconds, RMS of the speech in dBFS) of an audio file: for
    tests and for the console's "what was stored" line."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        name, channels, rate = container.format.name, stream.codec_context.channels, stream.codec_context.sample_rate
    samples = decode(data)
    rms = _window_rms(samples)
    speech = rms[rms > 10 ** (SILENCE_DB / 20)]
    loudness = _db(float(np.sqrt(np.mean(np.square(speech))))) if speech.size else -math.inf
    return name, channels, rate, samples.size / RATE, loudness
