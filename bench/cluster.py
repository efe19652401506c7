"""Two hotline instances behind one address, on a Redis Cluster: errors, and one against two.

    python bench/cluster.py [--callers 600] [--steps 6] [--workers 2] [--concurrency 20]

Starts a private three-master Redis Cluster (tests/private_redis.py, as the tests do), the
hotline under gunicorn (gunicorn.conf.py) with HOTLINE_REDIS_CLUSTER=1 and REDIS_URL naming one
node, and bench/proxy.py, a round-robin TCP proxy on loopback, as the one address. Then the
same kind of SMS traffic as bench/run (bench/traffic.py: distinct callers walking real menus
in every language, signed as Twilio signs them for the proxy's URL), every request once, as
fast as the servers take it: first through the proxy to one instance, then to two (fresh
callers each time). Prints requests/s, latency, errors (HTTP errors, and turns the hotline
logged as degraded or failed) and the usage statistics the runs left, as `hotline stats`
shows them. Both instances run on this machine: the ratio says whether a second instance
adds throughput where cores are free, and proves the two share every caller's state.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench import traffic  # noqa: E402
from bench.run import FAILURE_MARKS, SECRET, TOKEN, Gunicorn, bench_limits, burst, free_port, load_content, preflight, wait_for  # noqa: E402
from private_redis import PrivateCluster  # noqa: E402


def requests_file(path: Path, base_url: str, content, callers: int, steps: int, first: int) -> int:
    walks = traffic.sms_walks(content, callers, steps, seed=first + 7)
    lines = traffic.signed_lines(base_url, TOKEN, traffic.interleaved(traffic.sms_requests(walks, first, first * steps)))
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def run(instances: int, cluster_url: str, work: Path, content, args, first: int) -> dict:
    proxy_port = free_port()
    public = f"http://127.0.0.1:{proxy_port}"
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": cluster_url,
           "HOTLINE_REDIS_CLUSTER": "1", "HOTLINE_RELOAD_SIGNAL": "off", **bench_limits()}
    servers = [Gunicorn("hotline:create_app()", env, ["--workers", str(args.workers)], work / f"hotline-{instances}-{n}.log",
                        public_url=public) for n in range(instances)]
    proxy = subprocess.Popen([sys.executable, str(ROOT / "bench" / "proxy.py"), str(proxy_port),
                              *(str(s.port) for s in servers)])
    try:
        wait_for(proxy_port)
        file = work / f"sms-{instances}.txt"
        count = requests_file(file, public, content, args.callers, args.steps, first)
        preflight(public, file, count=4)
        figures = burst(public, file, concurrency=args.concurrency)
        figures["logged_failures"] = sum(s.failures() for s in servers)
        figures["instances"], figures["workers_each"] = instances, args.workers
        return figures
    finally:
        proxy.terminate()
        proxy.wait(10)
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--callers", type=int, default=600)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers per instance (one: the comparison is instances, not processes)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--out", help="write the figures as JSON here too")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    cluster = PrivateCluster(work / "cluster")
    cluster.start()
    try:
        content = load_content()
        results = {"one": run(1, cluster.url, work, content, args, first=0)}
        results["two"] = run(2, cluster.url, work, content, args, first=args.callers)
        results["two_over_one"] = round(results["two"]["rps"] / results["one"]["rps"], 2)
        from hotline.session.stats import usage_table
        from hotline.session.store import RedisStore

        table = usage_table(RedisStore(cluster.url, 60, 60, timeout=2, cluster=True), days=1)
        results["stats_rows"] = len(table.rows)
        results["stats_suppressed_rows"] = sum(1 for r in table.rows if r.total == "<5")
        for name in ("one", "two"):
            r = results[name]
            print(f"{name} instance(s) x {r['workers_each']} workers: {r['rps']} req/s over {r['requests']} requests, "
                  f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']}, logged failures {r['logged_failures']}")
        print(f"two / one: {results['two_over_one']}")
        print()
        print(table.as_text())
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
