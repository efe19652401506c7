"""How long publishing and the staff check take, and what reloads do to replies in flight.

    python bench/publishing.py

Prints figures; asserts nothing (timings belong here, not in unit tests). Uses the shipped
flows and catalogs and the embedded store, in one process.
"""
from __future__ import annotations

import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline import create_app  # noqa: E402
from hotline.config import ROOT  # noqa: E402
from hotline.content.bundle import load_content  # noqa: E402
from hotline.core.languages import LANGUAGES  # noqa: E402
from hotline.staff.check import run_check  # noqa: E402


def timed(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def describe(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label:<44} median {statistics.median(times):7.2f} ms   p99 {p99:7.2f} ms   n={len(times)}")


def replies_while(app, reloading: bool, seconds: float = 2.0) -> list[float]:
    publisher = app.extensions["hotline_publisher"]
    stop = threading.Event()

    def reload_forever():
        while not stop.is_set():
            publisher.reload("benchmark")

    reloader = threading.Thread(target=reload_forever) if reloading else None
    if reloader:
        reloader.start()
    client = app.test_client()
    times, deadline, n = [], time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        n += 1
        start = time.perf_counter()
        client.post("/sms", data={"From": f"+1607555{n % 100:04d}", "Body": "1" if n % 2 else "0"})
        times.append((time.perf_counter() - start) * 1000)
    stop.set()
    if reloader:
        reloader.join()
    return times


def main() -> None:
    app = create_app({"dev": True, "auth_token": None, "redis_url": None, "TESTING": True})
    logging.getLogger("hotline").setLevel(logging.ERROR)  # a log line per reload would be timed too
    publisher = app.extensions["hotline_publisher"]
    # load_content remembers a Content by the digest of its files: a reload of files that did
    # not change costs that digest. A load of new folders holding the same bytes is timed too:
    # it misses that memo, though the catalog and YAML readers below it still know the bytes.
    describe("reload of unchanged content (remembered)", timed(publisher.reload, 20))
    with tempfile.TemporaryDirectory() as folder:
        copies = iter(range(10**6))

        def fresh_load():
            where = Path(folder) / str(next(copies))
            shutil.copytree(ROOT / "flows", where / "flows")
            shutil.copytree(ROOT / "translations", where / "translations")
            started = time.perf_counter()
            load_content(where / "flows", where / "translations", LANGUAGES)
            return (time.perf_counter() - started) * 1000

        describe("load of the same files in new folders", [fresh_load() for _ in range(5)])
    describe("watch: one look at the files (fingerprint)", timed(publisher.fingerprint, 200))
    describe("hotline check on the shipped scripts", timed(lambda: run_check(ROOT / "flows", ROOT / "translations", LANGUAGES), 5))
    describe("POST /sms, no reload running", replies_while(app, reloading=False))
    describe("POST /sms, reloading back to back meanwhile", replies_while(app, reloading=True))


if __name__ == "__main__":
    main()
