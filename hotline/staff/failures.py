"""How a staff command fails: one clear message and the exit status `hotline check` documents.

    0  done (warnings may have been printed)
    1  findings: the command ran, and what it checked is not right (`check --strict` with
       warnings, `publish` when a server process refused or did not confirm the new version)
    2  the command could not do its work: the scripts or catalogs have errors, a setting or
       folder is missing, a file cannot be written, or the command line was wrong (click's own
       usage errors exit 2 as well)

These are click exceptions, so click prints them (never a traceback) and exits with their code.
"""
from __future__ import annotations

import click

from hotline.errors import HotlineError, ScriptError

FINDINGS = 1
SETUP = 2


class SetupFailed(click.ClickException):
    """The command cannot do its work: broken content, a missing setting or folder, an unwritable file."""

    exit_code = SETUP

    @classmethod
    def from_error(cls, exc: BaseException) -> "SetupFailed":
        if isinstance(exc, ScriptError):
            lines = [f"the flow scripts have {len(exc.findings)} error(s); `hotline check` explains each:"]
            lines += [f"  {finding}" for finding in exc.findings]
            return cls("\n".join(lines))
        if isinstance(exc, OSError):
            where = f" {exc.filename}" if exc.filename else ""
            return cls(f"cannot write or read{where}: {exc.strerror or exc}")
        return cls(str(exc))


class FindingsFailed(click.ClickException):
    """The command ran, and found something wrong (its output says what)."""

    exit_code = FINDINGS


def guarded(error_types: tuple[type[BaseException], ...] = (HotlineError, OSError)):
    """A context manager turning the hotline's own errors (and OS errors) into SetupFailed."""
    return _Guard(error_types)


class _Guard:
    def __init__(self, error_types):
        self.error_types = error_types

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is not None and isinstance(exc, self.error_types) and not isinstance(exc, click.ClickException):
            raise SetupFailed.from_error(exc) from exc
        return False
