"""The hotline's exceptions.

    HotlineError
     +-- ConfigError        a setting is missing or unsafe; raised at start-up only
     +-- ScriptError        the flow scripts are invalid; carries every Finding (file, line, reason)
     +-- CatalogError       a translation catalog cannot be served (unparsable, bad placeholders)
     +-- StoreUnavailable   the session store did not answer in time

Start-up errors stop the process with a clear message. StoreUnavailable is the only one
raised while serving, and the webhooks turn it into a stateless but useful reply.
"""
from __future__ import annotations

from dataclasses import dataclass


class HotlineError(Exception):
    """Base class of every error the hotline raises on purpose."""


class ConfigError(HotlineError):
    """A setting is missing, malformed or unsafe for production."""


@dataclass(frozen=True)
class Finding:
    """One problem in a flow or referral file, pinned to where a person can fix it."""

    file: str
    line: int
    reason: str
    severity: str = "error"  # "error" stops loading; "warning" is for the staff check

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ScriptError(HotlineError):
    """The flow scripts cannot be served. `findings` lists every problem, not just the first."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        lines = "\n".join(f"  {f}" for f in self.findings)
        super().__init__(f"the flow scripts have {len(self.findings)} error(s):\n{lines}")


class CatalogError(HotlineError):
    """A translation catalog is broken in a way that would garble what callers receive."""


class StoreUnavailable(HotlineError):
    """The session store (Redis) did not answer; the caller still gets a stateless reply."""
