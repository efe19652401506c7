"""JSON Schema for the files in flows/, generated from the pydantic models that load them.

`hotline schema` writes them to schema/; they are committed so that editors (VS Code with
the YAML extension, see STAFF.md) validate and complete as staff type, and a test regenerates
them to prove they have not drifted from the models.

What a schema can check: unknown keys, types, id and phone patterns, menu keys 1-9, dates,
"a node needs text", "legal content needs sources, reviewed and reviewer" (written out for
editors in hotline.content.model), the message and keyword ids the code needs. What it cannot:
anything that needs two places at once, such as a `goto` naming an existing node, a source or
referral id that exists, unique menu keys or node ids, reachability and `next` loops. Those
are the loader's, and `hotline check` reports them.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from hotline.core import contract
from hotline.content.model import CardFile, FlowFile, HotlineFile, ReferralFile, SourceFile

# Draft 7: the newest draft that common editors implement fully. The generated keywords
# ($ref to "#/$defs/...", if/then, propertyNames, const) all mean the same there.
DRAFT = "http://json-schema.org/draft-07/schema#"

# file name -> (model, title, the key at the top that tells the loader what kind of file it is)
KINDS: dict[str, tuple[type[BaseModel], str, str]] = {
    "flow.schema.json": (FlowFile, "A hotline flow: one topic's nodes (flows/<topic>.yaml)", "flow"),
    "referrals.schema.json": (ReferralFile, "The hotline's referral directory (flows/referrals.yaml)", "referrals"),
    "sources.schema.json": (SourceFile, "Sources of the hotline's legal content (flows/sources.yaml)", "sources"),
    "hotline.schema.json": (HotlineFile, "The hotline's own messages and keywords (flows/hotline.yaml)", "messages"),
    "card.schema.json": (CardFile, "The pocket card (flows/card.yaml)", "card"),
}
ANY_FILE = "flows.schema.json"


def generate() -> dict[str, dict[str, Any]]:
    """Every schema file, by name: one per kind of file, and one for any file in flows/."""
    schemas = {name: _finish(model.model_json_schema(), name, title) for name, (model, title, _) in KINDS.items()}
    schemas[ANY_FILE] = _any_file()
    return schemas


def _finish(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    schema = _closed_maps(schema)
    if name == "hotline.schema.json":
        _contract(schema)
    head = {"$schema": DRAFT, "title": title}
    return head | {k: v for k, v in schema.items() if k != "title"}


def _any_file() -> dict[str, Any]:
    """For a glob like flows/*.yaml: the top-level key decides which kind of file it is."""
    refs = {}
    _, top = models_json_schema([(model, "validation") for model, _, _ in KINDS.values()], ref_template="#/$defs/{model}")
    defs = _closed_maps(top["$defs"])
    _contract(defs["HotlineFile"])
    for model, _, key in KINDS.values():
        refs[key] = {"$ref": f"#/$defs/{model.__name__}"}
    keys = list(refs)
    chain: dict[str, Any] = {
        "anyOf": [{"required": [k]} for k in keys],
        "description": f"A file in flows/ starts with one of: {', '.join(k + ':' for k in keys)}",
    }
    for key in reversed(keys):
        chain = {"if": {"required": [key]}, "then": refs[key], "else": chain}
    return {"$schema": DRAFT, "title": "Any file in the hotline's flows/ folder"} | chain | {"$defs": defs}


def _closed_maps(node: Any) -> Any:
    """Maps keyed by ids (nodes, referrals, sources) come out of pydantic as patternProperties,
    which lets a key that breaks the pattern through unchecked; the loader refuses it, so the
    editor should too."""
    if isinstance(node, dict):
        node = {k: _closed_maps(v) for k, v in node.items()}
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed_maps(v) for v in node]
    return node


def _contract(schema: dict[str, Any]) -> None:
    """hotline.yaml must hold the message and keyword ids the code looks up (hotline.core.contract);
    naming them here also lets the editor offer them as completions."""
    props = schema["properties"]
    messages, keywords = props["messages"], props["keywords"]
    text = next(iter(messages["patternProperties"].values()))
    messages["required"] = sorted(contract.MESSAGES)
    messages["properties"] = {
        mid: dict(text, description="Placeholders the hotline fills in: "
                  + (", ".join("{" + p + "}" for p in sorted(names)) or "none"))
        for mid, names in sorted(contract.MESSAGES.items())}
    words = next(iter(keywords.pop("patternProperties").values()))
    keywords.pop("propertyNames", None)
    keywords["required"] = list(contract.KEYWORDS)
    keywords["properties"] = {kid: words for kid in contract.KEYWORDS + contract.OPTIONAL_KEYWORDS}
    keywords["additionalProperties"] = False


def rendered(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(out_dir: str | Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = out_dir / name
        path.write_text(rendered(schema), encoding="utf-8")
        written.append(path)
    return written


def drifted(out_dir: str | Path) -> list[str]:
    """Schema files that are missing or differ from what the models generate now."""
    out_dir = Path(out_dir)
    return [name for name, schema in generate().items()
            if not (out_dir / name).exists() or (out_dir / name).read_text(encoding="utf-8") != rendered(schema)]


class EditorLoader(yaml.SafeLoader):
    """Reads YAML the way the editor's YAML 1.2 language server does: `2026-11-28` stays a
    string (which the schema checks as a date), where PyYAML's YAML 1.1 would make a date."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_as_editor(text: str) -> Any:
    return yaml.load(text, Loader=EditorLoader)
