"""`hotline graph`: Mermaid always; SVG when Graphviz's `dot` is installed (skipped otherwise)."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from hotline.staff.cli import main

FIXTURE_ENV = {"HOTLINE_FLOWS_DIR": str(FIXTURES / "flows_min"),
               "HOTLINE_TRANSLATIONS_DIR": str(FIXTURES / "staff" / "translations"), "HOTLINE_LANGUAGES": ""}
SHIPPED_ENV = {"HOTLINE_FLOWS_DIR": "", "HOTLINE_TRANSLATIONS_DIR": "", "HOTLINE_LANGUAGES": ""}


def graph(out, *args, env=FIXTURE_ENV):
    result = CliRunner().invoke(main, ["graph", "--out", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def test_mermaid_labels_in_the_chosen_language_and_overdue_reviews_stand_out(tmp_path):
    graph(tmp_path, "--lang", "es", "--no-svg", "--today", "2027-08-01")
    text = (tmp_path / "main.mmd").read_text(encoding="utf-8")
    assert text.startswith("flowchart TD\n")
    assert 'n_main_menu["main_menu<br/>Elija."]' in text
    assert 'n_main_menu -->|"1 Puerta"| n_door' in text
    assert 'n_welcome -.->|"then"| n_main_menu' in text
    assert re.search(r'n_door\["door<br/>Keep the door closed\.<br/>REVIEW DUE: reviewed 2026-11-28"\]', text)
    assert "class n_door stale" in text
    markdown = (tmp_path / "main.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{text}```" in markdown
    assert not list(tmp_path.glob("*.svg"))


def test_a_legal_node_within_its_review_date_is_only_marked_legal(tmp_path):
    graph(tmp_path, "--no-svg", "--today", "2026-12-01")
    text = (tmp_path / "main.mmd").read_text(encoding="utf-8")
    assert "class n_door legal" in text and "REVIEW DUE" not in text
    assert 'n_main_menu -->|"1 Door"| n_door' in text


def test_shipped_flows_escape_quotes_and_show_other_flows_as_stubs(tmp_path):
    graph(tmp_path, "--no-svg", "--today", "2026-11-28", env=SHIPPED_ENV)
    assert {p.stem for p in tmp_path.glob("*.mmd")} >= {"main", "door", "street", "legal_help"}
    door = (tmp_path / "door.mmd").read_text(encoding="utf-8")
    assert "say: #quot;I do not consent" in door
    for line in door.splitlines():
        label = re.match(r'\s+n_\w+\["(.*)"\]$', line)
        if label:
            assert '"' not in label.group(1), line
    assert 'n_legal_help["legal_help<br/>in legal_help: Free legal help' in door
    assert "class n_arrested,n_recording,n_legal_help elsewhere" in door


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_svg_with_graphviz(tmp_path):
    graph(tmp_path, "--lang", "es", "--today", "2027-08-01")
    svg = ET.parse(tmp_path / "main.svg").getroot()
    assert svg.tag.endswith("svg")
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Elija." in texts and "1 Puerta" in texts
    door = next(g for g in svg.iter("{http://www.w3.org/2000/svg}g")
                if g.get("class") == "node" and g.findtext("{http://www.w3.org/2000/svg}title") == "door")
    shapes = [el for el in door if el.get("fill")]
    assert shapes and shapes[0].get("fill") == "#fce8e6" and shapes[0].get("stroke-width") == "3"


def test_without_graphviz_mermaid_is_still_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    result = graph(tmp_path / "out")
    assert (tmp_path / "out" / "main.mmd").exists() and not list((tmp_path / "out").glob("*.svg"))
    assert "Graphviz (`dot`) is not installed" in result.output
