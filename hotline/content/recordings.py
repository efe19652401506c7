"""Recordings as part of a revision: a text manifest per language, the audio stored by its hash.

A draft or revision holds, beside flows/ and translations/, one file per recorded language:

    recordings/fa_AF.json
    {"clips": {"door__door__text": {"sha256": "9f2c...", "text": "the exact words recorded",
                                    "status": "approved", "seconds": 4.2,
                                    "recorded_by": "nadia", "recorded_at": "2026-12-02T01:10:00+00:00",
                                    "approved_by": "nadia", "approved_at": "2026-12-02T01:12:00+00:00"}}}

so a revision's id (the content's version, hotline/content/bundle.py) covers its recordings, and
publishing or rolling back carries them with everything else. The audio itself is in the
database's clip table (hotline/content/db/models.py, ClipAudio), one row per distinct sha256;
hotline/content/revisions.py writes it beside the manifest when it materializes a revision,
as <root>/recordings/<language>/<clip id>.mp3, the layout the phone line serves.

A clip is `recorded` (waiting for a listen) or `approved`; it is stale when the words its
language's catalog now gives for it differ from `text` (hotline/channels/voice/speech.py knows
those words). Only an approved clip that is not stale is played to callers.

Without the database (HOTLINE_DATABASE_URL=off) there are no manifests: the phone line plays
the recordings/ folder of the checkout, as it always did (recordings/README.md).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from hotline.core.languages import LANGUAGES
from hotline.errors import HotlineError

FOLDER = "recordings"
STATUSES = ("recorded", "approved")
_CLIP = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


class RecordingsError(HotlineError):
    """A recordings manifest that cannot be served (unreadable, or naming audio that is not there)."""


@dataclass(frozen=True)
class Take:
    """One clip of one language, as the manifest keeps it."""

    sha256: str
    text: str  # the words it was recorded from
    status: str  # "recorded" | "approved"
    recorded_by: str
    recorded_at: str
    seconds: float = 0.0
    approved_by: str = ""
    approved_at: str = ""

    @property
    def approved(self) -> bool:
        return self.status == "approved"


def manifest_name(code: str) -> str:
    return f"{FOLDER}/{code}.json"


def is_manifest(name: str) -> bool:
    return name.startswith(f"{FOLDER}/") and name.endswith(".json") and name.count("/") == 1


def parse(text: str, name: str = "recordings/?.json") -> dict[str, Take]:
    try:
        data = json.loads(text)
        clips = data["clips"]
        if not isinstance(clips, dict):
            raise TypeError("clips is not an object")
        takes = {clip: Take(**entry) for clip, entry in clips.items()}
    except (ValueError, KeyError, TypeError) as error:
        raise RecordingsError(f"{name}: not a recordings manifest ({error})") from None
    for clip, take in takes.items():
        if not _CLIP.match(clip) or not _SHA.match(take.sha256) or take.status not in STATUSES:
            raise RecordingsError(f"{name}: clip {clip!r} has a bad name, hash or status")
    return takes


def dump(takes: dict[str, Take]) -> str:
    clips = {clip: asdict(takes[clip]) for clip in sorted(takes)}
    return json.dumps({"clips": clips}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def manifests(files: dict[str, str]) -> dict[str, dict[str, Take]]:
    """Every language's clips in a set of revision files (no manifest: no clips)."""
    found: dict[str, dict[str, Take]] = {}
    for name, text in files.items():
        if is_manifest(name):
            code = name[len(FOLDER) + 1:-len(".json")]
            if code not in LANGUAGES:
                raise RecordingsError(f"{name}: {code!r} is not one of the hotline's languages")
            found[code] = parse(text, name)
    return found


def read_folder(folder: str | Path) -> tuple[dict[str, dict[str, Take]], str]:
    """The manifests in a materialized revision's recordings/ folder, and a digest of them
    ("" when there are none: a checkout's content keeps the version it always had)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}, ""
    files = {f"{FOLDER}/{path.name}": path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.json"))}
    if not files:
        return {}, ""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return manifests(files), digest.hexdigest()


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def with_take(files: dict[str, str], code: str, clip: str, take: Take) -> tuple[str, str]:
    """The manifest file (name, text) of `code` with `clip` recorded anew."""
    if not _CLIP.match(clip):
        raise RecordingsError(f"{clip!r} is not a clip name")
    takes = dict(manifests(files).get(code, {}))
    takes[clip] = take
    return manifest_name(code), dump(takes)


def with_approval(files: dict[str, str], code: str, clip: str, by: str, sha256: str) -> tuple[str, str]:
    """The manifest of `code` with `clip` approved: the take listened to (its sha256), not a newer one."""
    takes = dict(manifests(files).get(code, {}))
    take = takes.get(clip)
    if take is None:
        raise RecordingsError(f"there is no recording of {clip} in {code} to approve")
    if take.sha256 != sha256:
        raise RecordingsError(f"{clip} was recorded again since you listened: listen to the new take first")
    takes[clip] = replace(take, status="approved", approved_by=by, approved_at=now())
    return manifest_name(code), dump(takes)


def without_take(files: dict[str, str], code: str, clip: str) -> tuple[str, str]:
    takes = dict(manifests(files).get(code, {}))
    takes.pop(clip, None)
    return manifest_name(code), dump(takes)


def hashes(files: dict[str, str]) -> set[str]:
    return {take.sha256 for takes in manifests(files).values() for take in takes.values()}
