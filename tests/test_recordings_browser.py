"""A Dari speaker records one page's clips in a real browser (by microphone; most of the main menu by
uploading files), approves them (one clip, and whole pages at once), an admin publishes, and the
next call choosing Dari hears that page from the new clips while other pages still fall back.
Headless Chromium (Debian's, through Debian's chromedriver) with a fake microphone playing a WAV
made here (a tone with silence around it), against the hotline under gunicorn with its staff
database; the call is Twilio's signed webhooks to that gunicorn, the TwiML parsed.
"""
from __future__ import annotations

import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyotp
import pytest

from console_db import database_url  # noqa: F401  (fixture)
from conftest import TOKEN
from hotline.channels.voice import clips
from test_console_browser import PASSWORD, WORKERS, ConsoleSteps, Hotline, browser_or_skip, healthz, wait_for
from test_recordings_audio import tone, wav_bytes

# What a Dari caller hears first: the language menu's own entry for Dari, the welcome, and the
# main menu's page (its words and every choice).
PAGES = ("welcome", "main_menu", "language menu")


@pytest.fixture
def microphone(tmp_path):
    path = tmp_path / "microphone.wav"
    path.write_bytes(wav_bytes(tone(seconds=0.4, before=0.2, after=0.2, amplitude=0.3)))
    return path


@pytest.fixture
def browser(microphone):
    # The microphone: no permission prompt, and a file played instead of a device.
    driver = browser_or_skip("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-audio-capture={microphone}",
                             "--autoplay-policy=no-user-gesture-required")
    yield driver
    driver.quit()


# Once, on the production database: tests/test_recordings_store.py and
# tests/test_console_recordings.py run the same storage and pages on both databases.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_dari_speaker_records_a_page_and_the_next_dari_call_hears_it(browser, microphone, redis_url, database_url,
                                                                    tmp_path):
    from selenium.webdriver.common.by import By

    from hotline.content.db import open_database
    from hotline.content.revisions import Revisions, RevisionSource
    from hotline.core.languages import LANGUAGES
    from hotline.staff.accounts import Accounts

    accounts = Accounts(open_database(database_url), b"test")
    accounts.add("nadia", "translator", PASSWORD, languages="fa_AF")  # speaks Dari
    _, secret = accounts.add("admin1", "admin", PASSWORD)
    hotline = Hotline(tmp_path, redis_url, database_url)
    try:
        first = wait_for(lambda: healthz(hotline.port), timeout=90)
        assert first, "gunicorn did not start:\n" + hotline.log.read_text(errors="replace")[-3000:]
        base = f"http://localhost:{hotline.port}/staff"
        steps = ConsoleSteps(browser, base)
        wait, submit, sign_in = steps.wait, steps.submit, steps.sign_in

        def clip(name: str):
            return browser.find_element(By.ID, name)

        sign_in("nadia")
        assert browser.find_element(By.CSS_SELECTOR, '#coverage-fa_AF [data-f="approved"]').text == "0"
        names = []
        for page in PAGES:
            browser.get(f"{base}/recordings/fa_AF?page={urllib.parse.quote(page)}")
            here = [e.get_attribute("data-clip") for e in browser.find_elements(By.CSS_SELECTOR, "[data-clip]")]
            assert here, page
            for index, name in enumerate(here):
                assert clip(name).find_element(By.CSS_SELECTOR, '[data-f="status"]').text == "missing"
                assert clip(name).find_element(By.CSS_SELECTOR, ".say").text  # the words to say are shown
                if page == "main_menu" and index > 0:
                    # The rest of the menu from files, as someone who recorded it elsewhere uploads it.
                    form = clip(name).find_element(By.CSS_SELECTOR, "form.upload")
                    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(microphone))
                    submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                else:
                    clip(name).find_element(By.CSS_SELECTOR, "button.record").click()
                    wait.until(lambda d: "Recording" in clip(name).find_element(By.CSS_SELECTOR, ".recorder-status").text)
                    # The fake microphone loops its file (0.8 s, 0.4 s of tone in the middle):
                    # any second of it holds at least 0.6 s of tone.
                    wait_for(lambda: False, timeout=1.0)
                    # Stop: the take is sent and the page reloads
                    steps.click_and_wait_for_new_page(clip(name).find_element(By.CSS_SELECTOR, "button.record").click)
                wait.until(lambda d: clip(name).find_element(By.CSS_SELECTOR, '[data-f="status"]').text == "recorded")
            if page == "main_menu":
                # Listen back: the console serves each take as audio the browser plays.
                player = clip(here[0]).find_element(By.TAG_NAME, "audio")
                duration = browser.execute_async_script(
                    "var a = arguments[0], done = arguments[1]; a.preload = 'auto';"
                    "a.addEventListener('loadedmetadata', function () { done(a.duration); });"
                    "a.addEventListener('error', function () { done(-1); }); a.load();", player)
                assert 0.1 < duration < 2.5, duration  # the take as stored (trimming: test_recordings_audio.py)
            if len(here) > 1:  # the whole page at once, as listened to
                submit(browser.find_element(By.CSS_SELECTOR, "button.approve-page"))
                assert f"Approved the {len(here)} takes" in browser.find_element(By.CSS_SELECTOR, ".flash.ok").text
            else:
                submit(clip(here[0]).find_element(By.CSS_SELECTOR, "button.approve"))
                assert "Approved" in browser.find_element(By.CSS_SELECTOR, ".flash.ok").text
            for name in here:
                assert clip(name).find_element(By.CSS_SELECTOR, '[data-f="status"]').text == "approved"
            names += here
        assert "main__main_menu__text" in names and "language__fa_AF" in names
        browser.get(base + "/")
        assert browser.find_element(By.CSS_SELECTOR, '#coverage-fa_AF [data-f="approved"]').text == str(len(names))
        submit(browser.find_element(By.CSS_SELECTOR, "header form button"))

        # The admin publishes; every worker serves the new revision.
        totp = pyotp.TOTP(secret)
        sign_in("admin1", totp.now())
        browser.find_element(By.NAME, "note").send_keys("Dari recordings: the main menu")
        submit(browser.find_element(By.ID, "publish"))
        revisions = Revisions(open_database(database_url))
        published = revisions.live_id()
        assert published != first["version"]
        # Every worker serves it (a call's requests may reach any of them).
        assert wait_for(lambda: len(hotline.served_by_workers(published)) >= WORKERS, timeout=60)
        content = RevisionSource(revisions, LANGUAGES).load()
        assert {("fa_AF", name) for name in names} == clips.playable(content)
        for name in names:
            assert len((content.audio_dir / "fa_AF" / f"{name}.mp3").read_bytes()) > 1000

        # The next call: Twilio's signed webhooks to the running gunicorn, the TwiML parsed.
        call = Call(hotline.port)
        menu = call.post("/voice")
        name_clip = next(url for url in call.plays(menu) if "/fa_AF/language__fa_AF.mp3" in url)
        with urllib.request.urlopen(name_clip, timeout=10) as response:  # what Twilio fetches
            assert response.headers["Content-Type"] == "audio/mpeg"
            assert response.read() == (content.audio_dir / "fa_AF" / "language__fa_AF.mp3").read_bytes()
        dari = call.press(menu, "6")
        played = call.plays(dari)
        assert any("/fa_AF/main__main_menu__text.mp3?v=" in url for url in played), ET.tostring(dari)
        assert any("/fa_AF/main__main_menu__menu__1.mp3?v=" in url for url in played), played
        assert dari.find(".//Dial") is None
        # The first topic's page has no Dari clips yet: it falls back as a language the line
        # cannot speak does (ONA's interpreters while open, else their number and goodbye).
        door = call.press(dari, "1")
        assert not [url for url in call.plays(door) if "/fa_AF/door__" in url]
        assert door.find(".//Dial") is not None or door.find(".//Hangup") is not None, ET.tostring(door)
    finally:
        log = hotline.stop()
    assert "Traceback" not in log, log[-3000:]


class Call:
    """One phone call to the gunicorn under test, as Twilio places it: each request signed."""

    def __init__(self, port: int, number: str = "+16075550188"):
        from twilio.request_validator import RequestValidator

        self.base = f"http://localhost:{port}"
        self.validator = RequestValidator(TOKEN)
        self.params = {"CallSid": "CA" + "cd" * 16, "AccountSid": "AC" + "0" * 32, "From": number,
                       "To": "+16075550199", "Direction": "inbound", "CallStatus": "in-progress"}

    def post(self, path: str, **extra: str) -> ET.Element:
        url = path if path.startswith("http") else self.base + path
        params = {**self.params, **extra}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST", headers={
            "X-Twilio-Signature": self.validator.compute_signature(url, params), "Connection": "close",
            "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/xml")
            return ET.fromstring(response.read())

    def press(self, document: ET.Element, digits: str) -> ET.Element:
        gather = document.find(".//Gather")
        assert gather is not None, ET.tostring(document)
        return self.post(gather.get("action"), Digits=digits)

    def plays(self, document: ET.Element) -> list[str]:
        return [play.text for play in document.iter("Play")]
