"""One log format for the app and gunicorn, a level setting, JSON on request, no personal data.

gunicorn is started here as the Procfile starts it (its conf file), and what it writes is read
line by line: every line, gunicorn's and the app's and the access log's, is in the one format.
"""
from __future__ import annotations

import json
import logging
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from conftest import FIXTURES, ROOT
from hotline import logs
from hotline.errors import ConfigError
from test_publishing import answering, free_port, wait_for

TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ \[\d+\] ")
NUMBER = "+16075550177"
WORDS = "Ocelot sunrise"


def record(message="reload: now serving %s", args=("abc",), level=logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("hotline.session.publishing", level, __file__, 1, message, args, None)


def test_text_and_json_say_the_same_record():
    text = logs.Formatter("text").format(record())
    assert TEXT_LINE.match(text) and text.endswith("hotline.session.publishing [%d] reload: now serving abc" % record().process)
    data = json.loads(logs.Formatter("json").format(record()))
    assert data["level"] == "INFO" and data["logger"] == "hotline.session.publishing"
    assert data["message"] == "reload: now serving abc" and isinstance(data["pid"], int)


@pytest.mark.parametrize("env, refused", [
    ({"HOTLINE_LOG_LEVEL": "loud"}, "HOTLINE_LOG_LEVEL='loud': use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ({"HOTLINE_LOG_FORMAT": "xml"}, "HOTLINE_LOG_FORMAT='xml': use text or json"),
])
def test_a_wrong_log_setting_is_refused_with_what_is_allowed(env, refused, make_app, monkeypatch):
    with pytest.raises(logs.LogSettingError, match=re.escape(refused)):
        logs.settings(env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(refused)):
        make_app(redis_url=None)


def test_the_level_setting():
    assert logs.settings({"HOTLINE_LOG_LEVEL": "warn"}) == ("WARNING", "text")
    config = logs.logconfig_dict({"HOTLINE_LOG_LEVEL": "error", "HOTLINE_LOG_FORMAT": "JSON"})
    assert config["root"]["level"] == "ERROR" and config["loggers"]["gunicorn.error"]["level"] == "ERROR"
    assert config["formatters"]["hotline"]["kind"] == "json"


def _serve(tmp_path, **env) -> tuple[str, list[str]]:
    """gunicorn (one worker) on the minimal flows; a health check with a query string and one
    text message; returns what gunicorn wrote, line by line."""
    import os
    import shutil

    shutil.copytree(FIXTURES / "flows_min", tmp_path / "flows")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "REDIS_URL", "TWILIO_"))}
    environment.update(HOTLINE_DEV="1", PYTHONPATH=str(ROOT), HOTLINE_LANGUAGES="en", HOTLINE_DATABASE_URL="off", **env)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
                                   "--bind", f"127.0.0.1:{port}", "hotline:create_app()"],
                                  cwd=tmp_path, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: answering(port), timeout=60), log.read_text()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?probe=Quetzal", timeout=5).read()
        data = urllib.parse.urlencode({"From": NUMBER, "Body": WORDS, "FromCity": "VESTALTOWNX"}).encode()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sms", data=data, timeout=5).read()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    text = log.read_text(encoding="utf-8")
    return text, text.splitlines()


def _no_personal_data(text: str) -> None:
    lowered = text.lower()
    for secret in (NUMBER, NUMBER[1:], NUMBER[-7:], "ocelot", "vestaltownx", "quetzal"):
        assert secret.lower() not in lowered, f"{secret!r} is in the log"


def test_gunicorn_and_the_app_write_one_text_format(tmp_path):
    text, lines = _serve(tmp_path)
    assert lines and all(TEXT_LINE.match(line) for line in lines), [l for l in lines if not TEXT_LINE.match(l)]
    loggers = {line.split()[2] for line in lines}
    assert {"gunicorn.error", "gunicorn.access", "hotline"} <= loggers, loggers
    assert any('"POST /sms" 200' in line for line in lines)
    _no_personal_data(text)


def test_json_on_request_for_every_line(tmp_path):
    text, lines = _serve(tmp_path, HOTLINE_LOG_FORMAT="json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"gunicorn.error", "gunicorn.access", "hotline"} <= {r["logger"] for r in records}
    assert all(set(r) >= {"time", "level", "logger", "pid", "message"} for r in records)
    _no_personal_data(text)


def test_the_level_applies_to_gunicorn_and_the_app(tmp_path):
    _, lines = _serve(tmp_path, HOTLINE_LOG_LEVEL="WARNING")
    levels = {line.split()[1] for line in lines}
    assert lines and levels <= {"WARNING", "ERROR", "CRITICAL"}, levels
