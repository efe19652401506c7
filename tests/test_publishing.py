"""Publishing without a restart: reloads that check first, keep serving, and never break a caller."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, Twilio, message_text

MAIN = FIXTURES / "flows_min" / "main.yaml"
NO_DOOR = (MAIN.read_text()
           .replace("text: Choose.", "text: Pick one.")
           .replace("        label: Door\n        goto: door", "        label: Legal help\n        goto: legal_help")
           .replace("  door:\n    legal: true\n    text: Keep the door closed.\n    sources: [aclu]\n"
                    "    reviewed: 2026-11-28\n    reviewer: Test reviewer\n", ""))
BROKEN = MAIN.read_text().replace("text: Choose.", "text: BROKEN VERSION.").replace("goto: door", "goto: front_door")


@pytest.fixture
def flows(tmp_path):
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows_min", target)
    return target


@pytest.fixture
def served(make_app, redis_url, flows, tmp_path):
    """An app on a copy of the minimal flows, its publisher, and a Twilio poster; the
    publisher's thread (if a test starts one) is stopped afterwards."""
    apps = []

    def build(**settings):
        app = make_app(redis_url=redis_url, flows_dir=flows, translations_dir=tmp_path / "no-catalogs", **settings)
        apps.append(app)
        return app, app.extensions["hotline_publisher"], Twilio(app.test_client())

    yield build
    for app in apps:
        app.extensions["hotline_publisher"].stop()


def version(twilio) -> str:
    return twilio.client.get("/healthz").get_json()["version"]


def test_the_test_versions_differ_as_intended():
    assert "door:" not in NO_DOOR and "Pick one." in NO_DOOR and "front_door" in BROKEN


def test_a_valid_change_is_published_and_healthz_shows_it(served, flows):
    app, publisher, twilio = served()
    before = version(twilio)
    twilio.sms("+16075550181", "hi")
    (flows / "main.yaml").write_text(MAIN.read_text().replace("text: Choose.", "text: Pick a number."))
    assert publisher.reload() is True
    assert version(twilio) != before
    assert message_text(twilio.sms("+16075550181", "0")).startswith("Pick a number.")


def test_an_invalid_change_is_rejected_with_its_findings_logged(served, flows, caplog):
    app, publisher, twilio = served()
    before = version(twilio)
    (flows / "main.yaml").write_text(BROKEN)
    caplog.set_level(logging.INFO, logger="hotline.publishing")
    assert publisher.reload() is False
    assert f"still serving version {before}" in caplog.text
    assert "flows/main.yaml:12: menu item 1 goes to 'front_door', but no node has that id" in caplog.text
    assert version(twilio) == before
    text = message_text(twilio.sms("+16075550182", "hi"))
    assert "Choose." in text and "BROKEN" not in text


def test_a_caller_whose_node_disappeared_is_taken_to_the_main_menu(served, flows):
    app, publisher, twilio = served()
    twilio.sms("+16075550183", "hi")
    assert "Keep the door closed." in message_text(twilio.sms("+16075550183", "1"))  # now at 'door'
    (flows / "main.yaml").write_text(NO_DOOR)
    assert publisher.reload() is True
    text = message_text(twilio.sms("+16075550183", "1"))
    assert text.startswith("This part of the hotline has changed. Here is the main menu.")
    assert "Pick one." in text and "1 Legal help" in text


def test_reloads_under_load_never_serve_the_invalid_version_and_never_fail(served, flows):
    app, publisher, twilio = served()
    versions = {"A": MAIN.read_text(), "B": NO_DOOR, "broken": BROKEN}
    good_versions, stop, problems, replies = set(), threading.Event(), [], []
    good_versions.add(version(twilio))

    def caller(number: str) -> None:
        poster = Twilio(app.test_client())
        sent = 0
        while not stop.is_set():
            for body in ("hi", "1", "0", "1", "back"):
                response = poster.sms(number, body)
                if response.status_code != 200:
                    problems.append(f"{body}: HTTP {response.status_code}")
                    continue
                text = message_text(response)
                replies.append(text)
                sent += 1
                if "BROKEN" in text or "having trouble" in text:
                    problems.append(f"{body}: {text!r}")
            seen = poster.client.get("/healthz").get_json()["version"]
            if seen not in good_versions:
                problems.append(f"healthz showed {seen}")

    threads = [threading.Thread(target=caller, args=(f"+1607555019{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    published = rejected = 0
    try:
        for _ in range(12):
            for name in ("broken", "B", "broken", "A"):
                (flows / "main.yaml").write_text(versions[name])
                if name == "broken":
                    rejected += publisher.reload() is False
                else:
                    # Known before it is published, so a thread never sees a version it cannot place.
                    good_versions.add(_version_of(flows))
                    published += publisher.reload() is True
                time.sleep(0.005)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert problems == []
    assert (published, rejected) == (24, 24)
    assert len(replies) > 100
    # Both valid versions were really served while the callers were texting.
    assert any("Choose." in r for r in replies) and any("Pick one." in r for r in replies)


def _version_of(flows: Path) -> str:
    from hotline.content import load_content

    return load_content(flows, flows.parent / "no-catalogs").version
