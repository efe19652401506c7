"""Where a turn's time goes: the benchmark's traffic through the real app, in this process.

    python bench/hotpath.py [--channel sms|voice] [--requests 5000] [--sort tottime] [--top 30]

Builds the app as gunicorn would (create_app, signatures checked, Redis), replays signed
requests by calling the WSGI app directly (no HTTP server, no test client in the way), and
prints: microseconds of CPU per turn, Redis round trips per turn, and a cProfile table. Uses
REDIS_URL if set (its database is flushed), else a private redis-server on a free port.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import traffic  # noqa: E402
from bench.run import SECRET, TOKEN, Redis, bench_limits  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"


def environ_for(path: str, form: dict[str, str], signature: str) -> dict:
    body = urlencode(form).encode()
    parts = urlsplit(path)
    return {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_TWILIO_SIGNATURE": signature, "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def build_app(redis_url: str):
    os.environ.update({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis_url,
                       "HOTLINE_PUBLIC_URL": BASE_URL, **bench_limits()})
    from hotline import create_app

    return create_app()


def requests_for(app, channel: str, count: int) -> list[tuple[str, dict, str]]:
    if channel == "sms":
        content = app.extensions["hotline"].content
        walks = traffic.sms_requests(traffic.sms_walks(content, max(1, count // 8), 8))
    else:
        walks = traffic.voice_walks(app, max(1, count // 8), 8, first_caller=9_000_000)
    requests = list(traffic.interleaved(walks))[:count]
    lines = traffic.signed_lines(BASE_URL, TOKEN, requests)
    return [(path, form, line.rsplit("\t", 1)[1]) for (path, form), line in zip(requests, lines)]


def replay(app, requests) -> list[int]:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(int(status[:3]))

    for path, form, signature in requests:
        for chunk in app(environ_for(path, form, signature), start_response):
            pass
    return statuses


def count_round_trips(app, requests) -> list[int]:
    from redis.connection import Connection

    trips = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        trips[-1] += 1
        return original(self, command, check_health)

    Connection.send_packed_command = counting
    try:
        for request in requests:
            trips.append(0)
            replay(app, [request])
    finally:
        Connection.send_packed_command = original
    return trips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channel", choices=("sms", "voice"), default="sms")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true", help="only time the turns")
    parser.add_argument("--memory-store", action="store_true",
                        help="the embedded store instead of Redis: what the turn costs without the network")
    args = parser.parse_args()
    import logging

    redis = Redis()
    try:
        app = build_app("" if args.memory_store else redis.url)
        logging.getLogger().setLevel(logging.WARNING)
        requests = requests_for(app, args.channel, args.requests)
        client = redis.client()
        client.flushdb()
        replay(app, requests[: len(requests) // 4])  # warm-up
        client.flushdb()
        # In batches, keeping the best: on a shared machine the other work only ever adds time.
        batches, walls, cpus, bad = 10, [], [], 0
        size = max(1, len(requests) // batches)
        for start in range(0, size * batches, size):
            batch = requests[start:start + size]
            started, cpu = time.perf_counter(), time.process_time()
            bad += sum(1 for s in replay(app, batch) if s != 200)
            walls.append((time.perf_counter() - started) / len(batch))
            cpus.append((time.process_time() - cpu) / len(batch))
        print(f"{args.channel}: {size * batches} turns in {batches} batches; best batch {min(walls) * 1e6:.0f} us wall, "
              f"{min(cpus) * 1e6:.0f} us CPU per turn (median {sorted(cpus)[batches // 2] * 1e6:.0f}); {bad} not 200")
        trips = count_round_trips(app, requests[:500])
        print(f"Redis round trips per turn: max {max(trips)}, mean {sum(trips) / len(trips):.2f} "
              f"(over {len(trips)} turns)")
        if not args.no_profile:
            client.flushdb()
            profiler = cProfile.Profile()
            profiler.runcall(replay, app, requests)
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
