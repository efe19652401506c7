"""Deployable as the README says: the files Heroku's Python buildpack, Render and systemd read.

The buildpack's rules (heroku/heroku-buildpack-python, lib/package_manager.sh and
lib/python_version.sh): exactly one package manager file in the root (requirements.txt,
poetry.lock, uv.lock or Pipfile.lock), and the Python version from `.python-version` in the
major form ("3.11"), a version it supports (3.10 to 3.14). The web process is the Procfile's.
"""
from __future__ import annotations

import configparser
import re
import shlex
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT
from hotline.config import Settings

PACKAGE_MANAGER_FILES = ("requirements.txt", "poetry.lock", "uv.lock", "Pipfile.lock", "Pipfile")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROCFILE_WEB = next(line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text().splitlines()
                    if line.startswith("web:"))


def pins() -> dict[str, Version]:
    found = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-e", "--editable")):
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # every line is one exact pin
        assert spec.operator == "==", line
        found[canonicalize_name(requirement.name)] = Version(spec.version)
    return found


def test_exactly_one_package_manager_file_the_buildpack_reads():
    present = [name for name in PACKAGE_MANAGER_FILES if (ROOT / name).exists()]
    assert present == ["requirements.txt"]


def test_every_runtime_dependency_is_pinned_within_its_range_and_the_hotline_installed():
    pinned = pins()
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not pinned in requirements.txt"
        assert pinned[name] in requirement.specifier, f"{name}=={pinned[name]} is outside {requirement.specifier}"
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "--editable ." in lines  # the `hotline` command, for `heroku run hotline check`
    dev = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}
    assert not dev & pinned.keys(), "test-only packages do not belong in a deploy"


def test_python_version_file_in_the_form_the_buildpack_reads():
    text = (ROOT / ".python-version").read_text()
    assert re.fullmatch(r"3\.\d+\n?", text), "major form, e.g. 3.11, so the platform applies security updates"
    version = Version(text.strip())
    assert Version("3.10") <= version <= Version("3.14")
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(f"{version}.0")


def test_render_blueprint_runs_the_procfile_command_with_a_health_check():
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
    web = next(s for s in blueprint["services"] if s["type"] == "web")
    assert web["runtime"] == "python" and web["startCommand"] == PROCFILE_WEB
    assert "pip install -r requirements.txt" in web["buildCommand"] and "hotline check" in web["buildCommand"]
    assert web["healthCheckPath"] == "/healthz"
    env = {e["key"]: e for e in web["envVars"]}
    assert env["TWILIO_AUTH_TOKEN"] == {"key": "TWILIO_AUTH_TOKEN", "sync": False}  # asked for, never committed
    assert env["HOTLINE_SECRET_KEY"].get("generateValue") is True
    store = env["REDIS_URL"]["fromService"]
    assert any(s["type"] == store["type"] == "keyvalue" and s["name"] == store["name"] and s["ipAllowList"] == []
               for s in blueprint["services"])
    # every value the blueprint sets is one the hotline accepts
    values = {k: e["value"] for k, e in env.items() if "value" in e}
    Settings.from_env({**values, "TWILIO_AUTH_TOKEN": "t" * 32, "HOTLINE_SECRET_KEY": "k9" * 20 + "abcdefgh"})


def test_systemd_unit_runs_gunicorn_and_reloads_with_publish_never_hup_to_the_master():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read_string((ROOT / "deploy" / "hotline.service").read_text(encoding="utf-8"))
    service = unit["Service"]
    start = shlex.split(service["ExecStart"])
    assert start[0].endswith("/gunicorn") and start[1:] == shlex.split(PROCFILE_WEB)[1:]
    assert service["Type"] == "notify"  # gunicorn's arbiter tells systemd when it is ready
    reload = shlex.split(service["ExecReload"])
    assert reload[0].endswith("/hotline") and reload[1:] == ["publish", "--pid", "$MAINPID"]
    assert "kill" not in service["ExecReload"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("verify, expected", [
    ("off", "rediss://:pw@example.com:6380/0?ssl_cert_reqs=none"),
    ("", "rediss://:pw@example.com:6380/0"),
])
def test_heroku_key_value_store_tls(verify, expected):
    env = {"REDIS_URL": "rediss://:pw@example.com:6380/0", "HOTLINE_REDIS_TLS_VERIFY": verify}
    assert Settings.from_env(env, dev=True).redis_url == expected
    plain = {"REDIS_URL": "redis://127.0.0.1:6379/0", "HOTLINE_REDIS_TLS_VERIFY": "off"}
    assert Settings.from_env(plain, dev=True).redis_url == "redis://127.0.0.1:6379/0"


def test_the_readme_heroku_steps_name_these_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Deploy", 1)[1].split("\n### ", 1)[0]
    for needed in ("requirements.txt", ".python-version", "git push heroku main", "render.yaml",
                   "deploy/hotline.service", "HOTLINE_REDIS_TLS_VERIFY=off"):
        assert needed in section, needed
