"""The staff console through its pages: signing in (second factor, throttling, timeouts),
CSRF and headers, editing a step, the SMS cost, the preview, legal review, publish, rollback
and the audit log; on SQLite and PostgreSQL, with a real Redis behind the hotline."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import yaml

from console_db import database_url  # noqa: F401  (fixture)
from console_helpers import PASSWORD, Staff, console_app  # noqa: F401  (fixture)
from conftest import Twilio, message_text
from hotline.content.editing import nodes_of
from hotline.staff.console import security
from hotline.staff.sms_budget import SMS_BUDGET

NEW_SAY = ("Keep the door closed and say: I do not consent to entry. You do not have to answer questions. "
           "Say: I will remain silent. I want to speak to a lawyer.")


def page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_pages_need_signing_in_and_carry_the_security_headers(console_app):
    client = console_app.test_client()
    response = client.get("/staff/", base_url="https://hotline.example.org")
    assert response.status_code == 302 and "/staff/signin" in response.headers["Location"]
    page = client.get("/staff/signin", base_url="https://hotline.example.org")
    csp = page.headers["Content-Security-Policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    body = page.get_data(as_text=True)
    assert "<script>" not in body and " on" not in re.sub(r'"[^"]*"', "", " ".join(re.findall(r"<[^>]+>", body)))
    assert not re.search(r"https?://(?!hotline\.example\.org)", body)  # no asset from anywhere else
    # the Twilio webhooks are not the console's: no console headers or cookie there
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def test_signing_in_needs_the_second_factor_and_sets_a_strict_cookie(console_app):
    admin = Staff(console_app, "admin1", "admin")
    assert admin.secret, "an admin always has a second factor"
    assert admin.sign_in(code="000000").status_code == 401
    response = admin.sign_in()
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie and "Path=/staff" in cookie
    assert admin.get("/staff/").status_code == 200


def test_passwords_are_argon2id_at_the_librarys_default_cost_and_a_cheaper_hash_is_upgraded(database_url):
    """The suite signs in at a tiny cost (conftest); a hotline started from the environment
    hashes at argon2-cffi's default, and a password hashed at another cost is rehashed at the
    right one when its owner next signs in."""
    from argon2 import PasswordHasher

    from hotline.config import Settings
    from hotline.content.db import open_database
    from hotline.staff.accounts import Accounts

    library = PasswordHasher()
    assert Settings.from_env({}, dev=True).password_cost == (library.time_cost, library.memory_cost,
                                                             library.parallelism) == (3, 65536, 4)
    database = open_database(database_url)
    account, _ = Accounts(database, b"k", cost=(1, 8, 1)).add("ana", "editor", PASSWORD)
    assert account.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    production = Accounts(database, b"k")
    assert production.sign_in("ana", PASSWORD, "", "203.0.113.9").username == "ana"
    assert production.get("ana").password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert production.sign_in("ana", PASSWORD, "", "203.0.113.9").username == "ana"


def test_a_code_is_good_once(console_app):
    admin = Staff(console_app, "admin1", "admin")
    code = admin.code()
    assert admin.sign_in(code=code).status_code == 302
    other = console_app.test_client()
    page = other.get("/staff/signin", base_url="https://hotline.example.org")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    again = other.post("/staff/signin", data={"csrf_token": token, "username": "admin1", "password": PASSWORD,
                                              "code": code}, base_url="https://hotline.example.org")
    assert again.status_code == 401


def test_five_failures_lock_the_account_then_the_right_password_is_refused_too(console_app):
    editor = Staff(console_app, "editor1", "editor")
    for _ in range(5):
        assert editor.sign_in(password="wrong password here").status_code == 401
    locked = editor.sign_in()
    assert locked.status_code == 401 and "locked" in page_text(locked)


def test_one_address_trying_many_accounts_is_locked_out(console_app):
    Staff(console_app, "editor1", "editor")
    guesser = Staff(console_app, "editor2", "editor")
    for name in ("a1", "b2", "c3", "d4", "e5"):
        guesser.username = name
        assert guesser.sign_in(password="guess guess guess").status_code == 401
    guesser.username = "editor1"
    assert "locked" in page_text(guesser.sign_in())


def test_every_form_needs_its_csrf_token(console_app):
    admin = Staff(console_app, "admin1", "admin")
    admin.get("/staff/signin")
    response = admin.post("/staff/signin", {"username": "admin1", "password": PASSWORD, "code": admin.code()},
                          token="")
    assert response.status_code == 400
    admin.sign_in()
    admin.get("/staff/")
    assert admin.post("/staff/publish", token="forged").status_code == 400
    assert admin.post("/staff/cost", {"text": "hi"}, token="").status_code == 400


def test_an_idle_session_ends(console_app, monkeypatch):
    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    assert editor.get("/staff/").status_code == 200
    later = security.clock() + security.IDLE + 1
    monkeypatch.setattr(security, "clock", lambda: later)
    assert editor.get("/staff/").status_code == 302


def test_roles_decide_what_a_person_can_do(console_app):
    editor, translator = Staff(console_app, "editor1", "editor"), Staff(console_app, "trans1", "translator", languages="es")
    editor.sign_in(), translator.sign_in()
    assert editor.get("/staff/audit").status_code == 403
    editor.get("/staff/")
    assert editor.post("/staff/publish").status_code == 403
    assert translator.get("/staff/nodes/door_say").status_code == 403
    assert translator.get("/staff/preview").status_code == 200


def test_the_sms_cost_as_typed_names_the_letters_that_force_ucs2(console_app):
    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    editor.get("/staff/nodes/door_say")
    plain = editor.post("/staff/cost", {"text": "Keep the door closed.", "kind": "content"}).json
    assert plain == {"characters": 21, "segments": 1, "encoding": "GSM-7", "forced_by": "",
                     "limit": SMS_BUDGET.limit("content", "GSM-7"), "most": SMS_BUDGET.characters, "over": False}
    accented = editor.post("/staff/cost", {"text": "Mantenga la puerta cerrada. Pídales una orden." * 4,
                                           "kind": "content"}).json
    assert accented["encoding"] == "UCS-2" and accented["forced_by"] == "í" and accented["segments"] == 3
    assert accented["limit"] == SMS_BUDGET.limit("content", "UCS-2") and accented["over"] is False
    long = editor.post("/staff/cost", {"text": "Keep the door closed. " * 20, "kind": "content"}).json
    assert long["characters"] == 439 and long["over"] is True


def test_edit_review_publish_and_roll_back(console_app, redis_url):
    revisions = console_app.extensions["hotline_revisions"]
    publisher, board = console_app.extensions["hotline_publisher"], console_app.extensions["hotline"]
    first = revisions.live_id()
    editor, reviewer, admin = (Staff(console_app, "editor1", "editor"), Staff(console_app, "lawyer1", "reviewer"),
                               Staff(console_app, "admin1", "admin"))
    for person in (editor, reviewer, admin):
        assert person.sign_in().status_code == 302
    # the editor changes the text of a legal step
    form = editor.get("/staff/nodes/door_say")
    assert form.status_code == 200 and "SMS cost of this text" in page_text(form)
    saved = editor.post("/staff/nodes/door_say", {"text": NEW_SAY, "menu_label_1": "If they force their way in",
                                                  "menu_goto_1": "door_force", "sources": ["aclu-immigrants", "afsc-kyr"]})
    assert saved.status_code == 302
    draft = revisions.open_draft()
    assert nodes_of(draft.files)["door_say"][1]["text"] == NEW_SAY
    assert revisions.live_id() == first  # nothing changed for callers
    # publishing waits for the legal sign-off
    admin.get("/staff/")
    refused = admin.post("/staff/publish", {"note": "clearer wording"}, follow_redirects=True)
    assert "door_say" in page_text(refused) and "sign-off" in page_text(refused)
    assert revisions.live_id() == first
    # the reviewer signs it off: their account and today's date become reviewer and reviewed
    review = reviewer.get("/staff/review")
    assert "door_say" in page_text(review)
    assert reviewer.post("/staff/review/door_say").status_code == 302
    node = nodes_of(revisions.open_draft().files)["door_say"][1]
    assert node["reviewer"] == "lawyer1" and node["reviewed"] == dt.date.today()
    assert "No legal step of the draft is waiting" in page_text(reviewer.get("/staff/review"))
    # the admin publishes; the worker's publisher serves it on its next look
    admin.get("/staff/")
    published = admin.post("/staff/publish", {"note": "clearer wording"})
    assert published.status_code == 302
    second = revisions.live_id()
    assert second != first and revisions.open_draft() is None
    assert publisher.poll_live() is True
    assert console_app.test_client().get("/healthz").json["version"] == second == board.content.version
    twilio = Twilio(console_app.test_client())
    for step in ("hi", "1"):
        twilio.sms("+16075550111", step)
    assert "I will remain silent. I want to speak to a lawyer." in message_text(twilio.sms("+16075550111", "2"))
    diff_page = admin.get(f"/staff/diff?a={first}&b={second}")
    assert "door_say" in page_text(diff_page) and "<ins>" in diff_page.get_data(as_text=True)
    # and rolls back
    admin.get("/staff/revisions")
    assert admin.post(f"/staff/rollback/{first}").status_code == 302
    assert revisions.live_id() == first
    assert publisher.poll_live() is True and board.content.version == first
    # the audit log says who did what, and can be taken away as CSV
    log = page_text(admin.get("/staff/audit"))
    for what in ("signed in", "edited", "legal sign-off", "published", "rolled back"):
        assert what in log
    exported = admin.get("/staff/audit.csv")
    assert exported.mimetype == "text/csv" and "lawyer1,legal sign-off,door_say" in exported.get_data(as_text=True)


def test_publish_refuses_a_draft_with_errors(console_app):
    editor, admin = Staff(console_app, "editor1", "editor"), Staff(console_app, "admin1", "admin")
    editor.sign_in(), admin.sign_in()
    editor.get("/staff/nodes/welcome")
    editor.post("/staff/nodes/welcome", {"text": ""})  # a step that says nothing
    revisions = console_app.extensions["hotline_revisions"]
    first = revisions.live_id()
    findings = page_text(editor.get("/staff/nodes/welcome"))
    assert "error" in findings and "needs `text`" in findings
    admin.get("/staff/")
    refused = admin.post("/staff/publish")
    assert refused.status_code == 409 and "needs `text`" in page_text(refused)
    assert revisions.live_id() == first


def test_the_preview_never_touches_callers_sessions(console_app, redis_client):
    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    editor.get("/staff/preview")
    said = []
    for message in ("hola", "1"):
        page = editor.post("/staff/preview", {"lang": "es", "channel": "sms", "said": said, "message": message})
        said.append(message)
    text = page_text(page)
    assert "segment(s)" in text and ("UCS-2" in text or "GSM-7" in text)
    assert "puerta" in text.lower()
    call = page_text(editor.post("/staff/preview", {"lang": "es", "channel": "voice", "said": [], "message": "1"}))
    assert "es-" in call and "pressed 1" in call
    assert redis_client.keys("*") == []  # not one key: the preview ran on a store of its own


def test_the_console_never_shows_a_callers_data(console_app, redis_client):
    twilio = Twilio(console_app.test_client())
    message_text(twilio.sms("+16075550123", "hola necesito ayuda"))
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    for path in ("/staff/", "/staff/revisions", "/staff/audit", "/staff/audit.csv", "/staff/accounts",
                 "/staff/check", "/staff/preview", "/staff/usage"):
        body = admin.get(path).get_data(as_text=True)
        for secret in ("6075550123", "necesito", "BINGHAMTON", "13901"):
            assert secret not in body, (path, secret)


def test_a_referral_form_checks_phones_and_writes_hours_as_the_directory_does(console_app):
    from hotline.content.revisions import load_files

    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    page = editor.get("/staff/referrals/ona")
    assert page.status_code == 200 and 'value="08:00"' in page.get_data(as_text=True)
    form = {"name": "NYS Office for New Americans Hotline", "offers": "Free and anonymous help.",
            "phone": "123-456", "verified": "2026-12-01", "open_mon": "09:00", "close_mon": "17:00"}
    refused = editor.post("/staff/referrals/ona", form)
    assert refused.status_code == 200 and "is not a phone number" in page_text(refused)
    form.update(phone="(800) 566 7636", open_tue="09:00", close_tue="17:00", open_sat="10:00", close_sat="09:00")
    refused = editor.post("/staff/referrals/ona", form)
    assert "Saturday: it must close after it opens" in page_text(refused)
    form.update(close_sat="14:00")
    assert editor.post("/staff/referrals/ona", form).status_code == 302
    draft = console_app.extensions["hotline_revisions"].open_draft()
    written = yaml.safe_load(draft.files["flows/referrals.yaml"])["referrals"]["ona"]
    assert written["phone"] == "1-800-566-7636"
    assert written["hours"]["weekly"] == [{"days": ["mon", "tue"], "open": "09:00", "close": "17:00"},
                                          {"days": ["sat"], "open": "10:00", "close": "14:00"}]
    assert '- {days: [mon, tue], open: "09:00", close: "17:00"}' in draft.files["flows/referrals.yaml"]
    referral = load_files(draft.files).script.referrals["ona"]
    assert referral.phone == "1-800-566-7636" and referral.verified == dt.date(2026, 12, 1)


def test_the_usage_page_charts_the_counters_as_svg_behind_sign_in_with_small_counts_hidden(console_app):
    import xml.etree.ElementTree as ET

    twilio = Twilio(console_app.test_client())
    for n in range(6):  # six Spanish conversations: shown; one in English: <5
        for body in ("hola", "1"):
            message_text(twilio.sms(f"+1607558{n:04d}", body))
    message_text(twilio.sms("+16075589999", "hello"))
    anonymous = console_app.test_client().get("/staff/usage", base_url="https://hotline.example.org")
    assert anonymous.status_code == 302 and "/staff/signin" in anonymous.headers["Location"]
    viewer = Staff(console_app, "editor2", "editor")
    viewer.sign_in()
    home = viewer.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/usage"' in home  # in the navigation
    page = viewer.get("/staff/usage?days=7")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", body, re.S)
    assert len(svgs) == 3
    labels = [t.text for t in ET.fromstring(svgs[0]).iter("{http://www.w3.org/2000/svg}text")]
    assert {"es", "en", "6", "<5"} <= set(labels) and "1" not in labels
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td>", body)
    assert ("new conversations", "es", "sms", "", "6") in rows
    assert ("new conversations", "en", "sms", "", "&lt;5") in rows
    assert not re.search(r"https?://(?!hotline\.example\.org|www\.w3\.org/2000/svg)", body)  # nothing fetched
    assert "<script>" not in body
