"""How long a caller waits when Redis is up, killed, hung, and back: a figure, not a test.

Starts its own redis-server on a free port (never the shared one), plays signed SMS requests
through the real app (Flask test client, so network time to the app is not counted), and
prints the median and worst response time for each phase, and the Redis round trips per turn.

    python bench/redis_down.py [--requests 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import Twilio, settings_overrides  # noqa: E402
from private_redis import PrivateRedis  # noqa: E402

BODIES = ["hi", "1", "2", "BACK", "MENU", "9", "1", "0", "7", "HELP"]


def phase(twilio, name: str, count: int) -> None:
    times = []
    for n in range(count):
        started = time.perf_counter()
        response = twilio.sms(f"+1607557{n % 50:04d}", BODIES[n % len(BODIES)])
        times.append(time.perf_counter() - started)
        assert response.status_code == 200 and b"<Message>" in response.data, response.data
    print(f"{name:<34} median {statistics.median(times) * 1000:7.1f} ms   worst {max(times) * 1000:7.1f} ms   ({count} requests)")


def round_trips(twilio) -> None:
    from redis.connection import Connection

    sends = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sends.append(command)
        return original(self, command, check_health)

    Connection.send_packed_command = counting
    try:
        for n, body in enumerate(BODIES):
            before = len(sends)
            twilio.sms("+16075579999", body)
            print(f"  turn {n + 1:2} {body!r:8} {len(sends) - before} round trips")
    finally:
        Connection.send_packed_command = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    import logging

    from hotline import create_app

    logging.disable(logging.WARNING)  # one "store unavailable" line per request would drown the figures

    with tempfile.TemporaryDirectory() as folder:
        server = PrivateRedis(Path(folder))
        server.start()
        try:
            config = settings_overrides(redis_url=server.url, caller_limit=10**6, line_limit=10**6)
            config["TESTING"] = True
            twilio = Twilio(create_app(config).test_client())
            phase(twilio, "Redis up", args.requests)
            print("Redis round trips per turn (after warm-up):")
            round_trips(twilio)
            server.kill()
            phase(twilio, "Redis killed (connection refused)", args.requests)
            server.start()
            phase(twilio, "Redis back", args.requests)
            server.pause()
            try:
                phase(twilio, "Redis hung (SIGSTOP)", max(10, args.requests // 10))
            finally:
                server.resume()
            phase(twilio, "Redis back again", args.requests)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
