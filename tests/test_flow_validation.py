"""Broken flow files are refused with the file, the line and the reason: one fixture per rule.

Each folder in tests/fixtures/invalid/ holds the file(s) that replace their twin in the small
valid hotline of tests/fixtures/flows_min/.
"""
from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES
from hotline.errors import ScriptError
from hotline.content.loader import load_script

# rule -> (file, line, words the reason must contain)
EXPECTED = {
    "unknown_key": ("main.yaml", 18, "unknown key 'colour'"),
    "dangling_goto": ("main.yaml", 18, "menu item 3 goes to 'front_door', but no node has that id"),
    "duplicate_menu_key": ("main.yaml", 13, "menu key 1 is used twice in node 'main_menu'"),
    "missing_referral": ("main.yaml", 26, "referral 'legal_aid' is not in referrals.yaml"),
    "missing_source": ("main.yaml", 21, "source 'afsc' is not in sources.yaml"),
    "legal_without_sources": ("main.yaml", 18, "legal content needs sources"),
    "unreachable_node": ("main.yaml", 27, "node 'orphan' cannot be reached"),
    "duplicate_node_id": ("main.yaml", 18, "node 'door' is also defined in flows/extra.yaml line 4"),
    "duplicate_yaml_key": ("main.yaml", 18, "'help' appears twice here (first on line 16)"),
    "yaml_syntax": ("main.yaml", 17, "not valid YAML"),
    "next_loop": ("main.yaml", 24, "`next` goes round in a circle: legal_help -> legal_help_more -> legal_help"),
    "unknown_placeholder": ("hotline.yaml", 12, "uses {number}, which the hotline does not fill in"),
    "bad_date": ("main.yaml", 22, "reviewed: Input should be a valid date"),
    "menu_key_range": ("main.yaml", 13, "key: Input should be less than or equal to 9"),
    "bad_phone": ("referrals.yaml", 5, "phone: String should match pattern"),
}


def flows_with(tmp_path, rule: str | None):
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows_min", target)
    if rule:
        for patch in (FIXTURES / "invalid" / rule).iterdir():
            shutil.copy(patch, target / patch.name)
    return target


def test_the_minimal_hotline_is_valid(tmp_path):
    script = load_script(flows_with(tmp_path, None))
    assert set(script.nodes) == {"welcome", "main_menu", "help", "door", "legal_help"}


def test_every_rule_has_a_fixture():
    assert {p.name for p in (FIXTURES / "invalid").iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_invalid_flows_name_file_line_and_reason(tmp_path, rule):
    file, line, reason = EXPECTED[rule]
    with pytest.raises(ScriptError) as caught:
        load_script(flows_with(tmp_path, rule))
    findings = caught.value.findings
    assert len(findings) == 1, [str(f) for f in findings]
    finding = findings[0]
    assert (finding.file, finding.line) == (f"flows/{file}", line), str(finding)
    assert reason in finding.reason, str(finding)


def test_all_problems_are_reported_at_once(tmp_path):
    target = flows_with(tmp_path, "missing_source")
    text = (target / "main.yaml").read_text().replace("goto: door", "goto: nowhere")
    (target / "main.yaml").write_text(text)
    with pytest.raises(ScriptError) as caught:
        load_script(target)
    reasons = " | ".join(f.reason for f in caught.value.findings)
    assert "source 'afsc'" in reasons and "'nowhere'" in reasons


def test_the_app_refuses_to_start_on_invalid_scripts(tmp_path, make_app):
    with pytest.raises(ScriptError):
        make_app(flows_dir=flows_with(tmp_path, "dangling_goto"))


def test_the_shipped_scripts_load():
    from hotline.config import ROOT

    script = load_script(ROOT / "flows")
    assert {"welcome", "main_menu", "help", "about"} <= set(script.nodes)
