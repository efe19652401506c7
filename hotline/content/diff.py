"""The difference between two revisions (or a revision and a draft), node by node.

Staff and reviewers read changes as the hotline's parts: which nodes, referrals, sources,
messages were added, removed or changed, and which fields of them; for catalogs, which
entries changed in which language. Not a line diff of YAML.
"""
from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import yaml
from babel.messages.pofile import read_po
import io
import json

from hotline.content.yamlsource import plain_load


@dataclass
class Change:
    kind: str  # "node", "referral", "source", "message", "keyword", "flow", "card", "translation", "recording"
    key: str
    how: str  # "added", "removed", "changed"
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (before, after)

    def word_diff(self, name: str) -> list[tuple[str, str]]:
        """(op, words) pieces: op is "=", "-" or "+", for showing a field's change inline."""
        before, after = self.fields[name]
        a, b = before.split(), after.split()
        pieces = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(("=", " ".join(a[i1:i2])))
            else:
                if i2 > i1:
                    pieces.append(("-", " ".join(a[i1:i2])))
                if j2 > j1:
                    pieces.append(("+", " ".join(b[j1:j2])))
        return pieces


_SECTIONS = {"nodes": "node", "referrals": "referral", "sources": "source", "messages": "message",
             "keywords": "keyword"}


def _entries(files: dict[str, str]) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for name, text in files.items():
        if not (name.startswith("flows/") and name.endswith(".yaml")):
            continue
        try:
            doc = plain_load(text) or {}
        except yaml.YAMLError:
            out[("file", name)] = text
            continue
        for section, kind in _SECTIONS.items():
            for key, value in (doc.get(section) or {}).items():
                out[(kind, key)] = value
        if "flow" in doc:
            out[("flow", doc["flow"])] = {"title": doc.get("title"), "file": name}
        if "card" in doc:
            out[("card", "card")] = doc["card"]
    for name, text in files.items():
        if name.startswith("recordings/") and name.endswith(".json"):  # hotline/content/recordings.py
            lang = name.split("/")[1].removesuffix(".json")
            try:
                clips = (json.loads(text) or {}).get("clips", {})
            except ValueError:
                out[("recording", lang)] = text
                continue
            for clip, take in clips.items():
                out[("recording", f"{lang} {clip}")] = {
                    "status": take.get("status"), "words": take.get("text"), "audio": str(take.get("sha256", ""))[:12],
                    "by": take.get("approved_by") or take.get("recorded_by")}
        if name.endswith("messages.po"):
            lang = name.split("/")[1]
            entries = _translations(text)
            if entries is None:  # a broken catalog still shows as changed, whole
                out[("translation", lang)] = text
                continue
            for context, string in entries:
                out[("translation", f"{lang} {context}")] = string
    return out


# Every diff reads both sides' catalogs, mostly the same texts as the last diff: each is read once.
@functools.lru_cache(maxsize=64)
def _translations(text: str) -> tuple[tuple[str, str], ...] | None:
    try:
        catalog = read_po(io.StringIO(text))
    except Exception:
        return None
    return tuple((message.context or "", str(message.string)) for message in catalog if message.id)


def _flat(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): _show(v) for k, v in value.items()}
    return {"value": _show(value)}


def _show(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) if not isinstance(v, dict) else
                         " ".join(f"{k}={_show(x)}" for k, x in v.items()) for v in value)
    return "" if value is None else str(value)


def diff(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    a, b = _entries(before), _entries(after)
    changes = []
    for key in sorted(set(a) | set(b)):
        kind, name = key
        if key not in a:
            changes.append(Change(kind, name, "added", {f: ("", v) for f, v in _flat(b[key]).items()}))
        elif key not in b:
            changes.append(Change(kind, name, "removed", {f: (v, "") for f, v in _flat(a[key]).items()}))
        elif a[key] != b[key]:
            fa, fb = _flat(a[key]), _flat(b[key])
            fields = {f: (fa.get(f, ""), fb.get(f, "")) for f in sorted(set(fa) | set(fb)) if fa.get(f) != fb.get(f)}
            changes.append(Change(kind, name, "changed", fields))
    return changes
