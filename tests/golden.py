"""Golden conversations: YAML files of (send, expect) steps, walked through the engine and HTTP.

`pytest --update-golden` rewrites the expected replies after a deliberate content change;
review the diff like any other change to what callers are told.
"""
from __future__ import annotations

from pathlib import Path

import yaml

GOLDEN = Path(__file__).resolve().parent / "golden"


class _Literal(str):
    pass


def _literal(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.add_representer(_Literal, _literal, Dumper=yaml.SafeDumper)


def conversations(prefix: str = "") -> list[Path]:
    return sorted(GOLDEN.glob(f"{prefix}*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def save(path: Path, conversation: dict) -> None:
    for step in conversation["steps"]:
        step["expect"] = _Literal(step["expect"])
    path.write_text(yaml.safe_dump(conversation, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
