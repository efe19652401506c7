"""Edits to the exchange files, as the console's forms make them, keeping the files as staff
wrote them: ruamel.yaml's round trip keeps comments, key order and the `>-` folded style, so
a console edit exported to git is a small diff a reviewer can read, not a rewritten file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import textwrap
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString

from hotline.content.yamlsource import plain_load

NODE_TEXT_FIELDS = ("text", "sms", "voice")
# What a reviewer's sign-off covers: everything but the sign-off itself.
_NOT_REVIEWED = ("reviewed", "reviewer")


def _yaml() -> YAML:
    handler = YAML()
    handler.preserve_quotes = True
    handler.width = 96
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def parsed(files: dict[str, str]) -> dict[str, Any]:
    """Every flow file, read plainly (no checks: the loader does those)."""
    out = {}
    for name, text in files.items():
        if name.startswith("flows/") and name.endswith(".yaml"):
            try:
                out[name] = plain_load(text) or {}
            except yaml.YAMLError:
                out[name] = {}
    return out


def nodes_of(files: dict[str, str]) -> dict[str, tuple[str, dict]]:
    """node id -> (file, the node as written)."""
    found = {}
    for name, doc in parsed(files).items():
        if isinstance(doc, dict) and isinstance(doc.get("nodes"), dict):
            for node_id, node in doc["nodes"].items():
                found[node_id] = (name, node if isinstance(node, dict) else {})
    return found


def node_digest(node: dict) -> str:
    reviewed = {k: v for k, v in node.items() if k not in _NOT_REVIEWED}
    return hashlib.sha256(json.dumps(reviewed, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _folded(value: str) -> Any:
    value = " ".join(value.split())
    if len(value) <= 80:
        return value
    # Folded at spaces near 90 columns, as the shipped files are (`>-`, one sentence per lines).
    folded = FoldedScalarString(value)
    folded.fold_pos = []
    start = 0
    for line in textwrap.wrap(value, 90)[:-1]:
        start += len(line)
        folded.fold_pos.append(start)  # the space after this line
        start += 1
    return folded


def _set_fields(text: str, section: str, entry_id: str, values: dict[str, Any], folded: frozenset[str]) -> str:
    """The file with these fields of one entry of `section` replaced (comments, order and the
    rest of the file kept); a value of None, "" or [] removes the field. Fields in `folded`
    are written as folded text blocks, as staff write long texts by hand."""
    handler = _yaml()
    doc = handler.load(text)
    entry = doc[section][entry_id]
    for key, value in values.items():
        if value is None or value == "" or value == []:
            entry.pop(key, None)
        else:
            entry[key] = _folded(value) if key in folded else value
    out = io.StringIO()
    handler.dump(doc, out)
    return out.getvalue()


_FOLDED_NODE_FIELDS = frozenset(NODE_TEXT_FIELDS) | {"review_note"}


def set_node(text: str, node_id: str, values: dict[str, Any]) -> str:
    """The file with these fields of one node replaced; a value of None removes the field."""
    return _set_fields(text, "nodes", node_id, values, _FOLDED_NODE_FIELDS)


def signed_off(text: str, node_id: str, reviewer: str, when: dt.date) -> str:
    return set_node(text, node_id, {"reviewer": reviewer, "reviewed": when})


def set_referral(text: str, referral_id: str, values: dict[str, Any]) -> str:
    return _set_fields(text, "referrals", referral_id, values, frozenset())
