"""Start-up settings and the `hotline` command."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from hotline.staff.cli import main
from hotline.config import Settings
from hotline.errors import ConfigError


def test_production_needs_a_token():
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        Settings.from_env({"HOTLINE_SECRET_KEY": "x" * 40})


def test_production_needs_a_strong_secret():
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        Settings.from_env({"TWILIO_AUTH_TOKEN": "t", "HOTLINE_SECRET_KEY": "short"})


def test_dev_mode_makes_up_a_secret_and_says_so():
    settings = Settings.from_env({"HOTLINE_DEV": "1"})
    assert settings.dev and settings.secret_generated and len(settings.secret_key) >= 32


def test_ttls_come_from_the_environment_and_must_be_positive():
    env = {"HOTLINE_DEV": "1", "HOTLINE_STATE_TTL": "120", "HOTLINE_LANG_TTL": "3600"}
    settings = Settings.from_env(env)
    assert (settings.state_ttl, settings.lang_ttl) == (120, 3600)
    with pytest.raises(ConfigError):
        Settings.from_env(dict(env, HOTLINE_STATE_TTL="0"))
    with pytest.raises(ConfigError):
        Settings.from_env(dict(env, HOTLINE_STATE_TTL="soon"))


def test_the_app_logs_loudly_in_dev_mode(make_app, caplog):
    make_app(redis_url=None, dev=True, auth_token=None)
    assert "DEVELOPMENT MODE" in caplog.text and "NOT checked" in caplog.text


def test_chat_walks_the_menus_in_the_terminal(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["chat"], input="hi\n1\n1\nback\n0\n")
    assert result.exit_code == 0, result.output
    assert "free, confidential hotline" in result.output
    assert "Only a judicial warrant" in result.output
    assert result.output.count("1 Agents at my door") >= 2


def test_check_passes_on_the_shipped_scripts():
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_check_fails_with_file_and_line(tmp_path, monkeypatch):
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows_min", flows)
    shutil.copy(FIXTURES / "invalid" / "missing_source" / "main.yaml", flows / "main.yaml")
    monkeypatch.setenv("HOTLINE_FLOWS_DIR", str(flows))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert "flows/main.yaml:21: source 'afsc' is not in sources.yaml" in result.output
