"""Referral upkeep in the console: the referrals past their `verified` date listed first and
flagged; a staff member who called one marks it verified (their name and today's date, in the
draft, audited), which the check and the loader accept. On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import html
import re

import yaml

from console_db import database_url  # noqa: F401  (fixture)
from console_helpers import Staff, console_app  # noqa: F401  (fixture)
from hotline.content.editing import set_referral
from hotline.content.revisions import load_files
from hotline.staff.console.referral_upkeep import REFERRALS, upkeep
from hotline.staff.console.referrals import grid
from hotline.staff.limits import DEFAULT_LIMITS


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_overdue_referrals_come_first_and_a_call_marks_one_verified(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    editor, translator = Staff(console_app, "editor1", "editor"), Staff(console_app, "maria", "translator", languages="es")
    for person in (editor, translator):
        assert person.sign_in().status_code == 302
    draft = revisions.draft(by="editor1")
    ids = sorted(yaml.safe_load(draft.files[REFERRALS])["referrals"])
    old = ids[-1]  # last by name: first only because it is overdue
    long_ago = dt.date.today() - dt.timedelta(days=DEFAULT_LIMITS.verified_days + 30)
    revisions.save(draft.id, REFERRALS, set_referral(draft.files[REFERRALS], old, {"verified": long_ago}), by="editor1")
    rows = upkeep(revisions.open_draft().files, dt.date.today())
    assert rows[0]["id"] == old and rows[0]["due"] and not any(r["due"] for r in rows[1:])
    page = editor.get("/staff/referrals")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and body.index(f'id="ref-{old}"') < min(body.index(f'id="ref-{i}"') for i in ids if i != old)
    assert "1 of" in page_text(page) and "due for a call" in page_text(page)
    assert 'id="referral-upkeep"' in editor.get("/staff/").get_data(as_text=True)
    # a translator may read the list but not change a referral
    assert translator.get("/staff/referrals").status_code == 200
    translator.get("/staff/referrals")
    assert translator.post(f"/staff/referrals/{old}/verified").status_code == 403
    # the editor called them: verified today, by them, in the draft
    editor.get("/staff/referrals")
    assert editor.post(f"/staff/referrals/{old}/verified").status_code == 302
    files = revisions.open_draft().files
    entry = yaml.safe_load(files[REFERRALS])["referrals"][old]
    assert entry["verified"] == dt.date.today() and entry["verified_by"] == "editor1"
    assert load_files(files).script.referrals[old].verified_by == "editor1"  # the content still loads
    assert not upkeep(files, dt.date.today())[0]["due"]
    assert "by editor1" in page_text(editor.get("/staff/referrals"))
    assert editor.post("/staff/referrals/nobody/verified").status_code == 404
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    assert f"editor1 verified referral {old} in draft" in page_text(admin.get("/staff/audit"))


def test_a_new_verified_date_in_the_referral_form_records_who_called(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    referral_id = sorted(yaml.safe_load(revisions.live().files[REFERRALS])["referrals"])[0]
    entry = yaml.safe_load(revisions.live().files[REFERRALS])["referrals"][referral_id]
    editor.get(f"/staff/referrals/{referral_id}")
    form = {key: entry.get(key) or "" for key in ("name", "offers", "website", "address", "area", "note")}
    form.update(phone=entry.get("phone") or "", verified=dt.date.today().isoformat())
    for day, (opens, closes) in grid(entry.get("hours")).items():
        form[f"open_{day}"], form[f"close_{day}"] = opens, closes
    assert editor.post(f"/staff/referrals/{referral_id}", form).status_code == 302
    saved = yaml.safe_load(revisions.open_draft().files[REFERRALS])["referrals"][referral_id]
    assert saved["verified"] == dt.date.today()
    assert saved["verified_by"] == ("editor1" if str(entry["verified"]) != dt.date.today().isoformat()
                                    else entry.get("verified_by"))
