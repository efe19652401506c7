"""The console's recordings pages through the test client (SQLite and PostgreSQL, a real Redis):
coverage, the words to say, upload, refusals in plain words, approve, publish, the audit log."""
from __future__ import annotations

import io
import re

from console_db import database_url  # noqa: F401  (fixture)
from console_helpers import Staff, console_app  # noqa: F401  (fixture)
from hotline.channels.voice import clips
from test_console import page_text
from test_recordings_audio import tone, wav_bytes

PAGE = "door_say"  # a page with text and choices


def upload(person, code, clip, data, name="take.wav"):
    page = person.get(f"/staff/recordings/{code}?page={PAGE}")
    assert page.status_code == 200
    return person.post(f"/staff/recordings/{code}/{clip}", {"audio": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def coverage_row(response, code):
    row = re.search(rf'<tr id="coverage-{code}">(.*?)</tr>', response.get_data(as_text=True), re.S).group(1)
    return {k: int(v) for k, v in re.findall(r'data-f="(\w+)">(\d+)<', row)}


def test_a_page_recorded_uploaded_and_approved_is_played_once_published(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    publisher, board = console_app.extensions["hotline_publisher"], console_app.extensions["hotline"]
    nadia, admin = Staff(console_app, "nadia", "translator", languages="fa_AF"), Staff(console_app, "admin1", "admin")
    for person in (nadia, admin):
        assert person.sign_in().status_code == 302

    home = nadia.get("/staff/")
    before = coverage_row(home, "fa_AF")
    assert before["approved"] == 0 and before["missing"] > 100
    listing = nadia.get(f"/staff/recordings/fa_AF?page={PAGE}")
    assert listing.headers["Permissions-Policy"].count("microphone=(self)") == 1
    assert "microphone=()" in nadia.get("/staff/").headers["Permissions-Policy"]
    content = board.content
    wanted = [n for n in clips.needed(content, "fa_AF") if n.page == PAGE]
    assert len(wanted) >= 2
    text = page_text(listing)
    for item in wanted:  # the exact words to say, from the Dari catalog
        assert item.words in text and item.clip in text

    # Not audio: refused in plain words, nothing stored.
    refused = upload(nadia, "fa_AF", wanted[0].clip, b"<html>nope</html>" * 50, "take.webm")
    assert "Not saved: this is not an audio file" in page_text(refused)
    refused = upload(nadia, "fa_AF", wanted[0].clip, b"%PDF-1.4", "take.pdf")
    assert "is not one of wav, mp3, ogg, webm, m4a" in page_text(refused)
    assert revisions.open_draft() is None or not clips.playable(content)

    for item in wanted:
        saved = upload(nadia, "fa_AF", item.clip, wav_bytes(tone()))
        assert f"Recorded {item.clip}" in page_text(saved)
    listing = nadia.get(f"/staff/recordings/fa_AF?page={PAGE}")
    body = listing.get_data(as_text=True)
    for item in wanted:
        sha = re.search(rf'id="{item.clip}".*?name="sha256" value="([0-9a-f]{{64}})"', body, re.S).group(1)
        audio = nadia.client.get(f"/staff/recordings/audio/{sha}.mp3", base_url="https://hotline.example.org")
        assert audio.mimetype == "audio/mpeg" and len(audio.data) > 1000
        approved = nadia.post(f"/staff/recordings/fa_AF/{item.clip}/approve", {"sha256": sha}, follow_redirects=True)
        assert f"Approved {item.clip}" in page_text(approved)
    after = coverage_row(nadia.get("/staff/recordings"), "fa_AF")
    assert after["approved"] == len(wanted) and after["missing"] == before["missing"] - len(wanted)

    # The admin sees the takes as changes and publishes them; the worker serves them.
    admin.get("/staff/")
    assert "recording" in page_text(admin.get("/staff/diff?b=draft"))
    assert admin.post("/staff/publish", {"note": "Dari: the door page"}).status_code == 302
    assert publisher.poll_live() is True
    served = board.content
    assert {("fa_AF", item.clip) for item in wanted} == clips.playable(served)
    for item in wanted:
        assert (served.audio_dir / "fa_AF" / f"{item.clip}.mp3").is_file()
    log = page_text(admin.get("/staff/audit"))
    assert "recorded" in log and "approved recording" in log and "nadia" in log


def test_who_may_record_and_what_a_stale_or_unknown_clip_gets(console_app):
    translator = Staff(console_app, "tariq", "translator", languages="ps")  # Pashto, not Dari
    assert translator.sign_in().status_code == 302
    assert translator.get("/staff/recordings/fa_AF").status_code == 200  # may listen
    assert "data-record=" not in translator.get("/staff/recordings/fa_AF").get_data(as_text=True)  # no recorder
    assert translator.post("/staff/recordings/fa_AF/door__door__text", {"audio": (io.BytesIO(b"x"), "a.wav")},
                           content_type="multipart/form-data").status_code == 403
    editor = Staff(console_app, "nadia", "editor")
    editor.sign_in()
    assert editor.get("/staff/recordings/es").status_code == 404  # Spanish is spoken by a Twilio voice
    editor.get("/staff/recordings/fa_AF")
    assert editor.post("/staff/recordings/fa_AF/nothing__here", {"audio": (io.BytesIO(b"x"), "a.wav")},
                       content_type="multipart/form-data").status_code == 404
    # A take larger than a webhook may be (64 KB) is still accepted: a real clip is bigger.
    big = wav_bytes(tone(seconds=3))
    assert len(big) > 64 * 1024
    saved = upload(editor, "fa_AF", "door__door__text", big)
    assert "Recorded door__door__text" in page_text(saved)


def test_a_whole_page_is_approved_at_once_but_only_the_takes_listened_to(console_app):
    board = console_app.extensions["hotline"]
    nadia = Staff(console_app, "nadia", "translator", languages="fa_AF")
    tariq = Staff(console_app, "tariq", "translator", languages="ps")
    for person in (nadia, tariq):
        assert person.sign_in().status_code == 302
    wanted = [n for n in clips.needed(board.content, "fa_AF") if n.page == PAGE]
    for item in wanted:
        assert f"Recorded {item.clip}" in page_text(upload(nadia, "fa_AF", item.clip, wav_bytes(tone())))

    def shown_form(person):
        body = person.get(f"/staff/recordings/fa_AF?page={PAGE}").get_data(as_text=True)
        form = re.search(r'<form[^>]*class="approve-page".*?</form>', body, re.S)
        return form and {"page": re.search(r'name="page" value="([^"]+)"', form.group(0)).group(1),
                         "take": re.findall(r'name="take" value="([^"]+)"', form.group(0))}

    form = shown_form(nadia)
    assert form["page"] == PAGE and sorted(t.split(":")[0] for t in form["take"]) == sorted(i.clip for i in wanted)
    tariq.get("/staff/recordings/fa_AF")  # may listen, and his form token
    assert tariq.post("/staff/recordings/fa_AF/approve", form).status_code == 403  # not his language

    # The page's last take is recorded again after the page was shown: nothing is approved, not
    # even the takes before it, and the clip is named.
    upload(nadia, "fa_AF", wanted[-1].clip, wav_bytes(tone(seconds=0.5)))
    refused = page_text(nadia.post("/staff/recordings/fa_AF/approve", form, follow_redirects=True))
    assert "Nothing approved" in refused and wanted[-1].clip in refused
    assert coverage_row(nadia.get("/staff/recordings"), "fa_AF")["approved"] == 0
    # Takes of another page, or none, are not approved through this page.
    assert "Not approved" in page_text(nadia.post("/staff/recordings/fa_AF/approve", {**form, "page": "welcome"},
                                                  follow_redirects=True))
    assert "Not approved" in page_text(nadia.post("/staff/recordings/fa_AF/approve", {"page": PAGE},
                                                  follow_redirects=True))

    form = shown_form(nadia)  # the page as it is now: every take listened to
    done = page_text(nadia.post("/staff/recordings/fa_AF/approve", form, follow_redirects=True))
    assert f"Approved the {len(wanted)} takes of {PAGE}" in done
    assert coverage_row(nadia.get("/staff/recordings"), "fa_AF")["approved"] == len(wanted)
    assert shown_form(nadia) is None  # nothing on the page waits for approval now
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    log = page_text(admin.get("/staff/audit"))
    assert "approved recording" in log and all(item.clip in log for item in wanted)
