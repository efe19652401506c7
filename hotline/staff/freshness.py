"""Content freshness: legal texts due for review, referrals due for a call, unconfirmed numbers.

Dates are compared with `today`, which the caller passes in (the check's --today, a test's
fixed date), never read from the clock here.
"""
from __future__ import annotations

import datetime as dt

from hotline.content.model import Node
from hotline.content.script import Script
from hotline.staff.findings import CheckFinding
from hotline.staff.limits import CheckLimits
from hotline.staff.places import FlowLines


def review_due(node: Node, today: dt.date, limits: CheckLimits) -> bool:
    """A legal node whose last review is older than the limit (diagrams mark these too)."""
    return bool(node.legal and node.reviewed and (today - node.reviewed).days > limits.review_days)


def freshness_findings(script: Script, lines: FlowLines, today: dt.date, limits: CheckLimits) -> list[CheckFinding]:
    findings = []
    for node_id, node in script.nodes.items():
        if not (node.legal and node.reviewed):
            continue
        place = script.places[node_id]
        line = lines.line(place.file, ("nodes", node_id, "reviewed"), place.line)
        age = (today - node.reviewed).days
        if review_due(node, today, limits):
            findings.append(CheckFinding(
                "freshness", "warning", place.file, line,
                f"legal node '{node_id}' was last reviewed on {node.reviewed} ({age} days ago; the limit is "
                f"{limits.review_days}): check it against its sources, then update `reviewed` and `reviewer`",
                detail={"node": node_id, "reviewed": node.reviewed.isoformat(), "age_days": age}))
        elif age < 0:
            findings.append(CheckFinding("freshness", "warning", place.file, line,
                                    f"legal node '{node_id}' says it was reviewed on {node.reviewed}, which is in the future"))
    for referral_id, referral in script.referrals.items():
        file, entry_line = script.lines[f"referrals:{referral_id}"]
        base = ("referrals", referral_id)
        age = (today - referral.verified).days
        verified_line = lines.line(file, base + ("verified",), entry_line)
        if age > limits.verified_days:
            findings.append(CheckFinding(
                "freshness", "warning", file, verified_line,
                f"referral '{referral_id}' ({referral.name}) was last verified on {referral.verified} ({age} days ago; "
                f"the limit is {limits.verified_days}): call them, confirm the details, then update `verified`",
                detail={"referral": referral_id, "verified": referral.verified.isoformat(), "age_days": age}))
        elif age < 0:
            findings.append(CheckFinding("freshness", "warning", file, verified_line,
                                    f"referral '{referral_id}' says it was verified on {referral.verified}, which is in the future"))
        phone_unconfirmed = "phone" in referral.unconfirmed
        if referral.phone and phone_unconfirmed:
            findings.append(CheckFinding(
                "freshness", "warning", file, lines.line(file, base + ("phone",), entry_line),
                f"referral '{referral_id}' ({referral.name}) shows {referral.phone} to callers, but the number is not "
                "confirmed: call it, then take `phone` out of `unconfirmed` (or remove the number)",
                detail={"referral": referral_id}))
        elif not referral.phone:
            why = ("its number is not confirmed yet" if phone_unconfirmed
                   else "callers on the phone line get no way to reach it")
            findings.append(CheckFinding(
                "freshness", "warning", file, lines.line(file, base + ("unconfirmed",), entry_line) if phone_unconfirmed else entry_line,
                f"referral '{referral_id}' ({referral.name}) has no phone number: {why}",
                detail={"referral": referral_id}))
    return findings
