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
    caplog.set_level(logging.INFO, logger="hotline.session.publishing")
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


# Words only each valid version's main menu says.
MARKERS = {"A": "Choose.", "B": "Pick one."}


def test_reloads_under_load_never_serve_the_invalid_version_and_never_fail(served, flows):
    # Four callers texting nonstop would hit the per-caller flood limit within a second and
    # get silence; this test is about reloads, so the limits are lifted.
    app, publisher, twilio = served(caller_limit=10**6, line_limit=10**6)
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
                    start = len(replies)
                    published += publisher.reload() is True
                    # Let the callers be served by it before the next swap (on a busy machine a
                    # 5 ms pause could pass without a single request).
                    marker = MARKERS[name]
                    if not wait_for(lambda: any(marker in r for r in replies[start:]), timeout=10):
                        problems.append(f"version {name} was published but never served")
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
    from hotline.content.bundle import load_content

    return load_content(flows, flows.parent / "no-catalogs").version


def wait_for(condition, timeout: float = 10.0, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


def test_a_change_is_loaded_only_once_it_has_settled(served, flows):
    app, publisher, twilio = served()
    assert publisher.poll() is None  # nothing changed
    (flows / "main.yaml").write_text(NO_DOOR)
    assert publisher.poll() is None  # seen once: maybe a copy still in progress
    assert publisher.poll() is True  # the same on the next look: published
    assert publisher.poll() is None
    (flows / "main.yaml").write_text(BROKEN)
    assert publisher.poll() is None
    assert publisher.poll() is False  # refused...
    assert publisher.poll() is None  # ...and not tried (or logged) again until the files change


def test_watching_publishes_good_changes_and_logs_a_bad_one_once(served, flows, caplog):
    caplog.set_level(logging.INFO, logger="hotline.session.publishing")
    app, publisher, twilio = served(watch=True, watch_interval=0.02)
    before = version(twilio)
    (flows / "main.yaml").write_text(BROKEN)
    assert wait_for(lambda: "rejected" in caplog.text)
    time.sleep(0.2)  # ten more looks at the same broken files
    assert caplog.text.count("rejected") == 1 and version(twilio) == before
    (flows / "main.yaml").write_text(NO_DOOR)
    assert wait_for(lambda: version(twilio) != before)
    assert "Pick one." in message_text(twilio.sms("+16075550184", "hi"))


def test_the_reload_signal_reloads_this_process(served, flows):
    app, publisher, twilio = served()
    previous = publisher.install_signal("SIGHUP")
    try:
        publisher.ensure_running()
        before = version(twilio)
        (flows / "main.yaml").write_text(NO_DOOR)
        os.kill(os.getpid(), signal.SIGHUP)
        assert wait_for(lambda: version(twilio) != before)
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_tests_and_threads_do_not_take_the_signal(make_app):
    before = signal.getsignal(signal.SIGHUP)
    app = make_app(redis_url=None)  # TESTING: not a server process
    assert signal.getsignal(signal.SIGHUP) is before
    assert app.extensions["hotline_publisher"].signal_name is None


# --- a real server process, published to without a restart ---------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str = "/healthz") -> dict:
    import json

    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
        return json.loads(response.read())


def text_message(port: int, number: str, body: str) -> str:
    import xml.etree.ElementTree as ET

    data = urllib.parse.urlencode({"From": number, "Body": body}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sms", data=data, timeout=5) as response:
        return "\n\n".join(m.text or "" for m in ET.fromstring(response.read()))


def answering(port: int):
    try:
        return get(port)
    except OSError:
        return None


def server_env(flows: Path, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "REDIS_URL", "TWILIO_"))}
    # The files are what is served here (no staff database): the YAML way of STAFF.md.
    env.update(HOTLINE_DEV="1", HOTLINE_DATABASE_URL="off", HOTLINE_FLOWS_DIR=str(flows), HOTLINE_TRANSLATIONS_DIR=str(tmp_path / "no-catalogs"),
               PYTHONPATH=str(ROOT))
    return env


def start(args: list[str], flows: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A server process of ours; its log goes to a file (a full pipe would stall it)."""
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=server_env(flows, tmp_path),
                                   stdout=sink, stderr=subprocess.STDOUT)
    return process, log


def stop_process(process: subprocess.Popen, log: Path) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return log.read_text(encoding="utf-8", errors="replace")


def test_publish_to_a_running_server_with_sighup(flows, tmp_path):
    """What STAFF.md tells staff to do: edit, signal the server, see the new version; a broken
    edit is refused with its findings in the log, and the server keeps answering."""
    port = free_port()
    server, log_file = start(["hotline.staff.cli", "serve", "--dev", "--port", str(port)], flows, tmp_path)
    try:
        first = wait_for(lambda: answering(port), timeout=20)
        assert first, "the server did not start"
        assert "Choose." in text_message(port, "+16075550185", "hi")
        (flows / "main.yaml").write_text(NO_DOOR)
        server.send_signal(signal.SIGHUP)
        assert wait_for(lambda: get(port)["version"] != first["version"])
        published = get(port)["version"]
        assert "Pick one." in text_message(port, "+16075550185", "0")
        (flows / "main.yaml").write_text(BROKEN)
        server.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert server.poll() is None and get(port)["version"] == published
        assert "Pick one." in text_message(port, "+16075550185", "0")
    finally:
        log = stop_process(server, log_file)
    assert f"now serving version {published}" in log
    assert "reload (signal SIGHUP) rejected" in log and "flows/main.yaml:12: menu item 1 goes to 'front_door'" in log


def workers_of(master: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds gunicorn's workers through /proc")
def test_gunicorn_workers_reload_on_their_own_signal(flows, tmp_path):
    """Each gunicorn worker is its own process: signalled directly it reloads in place (it is
    not replaced), and what the master's own SIGHUP does instead is in STAFF.md."""
    pytest.importorskip("gunicorn")
    port = free_port()
    master, log_file = start(["gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "hotline:create_app()"],
                             flows, tmp_path)

    def ready_workers():
        # A worker takes the signal once the app is loaded in it, and says so in the log; a
        # worker signalled while still booting would die and be replaced by a fresh one.
        pids, text = workers_of(master.pid), log_file.read_text(errors="replace")
        return pids if len(pids) == 2 and all(f"send SIGHUP to process {pid} " in text for pid in pids) else None

    try:
        first = wait_for(lambda: answering(port), timeout=30)
        assert first, "gunicorn did not start"
        workers = wait_for(ready_workers, timeout=30)
        assert workers, log_file.read_text()
        (flows / "main.yaml").write_text(NO_DOOR)
        for pid in workers:
            os.kill(pid, signal.SIGHUP)
        assert wait_for(lambda: all(get(port)["version"] != first["version"] for _ in range(10)), timeout=20)
        still = workers_of(master.pid)
    finally:
        log = stop_process(master, log_file)
    assert still == workers, log  # reloaded in place, not restarted
    assert log.count("reload (signal SIGHUP): now serving version") == 2, log
