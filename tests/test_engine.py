"""The engine's rules, one by one, on the real scripts."""
from __future__ import annotations

import subprocess
import sys

import pytest

from hotline.config import Settings
from hotline.content.bundle import load_content
from hotline.core.engine import BACK_DEPTH, Choices, Notice, Show, State, step
from hotline.core.words import Words, normalize


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True, languages=("en",))
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def shown(turn):
    return [o.node for o in turn.outputs if isinstance(o, Show)]


def loaded_by(statement: str, families: tuple[str, ...]) -> list[str]:
    """The modules of `families` that `statement` loads in a fresh interpreter."""
    code = (f"import sys; {statement}; "
            f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {families!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in result.stdout.strip().split(",") if m]


def test_the_engine_imports_no_loader_catalog_web_store_or_twilio_code():
    """The core is usable alone: no YAML, pydantic or Babel (the loaders), no web, store or Twilio."""
    families = ("yaml", "pydantic", "babel", "flask", "werkzeug", "redis", "twilio")
    assert loaded_by("import hotline.core.engine, hotline.core.words, hotline.core.hours", families) == []
    # and the check itself can see such an import: the loader does pull in yaml and pydantic
    assert {"yaml", "pydantic"} <= {m.split(".")[0] for m in loaded_by("import hotline.content.loader", families)}


def test_the_channels_import_no_web_store_or_twilio_code():
    assert loaded_by("import hotline.channels.compose", ("flask", "werkzeug", "redis", "twilio")) == []


def test_first_contact_is_welcome_then_main_menu(content):
    turn = step(content, State(), Words("1"))  # a digit on first contact is not read as a choice
    assert shown(turn) == ["welcome", "main_menu"]
    assert turn.state.node == "main_menu"


@pytest.mark.parametrize("text", ["1", "1.", " 1 ", "1!", "١", "۱", "１"])
def test_digits_are_forgiven(content, text):
    turn = step(content, State(node="main_menu"), Words(text))
    assert shown(turn) == ["door"]
    assert turn.state.back == ("main_menu",)


@pytest.mark.parametrize("text", ["0", "menu", "MENU", " Menu. ", "main"])
def test_zero_and_menu_go_to_the_main_menu(content, text):
    turn = step(content, State(node="door_warrant", back=("main_menu", "door")), Words(text))
    assert shown(turn) == ["main_menu"]
    assert turn.state == State(node="main_menu", back=())


def test_back_returns_to_the_previous_menu_and_then_the_main_menu(content):
    state = State(node="main_menu")
    for key in ("1", "1"):
        state = step(content, state, Words(key)).state
    assert state.node == "door_warrant"
    turn = step(content, state, Words("BACK"))
    assert shown(turn) == ["door"] and turn.state.back == ("main_menu",)
    turn = step(content, turn.state, Words("back"))
    assert shown(turn) == ["main_menu"]
    turn = step(content, turn.state, Words("back"))  # nothing further back: stays at the main menu
    assert shown(turn) == ["main_menu"]


def test_help_explains_the_commands_and_back_leaves_it(content):
    turn = step(content, State(node="door", back=("main_menu",)), Words("help"))
    assert shown(turn) == ["help"]
    assert shown(step(content, turn.state, Words("back"))) == ["door"]


@pytest.mark.parametrize("text", ["banana", "", "12", "😀", "\x00"])
def test_anything_else_gets_a_hint_and_the_same_menu(content, text):
    state = State(node="door", back=("main_menu",))
    turn = step(content, state, Words(text))
    assert turn.outputs == (Notice("hint"), Choices("door"))
    assert turn.state == state


def test_a_leaf_page_says_how_to_go_on(content):
    leaf = next(n for n, node in content.script.nodes.items() if not node.menu and not node.next)
    turn = step(content, State(node=leaf), Words("7"))
    assert turn.outputs == (Notice("leaf_hint"),)


def test_a_node_removed_by_a_reload_goes_to_the_main_menu_with_a_notice(content):
    turn = step(content, State(node="no_such_node", back=("main_menu",)), Words("1"))
    assert turn.outputs[0] == Notice("moved")
    assert turn.state.node == "main_menu"


def test_back_is_bounded(content):
    state = State(node="main_menu")
    for _ in range(20):
        state = step(content, state, Words("1")).state
        state = step(content, state, Words("help")).state
    assert len(state.back) <= BACK_DEPTH


@pytest.mark.parametrize("raw,expected", [("  Menú! ", "menu"), ("AYUDA", "ayuda"), ("٢", "2"), ("۲.", "2"), ("２", "2"), ("*", "*"), ("#", "#")])
def test_normalize(raw, expected):
    assert normalize(raw) == expected
