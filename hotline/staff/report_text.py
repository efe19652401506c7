"""The check's Report as text a staff member reads: grouped, file:line first, colour on a terminal.

"file:line: reason" is the form editors and terminals turn into a link to the line.
"""
from __future__ import annotations

import unicodedata
from typing import Iterator

import click

from hotline.content.catalogs.languages import MIN_COVERAGE
from hotline.staff.findings import GROUPS, CheckFinding, LanguageStatus, Report

_SEVERITY_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}, "note": {"fg": "cyan"}}


def render(report: Report) -> Iterator[str]:
    """Lines of styled text; click.echo drops the colour when not writing to a terminal."""
    title = "hotline check"
    if report.version:
        title += f" - content version {report.version}"
    yield click.style(title, bold=True) + f" - {report.today.isoformat()}"
    if report.totals:
        t = report.totals
        yield (f"{t['nodes']} nodes ({t['legal_nodes']} legal) in {t['flows']} flows, "
               f"{t['referrals']} referrals, {t['sources']} sources")
    for group, heading in GROUPS.items():
        found = report.in_group(group)
        yield ""
        yield click.style(_heading(report, group, heading), bold=True, underline=True)
        if group == "translations" and report.languages:
            yield from _language_table(report.languages)
        if group == "voice" and report.voice:
            yield from _voice_table(report)
        if not found:
            yield "  " + click.style("nothing to report", fg="green")
        for finding in found:
            yield "  " + _finding_line(finding)
    yield ""
    counts = {s: report.count(s) for s in ("error", "warning", "note")}
    summary = f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['note']} note(s)"
    if counts["error"]:
        yield click.style(summary + ": the hotline will not start with these files.", fg="red", bold=True)
    elif counts["warning"]:
        yield click.style(summary + ": the hotline can serve these files; please look at the warnings.", fg="yellow")
    else:
        yield click.style(summary + ": all good.", fg="green")


def _heading(report: Report, group: str, heading: str) -> str:
    limits = report.limits
    if group == "sms":
        b = limits.sms
        return (f"{heading} (a content reply may cost {b.content_segments} segments in GSM-7 or "
                f"{b.ucs2_content_segments} in UCS-2, a menu {b.menu_segments} or {b.ucs2_menu_segments})")
    if group == "freshness":
        return (f"{heading} (legal reviews within {limits.review_days} days, referrals verified within "
                f"{limits.verified_days} days)")
    return heading


def _finding_line(finding: CheckFinding) -> str:
    label = click.style(f"{finding.severity:<7}", **_SEVERITY_STYLE[finding.severity])
    return f"{label} {finding.where}: {finding.reason}"


def _language_table(statuses: list[LanguageStatus]) -> Iterator[str]:
    yield f"  {'language':<20} {'review':<10} {'translated':>10} {'missing':>8} {'fuzzy':>6} {'stale':>6}  callers"
    for s in statuses:
        if s.broken:
            callers = click.style("cannot load (see errors)", fg="red")
        elif s.offered:
            callers = click.style("offered", fg="green")
        else:
            callers = f"not offered (needs {MIN_COVERAGE:.0%})"
        yield (f"  {_pad(f'{s.code} {s.name}', 20)} {s.review_status:<10} {f'{s.translated}/{s.total}':>10} {s.missing:>8} "
               f"{s.fuzzy:>6} {s.stale:>6}  {callers}")


def _voice_table(report: Report) -> Iterator[str]:
    for v in report.voice:
        speech = "answers by voice or keypad" if v.speech_input else "keypad answers only"
        if v.tts:
            how = f"text-to-speech ({v.tts})"
        elif v.missing_recordings is None:
            how = "recordings needed (not listed by this version)"
        else:
            how = f"recordings: {len(v.missing_recordings)} missing"
        offered = "" if v.offered else "  [not offered yet]"
        yield f"  {_pad(f'{v.code} {v.name}', 20)} {how}; {speech}{offered}"


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal columns: a Chinese character takes two, an accent none."""
    columns = sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)
