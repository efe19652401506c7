"""How long `hotline check` and building the app take: a fresh process, and again in one.

    python bench/staff_check.py [--runs 3]

Prints figures; asserts nothing (timings belong here, not in unit tests). `hotline check` runs
as staff run it, a new process each time (wall and CPU time: on a shared machine read the CPU
column); the rest runs in one process on the shipped flows and catalogs, all languages,
with no staff database (HOTLINE_DATABASE_URL=off unless set).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def command(runs: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", "x")}
    for n in range(1, runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "hotline.staff.cli", "check"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"hotline check, run {n}: {wall:5.2f} s wall, {cpu:5.2f} s CPU (exit {done.returncode}; "
              f"{done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]})")


def cpu_times(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return times


def in_process(runs: int) -> None:
    os.environ.setdefault("TWILIO_AUTH_TOKEN", "x")
    os.environ.setdefault("HOTLINE_SECRET_KEY", "bench-only-" + "x" * 32)
    os.environ.setdefault("HOTLINE_DATABASE_URL", "off")  # the serving app: files, no staff database
    import logging

    logging.disable(logging.WARNING)  # the app logs what it serves on every build
    from hotline import create_app
    from hotline.content.bundle import load_content
    from hotline.core.languages import LANGUAGES
    from hotline.staff.check import run_check

    os.chdir(ROOT)
    first, *again = cpu_times(lambda: create_app({"TESTING": True}), runs + 1)
    print(f"create_app ({len(LANGUAGES)} languages): first {first:.2f} s CPU (imports included), "
          f"then median {statistics.median(again):.3f} s")
    print(f"load_content: median {statistics.median(cpu_times(lambda: load_content('flows', 'translations'), 5)):.3f} s CPU")
    first, *again = cpu_times(lambda: run_check(ROOT / "flows", ROOT / "translations", LANGUAGES), runs + 1)
    print(f"run_check: first {first:.2f} s CPU, then median {statistics.median(again):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    command(args.runs)
    in_process(args.runs)


if __name__ == "__main__":
    main()
