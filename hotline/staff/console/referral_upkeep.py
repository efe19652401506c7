"""Referral upkeep: which organisations to call first, and recording that someone did.

The list puts the entries past `hotline check`'s limit (CheckLimits.verified_days since their
`verified` date, or with no date) first, the oldest check first, and flags them. A staff
member who called an organisation and found everything still right marks it verified: their
account and today's date become its `verified_by` and `verified`, in the draft (audited), to be
published as any change. What changed is edited in the referral's own form (views.referral).
"""
from __future__ import annotations

import datetime as dt

from flask import abort, redirect, render_template, url_for

from hotline.content.editing import set_referral
from hotline.content.yamlsource import plain_load
from hotline.staff.accounts import CAN_EDIT
from hotline.staff.console.views import bp, console, save_in_draft, signed_in, who
from hotline.staff.limits import DEFAULT_LIMITS

REFERRALS = "flows/referrals.yaml"


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def upkeep(files: dict[str, str], today: dt.date, limit: int = DEFAULT_LIMITS.verified_days) -> list[dict]:
    """Every referral, those due for a call first (the longest unchecked first)."""
    entries = (plain_load(files.get(REFERRALS, "")) or {}).get("referrals", {}) or {}
    rows = []
    for referral_id, entry in entries.items():
        verified = _as_date(entry.get("verified"))
        age = (today - verified).days if verified else None
        rows.append({"id": referral_id, "name": entry.get("name", referral_id), "phone": entry.get("phone"),
                     "verified": verified, "verified_by": entry.get("verified_by"), "age": age,
                     "due": age is None or age > limit})
    return sorted(rows, key=lambda r: (not r["due"], r["verified"] or dt.date.min, r["id"]))


@bp.get("/referrals")
@signed_in()
def referrals_page():
    revisions = console().revisions
    draft = revisions.open_draft()
    rows = upkeep((draft or revisions.live()).files, dt.date.today())
    return render_template("console/referrals.html", rows=rows, limit=DEFAULT_LIMITS.verified_days,
                           due=sum(r["due"] for r in rows))


@bp.post("/referrals/<referral_id>/verified")
@signed_in(CAN_EDIT)
def referral_verified(referral_id: str):
    draft = console().revisions.draft(by=who())
    entries = (plain_load(draft.files.get(REFERRALS, "")) or {}).get("referrals", {}) or {}
    if referral_id not in entries:
        abort(404, f"There is no referral {referral_id} in the draft.")
    today = dt.date.today()
    save_in_draft(draft, REFERRALS,
                  lambda: set_referral(draft.files[REFERRALS], referral_id, {"verified": today, "verified_by": who()}),
                  "verified referral", referral_id,
                  f"Marked {referral_id} verified by {who()} on {today.isoformat()} in the draft.")
    return redirect(url_for("console.referrals_page"))
