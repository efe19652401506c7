"""The "SMS cost" group of `hotline check`: every reply over the SMS budget, at the line to fix.

Which replies a person can get, what each costs and what the budget is all come from
hotline/staff/sms_budget.py (the test suite and `hotline translations status` use the same). This
module only turns a reply over budget into a CheckFinding: its severity, and the place to fix it.
"""
from __future__ import annotations

from hotline.content.bundle import Content
from hotline.content.catalogs.strings import node_context
from hotline.staff.sms_budget import Measure, every_reply, measure
from hotline.staff.findings import CheckFinding
from hotline.staff.limits import CheckLimits


def sms_findings(content: Content, offered: tuple[str, ...], limits: CheckLimits,
                 entry_lines: dict[str, dict[str, int]], catalog_files: dict[str, str]) -> list[CheckFinding]:
    """Every reply over its budget, in every language `content` has a phrasebook for."""
    findings = []
    for reply in every_reply(content):
        found = measure(content, reply, limits.sms)
        if not found.over:
            continue
        file, line = _place(content, found, entry_lines, catalog_files)
        # A language callers are not offered yet: its cost is progress to know about, not a problem.
        severity = "warning" if reply.lang in offered else "note"
        findings.append(CheckFinding("sms", severity, file, line, found.explain(), reply.lang, {
            "reply": reply.where, "kind": reply.kind, "segments": found.cost.segments, "budget": found.limit,
            "encoding": found.cost.encoding, "units": found.cost.units, "forced_ucs2_by": list(found.cost.forced_ucs2_by)}))
    return findings


def _place(content: Content, found: Measure, entry_lines, catalog_files) -> tuple[str, int]:
    """A translation too long is fixed in its catalog; English, or an untranslated text, in the flow file."""
    reply = found.reply
    code = reply.lang
    if reply.anchor and code in entry_lines:
        flow = content.script.flow_of(reply.anchor)
        node = content.script.nodes[reply.anchor]
        book = content.languages.book(code)
        for field in ("sms", "text"):
            english = getattr(node, field)
            line = entry_lines[code].get(node_context(flow, reply.anchor, field))
            if english and line and book.texts.get((reply.anchor, field), english) != english:
                return catalog_files[code], line
    return reply.at
