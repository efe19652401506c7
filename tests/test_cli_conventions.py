"""The command line as click users expect it: --help and --version without any setup, one clear
line and an exit status for a user's mistake, never a traceback; the folder you stand in."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from hotline.staff.cli import main


def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


def bare_env() -> dict:
    """No token, no secret, no Redis, no content folders: a fresh terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_", "REDIS_URL", "FLASK_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def hotline(*args, cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hotline.staff.cli", *args], cwd=cwd, env=env or bare_env(),
                          capture_output=True, text=True, timeout=120)


COMMANDS = sorted(all_commands(main))


def test_every_command_is_listed():
    assert {("check",), ("publish",), ("translations", "update"), ("chat",), ("card",), ("graph",)} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_answers_help_without_setup(command, monkeypatch):
    for name in ("TWILIO_AUTH_TOKEN", "HOTLINE_SECRET_KEY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:") and result.exception is None


@pytest.mark.parametrize("args, status", [((), 2), (("--help",), 0), (("--version",), 0), (("nosuchcommand",), 2)])
def test_the_bare_command_in_a_fresh_terminal_never_prints_a_traceback(args, status, tmp_path):
    done = hotline(*args, cwd=tmp_path)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    if args == ("--version",):
        assert done.stdout.startswith("hotline ")
    if args == ("nosuchcommand",):
        assert "No such command 'nosuchcommand'" in done.stderr


def test_a_file_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = hotline("graph", "--out", str(blocker / "diagrams"), "--no-svg")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"Error: cannot write or read {blocker}")


def test_outside_a_hotline_folder_the_command_says_so(tmp_path):
    done = hotline("check", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"there is no flows/ folder in {tmp_path}" in done.stderr


def test_the_folder_you_stand_in_is_the_one_checked_and_named(tmp_path):
    """An edited copy is checked, not the copy the command was installed from."""
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "flows_min", copy / "flows")
    (copy / "flows" / "main.yaml").write_text((copy / "flows" / "main.yaml").read_text().replace("goto: door", "goto: nowhere"))
    done = hotline("check", cwd=copy / "flows")  # from inside flows/ too
    assert done.returncode == 2, done.stdout
    assert done.stdout.splitlines()[0] == f"reading {copy / 'flows'} and {copy / 'translations'}"
    assert "'nowhere'" in done.stdout
    assert hotline("check", "--flows", str(ROOT / "flows"), cwd=copy).returncode == 0  # --flows wins


def test_extract_in_one_clone_never_writes_another(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(FIXTURES / "i18n" / "flows", clone / "flows")
    (clone / "translations").mkdir()
    before = (ROOT / "translations" / "messages.pot").read_bytes() if (ROOT / "translations" / "messages.pot").exists() else None
    done = hotline("translations", "extract", cwd=clone)
    assert done.returncode == 0, done.stderr
    assert (clone / "translations" / "messages.pot").exists()
    after = (ROOT / "translations" / "messages.pot").read_bytes() if (ROOT / "translations" / "messages.pot").exists() else None
    assert before == after


def test_card_refuses_a_number_that_is_not_one(tmp_path):
    done = hotline("card", "--number", "12345", "--out", str(tmp_path / "card.pdf"))
    assert done.returncode == 2 and not (tmp_path / "card.pdf").exists()
    assert "'12345' has the wrong number of digits" in done.stderr and "Traceback" not in done.stderr
