"""A short run of SMS traffic, then what it left: `hotline stats` and the names at /metrics.

    python bench/stats.py [--seconds 20] [--callers 1500] [--steps 6]

Starts a private redis-server and the hotline under gunicorn (gunicorn.conf.py, so /metrics is
prometheus_client's multiprocess mode over every worker) with HOTLINE_METRICS_TOKEN set, replays
bench/traffic.py's SMS walks (distinct callers through real menus in every language, signed as
Twilio signs them) with wrk, then prints wrk's figures, the output of `hotline stats --days 1`
(the real command, against the same Redis: counts below 5 shown as <5) and the metric names
/metrics exposes with their sample counts. Nothing is asserted: these are figures to read.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench import traffic  # noqa: E402
from bench.run import Gunicorn, Redis, SECRET, TOKEN, bench_limits, load_content, preflight, wrk, write_requests  # noqa: E402


def metric_names(url: str, token: str) -> dict[str, list[str]]:
    """Each metric family /metrics serves -> its samples' label sets (histogram buckets folded)."""
    request = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    families: dict[str, list[str]] = {}
    for line in text.splitlines():
        found = re.match(r"# TYPE (\S+) ", line)
        if found:
            families.setdefault(found.group(1), [])
        elif line and not line.startswith("#"):
            name, _, rest = line.partition("{")
            name = name.split(" ")[0]
            labels = re.sub(r'(^|,)le="[^"]*"', "", rest.rsplit("}", 1)[0] if rest else "").strip(",")
            family = next((f for f in families if name == f or name.startswith(f + "_")), name)
            shown = f"{{{labels}}} {line.rsplit(' ', 1)[1]}" if name == family else f"{{{labels}}}"
            if shown not in families.setdefault(family, []) and (name == family or not any(
                    s.startswith(f"{{{labels}}}") for s in families[family])):
                families[family].append(shown)
    return families


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--callers", type=int, default=1500)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk); bench/run installs it")
    work = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    redis = Redis()
    token = secrets.token_urlsafe(24)
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis.url,
           "HOTLINE_METRICS_TOKEN": token, "HOTLINE_RELOAD_SIGNAL": "off", **bench_limits()}
    server = None
    try:
        server = Gunicorn("hotline:create_app()", env, [], work / "hotline.log")
        walks = traffic.sms_walks(load_content(), args.callers, args.steps)
        file = work / "sms.tsv"
        count = write_requests(file, server.url, traffic.interleaved(traffic.sms_requests(walks)))
        preflight(server.url, file)
        print(f"SMS: {args.callers} callers x {args.steps} messages ({count} requests), "
              f"{args.seconds} s at {args.connections} connections ...", flush=True)
        figures = wrk(server.url, file, args.seconds, args.connections, 2, (("app", server.pids),))
        print(f"{figures['requests']} requests, {figures['rps']} req/s, p50 {figures['p50_ms']} ms, "
              f"p99 {figures['p99_ms']} ms, errors {figures['errors']}, logged failures {server.failures()}")
        print("\n$ hotline stats --days 1")
        run_env = dict(os.environ, REDIS_URL=redis.url, PYTHONPATH=str(ROOT))
        run_env.pop("HOTLINE_REDIS_CLUSTER", None)
        shown = subprocess.run([sys.executable, "-m", "hotline.staff.cli", "stats", "--days", "1"], cwd=ROOT,
                               env=run_env, capture_output=True, text=True, timeout=60)
        print(shown.stdout + shown.stderr, end="")
        print("\nGET /metrics (Bearer token): each metric family and its label sets (value for counters)")
        for name, samples in sorted(metric_names(server.url, token).items()):
            print(f"  {name}: {'; '.join(samples) or '(no samples yet)'}")
    finally:
        if server is not None:
            server.stop()
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
