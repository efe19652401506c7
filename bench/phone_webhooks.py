"""How long the phone line takes to answer Twilio: prints figures, asserts nothing.

    python bench/phone_webhooks.py [calls]

Walks whole calls (answer, keys, silence, back, main menu) through the Flask test client on
the embedded store with the shipped scripts, and prints the median and 95th percentile time
per webhook. Twilio gives a webhook 15 s in all; the line should answer in milliseconds.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline import create_app  # noqa: E402

KEYS = ["1", "2", "1", "", "#", "0", "7", "3", "*", "0", "9", "1", "0"]


def main(calls: int) -> None:
    import logging

    logging.disable(logging.WARNING)
    client = create_app({"dev": True, "auth_token": None, "redis_url": None}).test_client()
    timings: list[float] = []
    for n in range(calls):
        form = {"From": f"+1607555{n:04d}", "CallSid": f"CA{n:032x}"}
        started = time.perf_counter()
        body = client.post("/voice", data=form).data.decode()
        timings.append(time.perf_counter() - started)
        for key in KEYS:
            if key:
                url = unescape(re.search(r'<Gather action="([^"]+)"', body).group(1))
                data = dict(form, Digits=key)
            else:
                url = unescape(re.search(r"<Redirect[^>]*>([^<]+)</Redirect>", body).group(1))
                data = form
            started = time.perf_counter()
            body = client.post(url, data=data).data.decode()
            timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"{calls} calls, {len(timings)} webhooks")
    print(f"median {statistics.median(timings) * 1000:.2f} ms, p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms, "
          f"max {timings[-1] * 1000:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
