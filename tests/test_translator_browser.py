"""A translator with only a browser brings a stale Spanish string up to date, an admin
publishes it, and the running hotline (gunicorn, three workers) answers a Spanish texter with
the new words. Debian's headless chromium through Selenium, as tests/test_console_browser.py
(whose helpers this uses); the English change that makes the Spanish stale is an editor's,
in the same browser, and the catalog update is the one `hotline translations update` makes."""
from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest
import pyotp
from twilio.request_validator import RequestValidator

from console_db import database_url, services_required  # noqa: F401  (fixtures)
from conftest import TOKEN
from test_console_browser import PASSWORD, ConsoleSteps, Hotline, browser, healthz, wait_for  # noqa: F401  (fixture)

NEW_ENGLISH = "What is happening to you?"
NEW_SPANISH = "¿Qué le está pasando a usted?"


def texted(port: int, number: str, body: str) -> str:
    """A signed SMS webhook over a real socket, as Twilio posts it: the TwiML answer."""
    url = f"http://127.0.0.1:{port}/sms"
    params = {"MessageSid": "SM" + f"{int(time.time() * 1000):032d}", "AccountSid": "AC" + "0" * 32,
              "From": number, "To": "+16075550199", "Body": body, "NumMedia": "0"}
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), headers={
        "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params), "Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode("utf-8")


# Once, on the README's embedded database: a browser run takes a minute, and tests/test_console.py and
# tests/test_translators.py run the same steps on both databases without a browser.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_translator_brings_a_stale_spanish_string_up_to_date_and_callers_get_it(browser, redis_url, database_url,
                                                                                 tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from hotline.content.db import open_database
    from hotline.staff.accounts import Accounts

    accounts = Accounts(open_database(database_url), b"test")
    accounts.add("editor1", "editor", PASSWORD)
    accounts.add("maria", "translator", PASSWORD, languages="es")
    _, secret = accounts.add("admin1", "admin", PASSWORD)
    hotline = Hotline(tmp_path, redis_url, database_url)
    try:
        first = wait_for(lambda: healthz(hotline.port), timeout=90)
        assert first, "gunicorn did not start:\n" + hotline.log.read_text(errors="replace")[-3000:]
        first = first["version"]
        before = texted(hotline.port, "+16075550188", "hola")
        assert NEW_SPANISH not in before
        base = f"http://localhost:{hotline.port}/staff"
        steps = ConsoleSteps(browser, base)
        wait, submit, sign_in, sign_out = steps.wait, steps.submit, steps.sign_in, steps.sign_out

        # an editor changes the English of the main menu's question, in the draft
        sign_in("editor1")
        browser.get(base + "/nodes/main_menu")
        text = browser.find_element(By.ID, "text")
        text.clear()
        text.send_keys(NEW_ENGLISH)
        submit(browser.find_element(By.ID, "save"))
        assert "Saved main_menu" in wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash.ok")).text
        sign_out()

        # the translator finds the Spanish string stale, with the English it was translated from
        sign_in("maria")
        submit(browser.find_element(By.LINK_TEXT, "Translations"))
        assert "español (es)" in browser.find_element(By.ID, "languages").text
        submit(browser.find_element(By.PARTIAL_LINK_TEXT, "español"))
        status = browser.find_element(By.ID, "catalog-status").text
        assert "1 stale" in status and "0 missing" in status
        entry = browser.find_element(By.CSS_SELECTOR, "section.entry.stale")
        assert NEW_ENGLISH in entry.find_element(By.CSS_SELECTOR, ".english").text
        assert "What is happening?" in entry.find_element(By.CSS_SELECTOR, ".previous").text
        assert "step main_menu" in entry.text
        area = entry.find_element(By.TAG_NAME, "textarea")
        key = area.get_attribute("id")[2:]
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(NEW_SPANISH)
        # its SMS cost, as typed: the hotline's own count (¿ and á are GSM-7's; ú is not)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f'#cost-{key} [data-f="characters"]').text
                   == str(len(NEW_SPANISH)))
        assert browser.find_element(By.CSS_SELECTOR, f'#cost-{key} [data-f="encoding"]').text in ("GSM-7", "UCS-2")
        browser.find_element(By.ID, f"ok-{key}").click()
        submit(browser.find_element(By.ID, "save"))
        assert "Saved 1 translation(s)" in wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash.ok")).text
        assert "0 stale" in browser.find_element(By.ID, "catalog-status").text

        # placeholders are checked as they type: one lost is said at once
        browser.get(base + "/translate/es?group=messages")
        area = next(a for a in browser.find_elements(By.CSS_SELECTOR, "textarea[data-placeholders]")
                    if a.get_attribute("data-placeholders"))
        kept = area.get_attribute("data-placeholders").split(",")[0]
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys("Llame sin número")
        wait.until(lambda d: ("keep {%s}" % kept) in d.find_element(By.ID, area.get_attribute("data-check")).text)
        # a translator cannot publish: the draft page offers no publish button
        browser.get(base + "/")
        assert not browser.find_elements(By.ID, "publish")
        sign_out()

        # the admin publishes it as any change (the check runs first)
        sign_in("admin1", pyotp.TOTP(secret).now())
        second, _ = steps.publish("main menu question, in English and Spanish", hotline, first)

        # a Spanish texter gets the new words, from whichever worker answers
        for n in range(3):
            assert NEW_SPANISH in texted(hotline.port, f"+1607555020{n}", "hola")
        browser.get(base + "/audit")
        log = browser.find_element(By.TAG_NAME, "table").text
        assert "maria translated" in log and "admin1 published" in log
        problems = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert problems == [], problems
    finally:
        output = hotline.stop()
    assert "Traceback" not in output, output[-3000:]
