"""Publish to served: how long after a publish every gunicorn worker serves the new revision.

    python bench/console_publish.py [--rounds 5] [--workers 3] [--database-url URL]

Starts the hotline under gunicorn (gunicorn.conf.py, the Procfile's way) on a staff database
of its own (an SQLite file unless --database-url names a PostgreSQL), then publishes a new
revision (and rolls back) as the console does: one row changes; each worker's publisher looks
at it every HOTLINE_LIVE_INTERVAL seconds. It times each from the write to the last worker
logging "now serving version", and checks /healthz. Uses the embedded store: no Redis needed.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.content.db import open_database  # noqa: E402
from hotline.content.editing import set_node  # noqa: E402
from hotline.content.revisions import Revisions  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served(log: Path, version: str) -> list[float]:
    return [dt.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            for line in log.read_text(errors="replace").splitlines() if f"now serving version {version}" in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--interval", default="2", help="HOTLINE_LIVE_INTERVAL")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-publish-"))
    url = args.database_url or f"sqlite:///{work / 'staff.sqlite3'}"
    revisions = Revisions(open_database(url))
    first = revisions.ensure_live(ROOT / "flows", ROOT / "translations")
    port, log = free_port(), work / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "REDIS_URL", "TWILIO_"))}
    env.update(TWILIO_AUTH_TOKEN="bench-token-0123456789", HOTLINE_SECRET_KEY="bench-secret-0123456789abcdefghijklmn",
               HOTLINE_DATABASE_URL=url, HOTLINE_LIVE_INTERVAL=args.interval, WEB_CONCURRENCY=str(args.workers),
               PYTHONPATH=str(ROOT))
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b",
                                   f"127.0.0.1:{port}", "hotline:create_app()"], cwd=ROOT, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if json.load(response)["version"] == first:
                        break
            except OSError:
                time.sleep(0.2)
        base = revisions.live().files
        times = []
        for round_ in range(args.rounds):
            text = set_node(base["flows/main.yaml"], "welcome",
                            {"text": f"Welcome to the hotline (benchmark round {round_} at {time.time():.0f})."})
            new = revisions.add({**base, "flows/main.yaml": text}, by="bench")
            for version in (new.id, first):  # publish, then roll back
                start = time.time()
                revisions.make_live(version, by="bench")
                while len([t for t in served(log, version) if t >= start - 0.5]) < args.workers:
                    time.sleep(0.05)
                times.append(max(t for t in served(log, version) if t >= start - 0.5) - start)
        print(f"publish to served on all {args.workers} workers (HOTLINE_LIVE_INTERVAL={args.interval} s, "
              f"{url.split(':')[0]}): median {statistics.median(times):.2f} s, worst {max(times):.2f} s, "
              f"n={len(times)}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
