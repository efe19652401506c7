"""What `hotline check` found: Findings in groups, and the Report that holds them.

Severity decides the exit status: an `error` stops the hotline loading (exit 2); a `warning`
is something callers notice or staff must fix soon (exit 1 with --strict); a `note` is for
information, e.g. progress on a language callers are not offered yet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.staff.limits import CheckLimits

# The order the groups are printed in, and their headings.
GROUPS = {
    "errors": "Errors (any of these stops the hotline loading)",
    "translations": "Translations",
    "sms": "SMS cost",
    "voice": "Voice readiness",
    "freshness": "Content freshness",
    "plain": "Plain language",
    "structure": "Structure",
}
SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class CheckFinding:
    group: str
    severity: str
    file: str
    line: int
    reason: str
    language: str | None = None
    # Machine-readable particulars for --json (segment counts, characters, entry lists).
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.group not in GROUPS or self.severity not in SEVERITIES:
            raise ValueError(f"no such group or severity: {self.group!r}, {self.severity!r}")

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class LanguageStatus:
    """One catalog's numbers, for the translations table."""

    code: str
    name: str
    file: str
    review_status: str
    offered: bool
    total: int = 0
    translated: int = 0
    missing: int = 0
    fuzzy: int = 0
    stale: int = 0
    broken: bool = False  # the catalog cannot be served at all (an error says why)


@dataclass(frozen=True)
class VoiceStatus:
    """How one language sounds on the phone line."""

    code: str
    name: str
    offered: bool
    tts: str | None  # Twilio's language tag for text-to-speech, or None: recordings needed
    speech_input: bool  # whether callers can answer by voice, or by keypad only
    missing_recordings: tuple[str, ...] | None  # None: not listed by this version


@dataclass
class Report:
    today: dt.date
    limits: CheckLimits
    version: str | None = None  # None when the scripts did not load
    totals: dict[str, int] = field(default_factory=dict)
    findings: list[CheckFinding] = field(default_factory=list)
    languages: list[LanguageStatus] = field(default_factory=list)
    voice: list[VoiceStatus] = field(default_factory=list)

    def add(self, findings) -> None:
        self.findings.extend(findings)

    def in_group(self, group: str) -> list[CheckFinding]:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        return sorted((f for f in self.findings if f.group == group),
                      key=lambda f: (rank[f.severity], f.file, f.line, f.language or "", f.reason))

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def exit_status(self, strict: bool = False) -> int:
        """0 clean; 1 warnings, only when strict; 2 any error."""
        if self.count("error"):
            return 2
        if strict and self.count("warning"):
            return 1
        return 0

    def as_json(self, strict: bool = False) -> dict[str, Any]:
        return {
            "version": self.version,
            "today": self.today.isoformat(),
            "limits": self.limits.as_json(),
            "totals": self.totals,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "exit_status": self.exit_status(strict),
            "groups": {group: [_finding_json(f) for f in self.in_group(group)] for group in GROUPS},
            "languages": [asdict(status) for status in self.languages],
            "voice": [asdict(status) for status in self.voice],
        }


def _finding_json(finding: CheckFinding) -> dict[str, Any]:
    body = {"severity": finding.severity, "file": finding.file, "line": finding.line, "reason": finding.reason}
    if finding.language:
        body["language"] = finding.language
    if finding.detail:
        body["detail"] = finding.detail
    return body
