"""The hotline's exceptions: every one it raises on purpose is here, in one tree.

    HotlineError
     +-- ConfigError        a setting is missing or unsafe; raised at start-up only
     +-- ScriptError        the flow scripts are invalid; carries every Finding (file, line, reason)
     +-- CatalogError       a translation catalog cannot be served (unparsable, bad placeholders)
     +-- StoreUnavailable   the session store did not answer in time
     +-- SendFailed         an outbound text could not be handed to Twilio
     +-- PreviewError       a staff preview was asked for something that does not exist
     +-- CardError          the pocket card cannot be made (language, fonts, a missing glyph)

Start-up errors stop the process with a clear message. While serving, StoreUnavailable is
turned into a stateless but useful reply and SendFailed into a spoken apology with a number
to call; the staff tools turn the rest into one clear line and an exit status.
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


class SendFailed(HotlineError):
    """The text message could not be handed to Twilio."""


class PreviewError(HotlineError):
    """What was asked for cannot be previewed (an unknown language or node)."""


class CardError(HotlineError):
    """The card cannot be made as asked (no such language, no fonts, a missing glyph)."""
