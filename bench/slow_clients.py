"""The default deployment under the abuse issue's load: slow clients, and a hung Redis.

Runs the Procfile's `web:` (gunicorn with gunicorn.conf.py, as deployed) on a loopback port,
against a redis-server of its own (never the shared one), and measures over real sockets:

1. real requests, one at a time: p50 / p99 alone, then with 50 slow-header connections open;
2. throughput (signed SMS turns a second, from --clients concurrent clients for --seconds)
   with Redis up, then with Redis paused (SIGSTOP: connections hang, the timeout case),
   then with Redis back.

    python bench/slow_clients.py [--slow 50] [--requests 200] [--clients 8] [--seconds 10]

Set GUNICORN_THREADS=1 to see the sync workers the deployment had before.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import SECRET, TOKEN  # noqa: E402
from private_gunicorn import Gunicorn, SlowClients, signed_sms  # noqa: E402
from private_redis import PrivateRedis  # noqa: E402

BODIES = ["hi", "1", "2", "BACK", "MENU", "9", "1", "0", "7", "HELP"]


def percentile(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def one_at_a_time(server: Gunicorn, name: str, count: int, start_sid: int) -> None:
    times, failed = [], 0
    for n in range(count):
        status, took = signed_sms(server.base, TOKEN, f"+1607556{n % 50:04d}", BODIES[n % len(BODIES)],
                                  start_sid + n, timeout=15)
        failed += status != 200
        times.append(took)
    print(f"{name:<44} p50 {statistics.median(times) * 1000:7.1f} ms  p99 {percentile(times, 99) * 1000:7.1f} ms  "
          f"worst {max(times) * 1000:7.1f} ms  not answered {failed}/{count}")


def throughput(server: Gunicorn, name: str, clients: int, seconds: float, start_sid: int) -> None:
    done, failed, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds
    times: list[float] = []

    def client(k: int) -> None:
        n = 0
        while time.monotonic() < stop:
            sid = start_sid + k * 10**6 + n
            status, took = signed_sms(server.base, TOKEN, f"+1607557{(k * 97 + n) % 500:04d}",
                                      BODIES[n % len(BODIES)], sid, timeout=15)
            with lock:
                done[0] += 1
                failed[0] += status != 200
                times.append(took)
            n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    print(f"{name:<44} {done[0] / elapsed:7.1f} turns/s  p99 {percentile(times, 99) * 1000:7.1f} ms  "
          f"not 200: {failed[0]} of {done[0]}  ({clients} clients, {elapsed:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        redis = PrivateRedis(Path(folder) / "redis")
        redis.start()
        env = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis.url,
               "HOTLINE_LANGUAGES": "en", "HOTLINE_RELOAD_SIGNAL": "off",
               "HOTLINE_CALLER_LIMIT": str(10**6), "HOTLINE_LINE_LIMIT": str(10**6)}
        for name in ("GUNICORN_THREADS", "WEB_CONCURRENCY"):
            if os.environ.get(name):
                env[name] = os.environ[name]
        server = Gunicorn(env, Path(folder) / "gunicorn.log")
        server.start()
        try:
            print(f"gunicorn: Procfile web, gunicorn.conf.py (GUNICORN_THREADS={env.get('GUNICORN_THREADS', 'default')}), "
                  f"port {server.port}; redis-server port {redis.port}; {os.cpu_count()} cores")
            one_at_a_time(server, "real requests, nothing else", args.requests, 1)
            if args.slow:  # --slow 0 skips this (sync workers would wait out every timeout)
                with SlowClients(server.port, args.slow) as slow:
                    time.sleep(1.5)
                    one_at_a_time(server, f"real requests, {args.slow} slow-header clients open", args.requests, 10**5)
                    print(f"  slow clients still connected at the end: {slow.open()}")
            throughput(server, "throughput, Redis up", args.clients, args.seconds, 10**7)
            redis.pause()
            try:
                throughput(server, "throughput, Redis paused (SIGSTOP)", args.clients, args.seconds, 10**8)
            finally:
                redis.resume()
            time.sleep(1.0)  # the breaker's probe finds Redis again within half a second
            throughput(server, "throughput, Redis back", args.clients, args.seconds, 10**9)
        finally:
            server.stop()
            redis.stop()


if __name__ == "__main__":
    main()
