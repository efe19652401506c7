"""One log format for the app and gunicorn, a level setting, and JSON on request.

| variable            | default | meaning |
|---------------------|---------|---------|
| HOTLINE_LOG_LEVEL   | INFO    | DEBUG, INFO, WARNING or ERROR: the least a record needs to be written |
| HOTLINE_LOG_FORMAT  | text    | `text`: one line a record; `json`: one JSON object a line (for a log service) |

gunicorn.conf.py hands `logconfig_dict()` to gunicorn, so its own records (gunicorn.error, and
the access log) go through the same handler and formatter as the app's; create_app installs
the same configuration when nothing else has (`hotline serve`, `flask run`).

    text: 2026-12-01T21:04:05Z INFO hotline.session.publishing [4182] reload (signal SIGHUP): now serving ...
    json: {"time": "2026-12-01T21:04:05Z", "level": "INFO", "logger": "hotline.session.publishing", "pid": 4182, "message": "..."}

What is logged never holds personal data: callers are never logged by number, words or place
(tests/test_privacy.py reads both formats), and the access log is written without query
strings (gunicorn.conf.py's access_log_format).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import Any, Mapping

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")


class LogSettingError(ValueError):
    """HOTLINE_LOG_LEVEL or HOTLINE_LOG_FORMAT has a value the hotline does not know."""


def settings(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(level, format) from the environment; a wrong value is refused with what is allowed."""
    env = os.environ if env is None else env
    level = (env.get("HOTLINE_LOG_LEVEL") or "INFO").strip().upper()
    if level == "WARN":
        level = "WARNING"
    kind = (env.get("HOTLINE_LOG_FORMAT") or "text").strip().lower()
    if level not in LEVELS:
        raise LogSettingError(f"HOTLINE_LOG_LEVEL={env.get('HOTLINE_LOG_LEVEL')!r}: use one of {', '.join(LEVELS)}")
    if kind not in FORMATS:
        raise LogSettingError(f"HOTLINE_LOG_FORMAT={env.get('HOTLINE_LOG_FORMAT')!r}: use text or json")
    return level, kind


def _time(record: logging.LogRecord) -> str:
    # UTC with milliseconds: lines from several workers sort and compare to the event
    return dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Formatter(logging.Formatter):
    """The one format: `text` or `json` (chosen by HOTLINE_LOG_FORMAT when not given)."""

    def __init__(self, kind: str | None = None):
        super().__init__()
        self.kind = kind or settings()[1]

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        error = self.formatException(record.exc_info) if record.exc_info else None
        if self.kind == "json":
            data: dict[str, Any] = {"time": _time(record), "level": record.levelname, "logger": record.name,
                                    "pid": record.process, "message": message}
            if error:
                data["exception"] = error
            return json.dumps(data, ensure_ascii=False)
        line = f"{_time(record)} {record.levelname} {record.name} [{record.process}] {message}"
        return f"{line}\n{error}" if error else line


def logconfig_dict(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The logging configuration (logging.config.dictConfig), for gunicorn and the app alike."""
    level, kind = settings(env)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"hotline": {"()": "hotline.logs.Formatter", "kind": kind}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "hotline", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["console"]},
        # gunicorn's own loggers lose their own handlers and write through the one above.
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO" if level == "DEBUG" else level, "handlers": [], "propagate": True},
        },
    }


def configure(env: Mapping[str, str] | None = None) -> None:
    import logging.config

    logging.config.dictConfig(logconfig_dict(env))
