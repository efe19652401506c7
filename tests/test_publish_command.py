"""`hotline publish` against a real gunicorn started here: check, reload every worker, confirm.

The server is started the way the Procfile and the systemd unit start it (gunicorn, its
conf file, in the folder that holds flows/ and translations/), with three workers, and the
command is run the way staff run it (standing in that folder).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from hotline.staff.cli import main
from hotline.staff.publish import children, sample
from test_publishing import answering, free_port, wait_for

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="publish finds gunicorn's workers through /proc"),
    pytest.mark.skipif(shutil.which("gunicorn") is None and not shutil.which(sys.executable), reason="needs gunicorn"),
]
I18N = FIXTURES / "i18n"
WORKERS = 3


@pytest.fixture
def site(tmp_path):
    shutil.copytree(I18N / "flows", tmp_path / "flows")
    shutil.copytree(I18N / "translations", tmp_path / "translations")
    return tmp_path


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "REDIS_URL", "TWILIO_"))}
    # Files, not the console's database: `hotline publish` reloads a server that serves the
    # folders (with a database, a revision is published from the console or `hotline import`).
    env.update(HOTLINE_DEV="1", PYTHONPATH=str(ROOT), HOTLINE_DATABASE_URL="off", **extra)
    return env


@pytest.fixture
def gunicorn(site):
    """gunicorn serving `site` (en and es), three workers; stopped (SIGTERM to its master) after."""
    port = free_port()
    log = site / "gunicorn.log"
    with log.open("wb") as sink:
        master = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{port}", "hotline:create_app()"],
            cwd=site, env=_env(HOTLINE_LANGUAGES="en,es"), stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert wait_for(lambda: answering(port), timeout=60), log.read_text()
        assert wait_for(lambda: len(children(master.pid)) == WORKERS, timeout=30)
        yield master, url, log
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()


def publish(site, master, url, monkeypatch, languages="en,es"):
    monkeypatch.chdir(site)  # staff stand in the content folder
    monkeypatch.setenv("HOTLINE_LANGUAGES", languages)
    for name in ("HOTLINE_FLOWS_DIR", "HOTLINE_TRANSLATIONS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner().invoke(main, ["publish", "--pid", str(master.pid), "--url", url, "--timeout", "45"])


def versions(url) -> dict[int, str]:
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 20
    while len(seen) < WORKERS and time.monotonic() < deadline:
        for answer in sample(url, 2 * WORKERS):
            seen[answer["worker"]] = answer["version"]
    return seen


def test_publish_reloads_every_worker_and_confirms(site, gunicorn, monkeypatch):
    master, url, log = gunicorn
    before = versions(url)
    assert len(before) == WORKERS and len(set(before.values())) == 1, before
    main_yaml = site / "flows" / "main.yaml"
    main_yaml.write_text(main_yaml.read_text(encoding="utf-8").replace("Keep the door closed.", "Do not open the door."),
                         encoding="utf-8")
    result = publish(site, master, url, monkeypatch)
    assert result.exit_code == 0, result.output + log.read_text()
    assert result.output.splitlines()[0] == f"reading {site / 'flows'} and {site / 'translations'}"
    new = result.output.split("checked: version ", 1)[1].split(";", 1)[0]
    assert new != next(iter(before.values()))
    assert f"published version {new} on all {WORKERS} worker(s)" in result.output
    after = versions(url)
    assert after == {pid: new for pid in before}, after  # the same processes, reloaded in place
    assert master.poll() is None


def test_a_worker_that_refuses_is_named_with_why_and_healthz_keeps_it(site, gunicorn, monkeypatch):
    """The server serves Spanish; the command is run with HOTLINE_LANGUAGES=en, so its check
    does not read the Spanish catalog, which is broken: every worker refuses the reload."""
    master, url, log = gunicorn
    before = versions(url)
    catalog = site / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgstr "Elija."', 'msgstr "Elija.'), encoding="utf-8")
    result = publish(site, master, url, monkeypatch, languages="en")
    assert result.exit_code == 1, result.output + log.read_text()
    refused = [line for line in result.output.splitlines() if "refused the new version: 1 finding(s)" in line]
    assert len(refused) == WORKERS, result.output
    assert all("es/LC_MESSAGES/messages.po" in line and "end-of-line within string" in line for line in refused)
    assert f"{WORKERS} of {WORKERS} worker(s) do not serve version" in result.output
    answers = {a["worker"]: a for a in sample(url, 2 * WORKERS)}
    assert answers and all(a["version"] == before[pid] for pid, a in answers.items())
    assert all(a["last_rejected_reload"]["findings"] == 1 for a in answers.values())
    assert master.poll() is None


def test_content_with_errors_is_not_sent(site, gunicorn, monkeypatch):
    master, url, log = gunicorn
    answers_before = {a["worker"]: a["reload"] for a in sample(url, 2 * WORKERS)}
    main_yaml = site / "flows" / "main.yaml"
    main_yaml.write_text(main_yaml.read_text(encoding="utf-8").replace("goto: door", "goto: nowhere", 1), encoding="utf-8")
    result = publish(site, master, url, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "not published: `hotline check` found" in result.output and "'nowhere'" in result.output
    assert "signalled" not in result.output
    after = {a["worker"]: a["reload"] for a in sample(url, 2 * WORKERS)}
    assert all(after[pid] == answers_before[pid] for pid in after.keys() & answers_before.keys())
