"""The console in a real browser (Debian's headless chromium, driven by Selenium through
Debian's chromedriver; nothing is downloaded), against the hotline under gunicorn with three
workers, a real Redis and the staff database: sign in with the second factor, edit a step and
watch its SMS cost, preview it by text and by phone in Spanish, have it reviewed, publish, see
/healthz change on every worker, roll back.

HOTLINE_TEST_CHROMIUM / HOTLINE_TEST_CHROMEDRIVER name the binaries (scripts/test sets them),
else /usr/bin/chromium and /usr/bin/chromedriver. Without them the test skips, or fails in CI
(CI=true) or with HOTLINE_REQUIRE_SERVICES=1. HOTLINE_SCREENSHOTS=DIR saves the main pages.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyotp
import pytest

from console_db import database_url, services_required  # noqa: F401  (fixture)
from conftest import ROOT, SECRET, TOKEN

CHROMIUM = os.environ.get("HOTLINE_TEST_CHROMIUM") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("HOTLINE_TEST_CHROMEDRIVER") or "/usr/bin/chromedriver"
WORKERS = 3
PASSWORD = "a long staff passphrase"
NEW_SAY = ("Keep the door closed and say: I do not consent to entry. You do not have to answer questions. "
           "You can say: I will remain silent. I want to speak to a lawyer. Everyone at home can stay silent.")


def browser_or_skip(*flags: str):
    """Headless Chromium through Selenium, with these command-line flags besides the usual."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        message = f"no {' or '.join(missing)} (apt-get install chromium chromium-driver)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--disable-gpu", "--no-first-run", "--disable-extensions", *flags):
        options.add_argument(flag)
    # The chromedriver named here: Selenium Manager never looks for (or downloads) one.
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(port: int) -> dict:
    request = urllib.request.Request(f"http://localhost:{port}/healthz", headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def wait_for(check, timeout: float, every: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(every)
    return None


class Hotline:
    """gunicorn running the hotline as the Procfile does (gunicorn.conf.py), on a free port."""

    def __init__(self, tmp_path: Path, redis_url: str, database_url: str):
        self.port = free_port()
        self.log = tmp_path / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "REDIS_URL", "TWILIO_"))}
        env.update(TWILIO_AUTH_TOKEN=TOKEN, HOTLINE_SECRET_KEY=SECRET, REDIS_URL=redis_url,
                   HOTLINE_DATABASE_URL=database_url, HOTLINE_LIVE_INTERVAL="2", WEB_CONCURRENCY=str(WORKERS),
                   PYTHONPATH=str(ROOT))
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b",
                 f"127.0.0.1:{self.port}", "hotline:create_app()"],
                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)

    def served_by_workers(self, version: str) -> list[float]:
        """When each worker logged that it serves this version (seconds since the epoch)."""
        times = []
        for line in self.log.read_text(errors="replace").splitlines():
            if f"now serving version {version}" in line:
                # hotline/logs.py's one format: an ISO time in UTC with milliseconds first
                stamp = dt.datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")
                times.append(stamp.replace(tzinfo=dt.timezone.utc).timestamp())
        return times

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log.read_text(errors="replace")


class ConsoleSteps:
    """A staff member's steps in the browser, shared by the browser tests: submit a form and
    wait for the page it loads, sign in and out, publish and wait for every worker."""

    def __init__(self, browser, base: str, before_sign_in=lambda username: None):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        self.browser, self.base, self.before_sign_in = browser, base, before_sign_in
        # A click that loads a new page leaves the old page's elements stale: look again.
        self.wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))

    def submit(self, button) -> None:
        """Click a button that loads a new page, and wait until the old page is gone: an
        element looked up before then may be the old page's, stale a moment later."""
        self.click_and_wait_for_new_page(button.click)

    def click_and_wait_for_new_page(self, click) -> None:
        from selenium.webdriver.common.by import By

        old = self.browser.find_element(By.TAG_NAME, "html")
        click()
        self.wait.until(lambda _: gone(old))

    def sign_in(self, username: str, code: str = "") -> None:
        from selenium.webdriver.common.by import By

        self.browser.get(self.base + "/signin")
        self.browser.find_element(By.NAME, "username").send_keys(username)
        self.browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.browser.find_element(By.NAME, "code").send_keys(code)
        self.before_sign_in(username)
        self.submit(self.browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait.until(lambda d: "/staff/signin" not in d.current_url)

    def sign_out(self) -> None:
        from selenium.webdriver.common.by import By

        self.submit(self.browser.find_element(By.CSS_SELECTOR, "header form button"))
        self.wait.until(lambda d: "/staff/signin" in d.current_url)

    def publish(self, note: str, hotline: "Hotline", before: str) -> tuple[str, float]:
        """Publish the draft from the front page; (the new revision, when the button was
        pressed) once every worker serves it and /healthz says so whichever worker answers."""
        from selenium.webdriver.common.by import By

        self.browser.get(self.base + "/")
        self.browser.find_element(By.NAME, "note").send_keys(note)
        self.submit(self.browser.find_element(By.ID, "publish"))
        clicked = time.time()
        self.wait.until(lambda d: "Published revision" in d.page_source)
        second = re.search(r"Published revision (\w+)", self.browser.page_source).group(1)
        assert second != before
        assert wait_for(lambda: len(hotline.served_by_workers(second)) >= WORKERS, timeout=60), \
            "not every worker took the new revision:\n" + hotline.log.read_text(errors="replace")[-3000:]
        assert wait_for(lambda: all(healthz(hotline.port)["version"] == second for _ in range(20)), timeout=30)
        return second, clicked


def gone(element) -> bool:
    """Whether an element's page has been replaced. Selenium's staleness_of knows one way of
    saying so; chromedriver also answers a look at an element of a page being replaced with
    "Node with given id does not belong to the document", which means the same."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in (exc.msg or ""):
            return True
        raise
    return False


@pytest.fixture
def browser():
    driver = browser_or_skip()
    yield driver
    driver.quit()


# Once, on the production database, three workers sharing it: a browser run takes a minute, and tests/test_console.py and
# tests/test_translators.py run the same steps on both databases without a browser.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_staff_member_changes_a_step_and_every_worker_serves_it(browser, redis_url, database_url, tmp_path,
                                                                  figure):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from hotline.content.db import open_database
    from hotline.staff.accounts import Accounts

    accounts = Accounts(open_database(database_url), b"test")
    accounts.add("editor1", "editor", PASSWORD)
    accounts.add("lawyer1", "reviewer", PASSWORD)
    _, secret = accounts.add("admin1", "admin", PASSWORD)
    shots = Path(os.environ["HOTLINE_SCREENSHOTS"]) if os.environ.get("HOTLINE_SCREENSHOTS") else None
    hotline = Hotline(tmp_path, redis_url, database_url)
    try:
        first = wait_for(lambda: healthz(hotline.port), timeout=90)
        assert first, "gunicorn did not start:\n" + hotline.log.read_text(errors="replace")[-3000:]
        first = first["version"]
        base = f"http://localhost:{hotline.port}/staff"

        def shot(name: str) -> None:
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(str(shots / f"{name}.png"))

        steps = ConsoleSteps(browser, base, lambda username: shot("1-sign-in") if username == "admin1" else None)
        wait, submit, sign_in, sign_out = steps.wait, steps.submit, steps.sign_in, steps.sign_out

        # the second factor is asked for: a wrong code is refused
        browser.get(base + "/signin")
        for name, value in (("username", "admin1"), ("password", PASSWORD), ("code", "000000")):
            browser.find_element(By.NAME, name).send_keys(value)
        submit(browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        assert "not right" in browser.find_element(By.CSS_SELECTOR, ".flash.error").text

        # the editor changes a legal step and sees its SMS cost as they type
        sign_in("editor1")
        browser.get(base + "/nodes/door_say")
        text = browser.find_element(By.ID, "text")
        text.clear()
        text.send_keys(NEW_SAY)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '#cost-text [data-f="characters"]').text == str(len(NEW_SAY)))
        assert browser.find_element(By.CSS_SELECTOR, '#cost-text [data-f="encoding"]').text == "GSM-7"
        text.send_keys(" Pídales una orden.")
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '#cost-text [data-f="encoding"]').text == "UCS-2")
        assert "force UCS-2: í" in browser.find_element(By.ID, "cost-text").text
        shot("3-edit-a-step")
        text.clear()
        text.send_keys(NEW_SAY)
        submit(browser.find_element(By.ID, "save"))
        assert "Saved door_say" in wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash.ok")).text

        # preview in Spanish by text: segments per reply
        browser.get(base + "/preview")
        Select(browser.find_element(By.ID, "lang")).select_by_value("es")
        for message in ("hola", "1"):
            browser.find_element(By.ID, "message").send_keys(message)
            submit(browser.find_element(By.ID, "send"))
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=said][value='%s']" % message))
        chat = wait.until(lambda d: d.find_element(By.ID, "chat").text)
        assert "puerta" in chat.lower() and "segment(s)" in chat
        shot("4-preview-sms")
        # and by phone: the transcript says what is heard, in which voice
        browser.find_element(By.CSS_SELECTOR, "input[name=channel][value=voice]").click()
        submit(browser.find_element(By.NAME, "restart"))
        browser.find_element(By.ID, "message").send_keys("1")
        submit(browser.find_element(By.ID, "send"))
        call = wait.until(lambda d: "pressed 1" in d.find_element(By.ID, "call").text
                          and d.find_element(By.ID, "call").text)
        assert "[es-" in call
        shot("5-preview-phone")
        browser.get(base + "/diagram")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#diagram svg"))
        shot("6-diagram")
        sign_out()

        # the reviewer signs the legal change off
        sign_in("lawyer1")
        browser.get(base + "/review")
        shot("7-legal-review")
        submit(browser.find_element(By.ID, "sign-door_say"))
        wait.until(lambda d: d.find_elements(By.ID, "nothing-waiting"))
        sign_out()

        # the admin publishes; every worker serves it within seconds, no restart
        sign_in("admin1", pyotp.TOTP(secret).now())
        browser.get(base + "/")
        shot("2-draft")
        # every worker serves it, and /healthz says so, request after request, whichever answers
        second, clicked = steps.publish("door_say: clearer wording", hotline, first)
        served = max(hotline.served_by_workers(second)) - clicked
        figure("console publish to served on all 3 gunicorn workers (s)", f"{served:.2f}")
        shot("8-revisions")

        # roll back: the first revision is live again everywhere
        browser.get(base + "/revisions")
        submit(browser.find_element(By.ID, f"rollback-{first}"))
        rolled = time.time()
        wait.until(lambda d: "is live again" in d.page_source)
        assert wait_for(lambda: len(hotline.served_by_workers(first)) >= WORKERS, timeout=60)
        assert wait_for(lambda: all(healthz(hotline.port)["version"] == first for _ in range(20)), timeout=30)
        figure("console rollback to served on all 3 gunicorn workers (s)",
               f"{max(hotline.served_by_workers(first)) - rolled:.2f}")

        browser.get(base + "/audit")
        log = browser.find_element(By.TAG_NAME, "table").text
        for what in ("editor1 edited", "lawyer1 legal sign-off", "admin1 published", "admin1 rolled back"):
            assert what in log
        shot("9-audit-log")
        # no console page ever asked for anything from elsewhere, and the CSP stopped nothing
        problems = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
                    and "/staff/signin - Failed to load resource" not in entry["message"]]  # the wrong code's 401
        assert problems == [], problems
    finally:
        output = hotline.stop()
    assert "Traceback" not in output, output[-3000:]
