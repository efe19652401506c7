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
    "yaml_syntax": ("main.yaml", 17, "line 17 opens a quote that is not closed on that line"),
    "next_loop": ("main.yaml", 24, "`next` goes round in a circle: legal_help -> legal_help_more -> legal_help"),
    "unknown_placeholder": ("hotline.yaml", 12, "uses {number}, which the hotline does not fill in"),
    "bad_date": ("main.yaml", 22, "reviewed: 'last week' is not a date: write it as year-month-day, like 2026-11-28"),
    "menu_key_range": ("main.yaml", 13, "key: Input should be less than or equal to 9"),
    "bad_phone": ("referrals.yaml", 5, "phone: '1-800-HOTLINE' has letters: write the digits (1-800-HOTLINE is 1-800-468-5463)"),
    # The broken-file cases staff met (issue 15), each a plain message at the line to fix:
    "indented_less": ("main.yaml", 15, "line 15 is indented less than line 14 above it; line it up with `label:` on line 14 (8 spaces)"),
    "indented_key": ("main.yaml", 23, "line 23 is indented less than line 22 above it; line it up with `reviewed:` on line 22 (4 spaces)"),
    "colon_in_label": ("main.yaml", 11, 'the label has a colon followed by a space, which YAML reads as a new key: put the label in quotes: label: "Door: what to do"'),
    "tab_indent": ("main.yaml", 17, "line 17 is indented with a tab: YAML allows only spaces"),
    "text_is_a_number": ("main.yaml", 14, "label: YAML read this as a number (911), not as text: put it in quotes"),
    "impossible_phone": ("referrals.yaml", 5, "'000-555-0142' cannot be a real number"),
    "bad_day": ("referrals.yaml", 13, "'sundy' is not a day: write days like mon, tue"),
    "bad_time": ("referrals.yaml", 13, "'9 oclock' is not a time: write a time like 09:00, 9:30, 5pm or 17:30"),
    "future_verified": ("referrals.yaml", 15, "verified: 2999-01-01 is in the future"),
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


# What staff write that the hotline accepts, and what it makes of it (issue 15).
WRITTEN = {
    'phone: "(607) 555-0142"': ("phone", "607-555-0142"),
    "phone: +1 607 555 0142": ("phone", "607-555-0142"),
    "phone: 607.555.0142": ("phone", "607-555-0142"),
    "phone: 6075550142": ("phone", "607-555-0142"),  # unquoted: YAML reads a number
    "phone: 1-888-335-6678": ("phone", "1-888-335-6678"),
    "phone: 800-566-7636": ("phone", "1-800-566-7636"),  # toll-free: shown with its 1
}
HOURS = {
    '{days: [mon, tue, wed, thu, fri], open: "08:00", close: "20:00"}': (("mon", "tue", "wed", "thu", "fri"), "08:00", "20:00"),
    "{days: [Monday, Tuesday], open: 8:00, close: 17:00}": (("mon", "tue"), "08:00", "17:00"),  # unquoted times
    "{days: mon-fri, open: 9am, close: 5:30pm}": (("mon", "tue", "wed", "thu", "fri"), "09:00", "17:30"),
    '{days: "Mon–Thu", open: noon, close: midnight}': (("mon", "tue", "wed", "thu"), "12:00", "24:00"),
    "{days: weekdays, open: 8, close: 20}": (("mon", "tue", "wed", "thu", "fri"), "08:00", "20:00"),
    '{days: "sat, sun", open: 10:00, close: 14:00}': (("sat", "sun"), "10:00", "14:00"),
}


@pytest.mark.parametrize("written", sorted(WRITTEN))
def test_phone_numbers_in_any_common_form_are_shown_as_staff_expect(tmp_path, written):
    target = flows_with(tmp_path, None)
    path = target / "referrals.yaml"
    path.write_text(path.read_text().replace("phone: 1-800-566-7636", written), encoding="utf-8")
    field, shown = WRITTEN[written]
    assert getattr(load_script(target).referrals["ona"], field) == shown


@pytest.mark.parametrize("written", sorted(HOURS))
def test_days_and_times_in_the_forms_staff_write(tmp_path, written):
    target = flows_with(tmp_path, None)
    path = target / "referrals.yaml"
    path.write_text(path.read_text().replace('{days: [mon, tue, wed, thu, fri], open: "08:00", close: "20:00"}', written),
                    encoding="utf-8")
    opening = load_script(target).referrals["ona"].hours.weekly[0]
    assert (opening.days, opening.open, opening.close) == HOURS[written]
