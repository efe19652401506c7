"""The store's own cost: one turn's read and write, in-process, against a private Redis.

bench/run measures the whole hotline under gunicorn; this isolates RedisStore.read + write
(the two round trips of a turn), so a change to the store shows up without the noise of the
rest. Starts its own redis-server on a free port (never the shared one); with
--cluster-url it also measures the same turn on a Redis Cluster (HOTLINE_REDIS_CLUSTER=1).

    python bench/store.py [--turns 20000] [--cluster-url redis://127.0.0.1:PORT]
"""
from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from private_redis import PrivateRedis  # noqa: E402

from hotline.session.store import Change, RedisStore  # noqa: E402

RECORD = b"= = Abc|"


def change(counted: bool) -> Change:
    extra = {}
    if counted and "counts" in inspect.signature(Change).parameters:
        # What a turn showing one page counts: the page, in its language and channel.
        extra["counts"] = (("v|en|sms|door", 1),)
    return Change(session=RECORD, lang="en", replied=True, **extra)


def measure(store: RedisStore, turns: int, counted: bool) -> dict:
    callers = [f"caller{n}" for n in range(500)]
    one = change(counted)
    for caller in callers[:50]:  # connect, load the scripts
        store.write(caller, store.read(caller), one)
    samples = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for n in range(turns):
        caller = callers[n % len(callers)]
        started = time.perf_counter()
        seen = store.read(caller)
        store.write(caller, seen, one)
        samples.append(time.perf_counter() - started)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    samples.sort()
    return {"turns/s": round(turns / wall), "client CPU us/turn": round(cpu / turns * 1e6, 1),
            "median us": round(statistics.median(samples) * 1e6), "p99 us": round(samples[int(len(samples) * 0.99)] * 1e6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=20000)
    parser.add_argument("--cluster-url", help="a Redis Cluster node: measure the cluster store too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = PrivateRedis(Path(folder))
        server.start()
        try:
            store = RedisStore(server.url, state_ttl=3600, lang_ttl=3600, timeout=2)
            print("single server, a turn without counters:", measure(store, args.turns, False))
            print("single server, a turn with a page count:", measure(store, args.turns, True))
        finally:
            server.stop()
    if args.cluster_url:
        store = RedisStore(args.cluster_url, state_ttl=3600, lang_ttl=3600, timeout=2, cluster=True)
        print("cluster, a turn with a page count:", measure(store, args.turns, True))


if __name__ == "__main__":
    main()
