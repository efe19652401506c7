"""The JSON Schema editors use: committed, generated from the models, and right about the files.

Files are read as the editor's YAML language server reads them (YAML 1.2: a date stays a
string, which the schema checks as a date), and validated with the `jsonschema` package.
"""
from __future__ import annotations

import json
import pytest
from jsonschema import Draft7Validator

from conftest import FIXTURES, ROOT
from hotline.staff import schema

SCHEMA_DIR = ROOT / "schema"

# Broken fixtures (tests/fixtures/invalid/) that a schema can see, file by file.
SCHEMA_LEVEL = {
    "unknown_key": "main.yaml",
    "bad_date": "main.yaml",
    "menu_key_range": "main.yaml",
    "bad_phone": "referrals.yaml",
    "legal_without_sources": "main.yaml",  # via the if/then written out in hotline.content.model
}
# Those it cannot: each needs more than one place, or is below the level of parsed YAML.
NOT_SCHEMA_LEVEL = {
    "dangling_goto": "a goto must name a node that exists, maybe in another file",
    "missing_referral": "the id must exist in referrals.yaml",
    "missing_source": "the id must exist in sources.yaml",
    "duplicate_menu_key": "JSON Schema has no 'unique by one property' for a list of objects",
    "duplicate_node_id": "node ids must be unique across all files",
    "unreachable_node": "reachability is a property of the whole menu graph",
    "next_loop": "a loop is a property of the whole graph",
    "unknown_placeholder": "which {placeholders} a message may use is the code's contract, checked by the loader",
    "duplicate_yaml_key": "a repeated key is gone once YAML is parsed (the YAML extension flags it itself)",
    "yaml_syntax": "not YAML at all: the editor's parser reports it, before any schema",
}


def validator(name: str) -> Draft7Validator:
    loaded = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    Draft7Validator.check_schema(loaded)
    return Draft7Validator(loaded, format_checker=Draft7Validator.FORMAT_CHECKER)


def errors(name: str, path) -> list[str]:
    document = schema.read_as_editor(path.read_text(encoding="utf-8"))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]


def kind_schema(path) -> str:
    document = schema.read_as_editor(path.read_text(encoding="utf-8"))
    return next(name for name, (_, _, key) in schema.KINDS.items() if key in document)


def test_the_committed_schema_is_what_the_models_generate():
    generated = schema.generate()
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(generated)
    for name, body in generated.items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == schema.rendered(body), (
            f"schema/{name} is out of date: run `hotline schema` and commit it")
    assert schema.drifted(SCHEMA_DIR) == []


def test_drift_is_noticed(tmp_path):
    schema.write(tmp_path)
    (tmp_path / "flow.schema.json").write_text("{}\n")
    assert schema.drifted(tmp_path) == ["flow.schema.json"]


SHIPPED = sorted((ROOT / "flows").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_passes_its_schema_and_the_any_file_schema(path):
    assert errors(kind_schema(path), path) == []
    assert errors(schema.ANY_FILE, path) == []


def test_the_minimal_fixture_passes():
    for path in (FIXTURES / "flows_min").glob("*.yaml"):
        assert errors(schema.ANY_FILE, path) == [], path.name


def test_every_invalid_fixture_is_classified():
    assert set(SCHEMA_LEVEL) | set(NOT_SCHEMA_LEVEL) == {p.name for p in (FIXTURES / "invalid").iterdir()}
    assert not set(SCHEMA_LEVEL) & set(NOT_SCHEMA_LEVEL)


@pytest.mark.parametrize("rule", sorted(SCHEMA_LEVEL))
def test_schema_level_mistakes_are_rejected(rule):
    path = FIXTURES / "invalid" / rule / SCHEMA_LEVEL[rule]
    assert errors(kind_schema(path), path), f"{rule}: the schema accepted it"
    assert errors(schema.ANY_FILE, path), f"{rule}: the any-file schema accepted it"


@pytest.mark.parametrize("rule", sorted(set(NOT_SCHEMA_LEVEL) - {"yaml_syntax"}))
def test_cross_reference_mistakes_pass_the_schema_and_are_left_to_the_loader(rule, tmp_path):
    """Proves the line drawn above: these files are fine one by one, wrong only together."""
    for path in (FIXTURES / "invalid" / rule).iterdir():
        assert errors(schema.ANY_FILE, path) == [], f"{rule}: {path.name}"


def test_the_editor_sees_what_a_typo_breaks(tmp_path):
    shipped = (ROOT / "flows" / "door.yaml").read_text(encoding="utf-8")
    typo = tmp_path / "door.yaml"
    typo.write_text(shipped.replace("goto: door_say", "goto: Door Say", 1).replace("reviewed: 2026-12-01", "reviewed: 01/12/2026", 1))
    found = " | ".join(errors(schema.ANY_FILE, typo))
    assert "nodes/door/menu/1/goto: 'Door Say' does not match" in found
    assert "nodes/door/reviewed: '01/12/2026' is not valid" in found


def test_hotline_yaml_must_keep_the_ids_the_code_needs(tmp_path):
    shipped = (ROOT / "flows" / "hotline.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "hotline.yaml"
    broken.write_text(shipped.replace("  moved:", "  moved_away:").replace("  back: [BACK]", "  backwards: [BACK]"))
    found = " | ".join(errors(schema.ANY_FILE, broken))
    assert "'moved' is a required property" in found and "'backwards' was unexpected" in found


def test_vscode_maps_the_flows_folder_to_the_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping == {"./schema/flows.schema.json": ["flows/*.yaml"]}


def refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_each_schema_file_stands_alone():
    """No $ref to another file, so a `# yaml-language-server: $schema=` line can name any one."""
    for path in SCHEMA_DIR.glob("*.json"):
        found = refs(json.loads(path.read_text(encoding="utf-8")))
        assert all(ref.startswith("#/") for ref in found), (path.name, found)
