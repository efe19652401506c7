"""Speed under a raid: the hotline's SMS (and voice) turn against a bare Flask ceiling.

    bench/run                      # or: python bench/run.py --help

On one machine, in one run: a Redis (REDIS_URL, or a private redis-server started here), the
hotline under gunicorn exactly as the Procfile runs it, and bench/bare.py under the same
gunicorn settings. wrk replays requests signed exactly as Twilio signs them, from thousands of
distinct callers walking real menus in every served language. Prints requests/s, latency
percentiles and errors for each, the ratio hotline/bare, Redis bytes per active caller, a
burst of 10,000 new callers, and create_app() start-up time; writes the same as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-auth-token"
SECRET = "bench-secret-key-0123456789abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds}s")


class Redis:
    """The Redis the run uses: REDIS_URL if set, else a private server on a free port."""

    def __init__(self):
        self.process = None
        if os.environ.get("REDIS_URL"):
            self.url = os.environ["REDIS_URL"]
            return
        port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(port)
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(5)


class Gunicorn:
    def __init__(self, app: str, env: dict, workers: int, threads: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, **env, HOTLINE_PUBLIC_URL=self.url, PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "-b", f"127.0.0.1:{self.port}", "-w", str(workers),
             "-k", "gthread", "--threads", str(threads), "--backlog", "2048", "--log-level", "warning",
             "--error-logfile", str(log)],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.port, 60)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


# --- the traffic -------------------------------------------------------------------------


def walks(callers: int, steps: int, seed: int = 7) -> list[list[tuple[str, str]]]:
    """Per caller, a realistic walk: (path, text). Simulated on the real engine so the digits
    sent are the real menu keys of the node the caller is at."""
    from hotline.config import Settings
    from hotline.content import load_content
    from hotline.engine import LANGUAGE_MENU, State, step
    from hotline.flows import contract

    settings = Settings.from_env({}, dev=True)
    content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    rng = random.Random(seed)
    codes = content.languages.codes
    greetings = {}
    for code in codes:
        words = [w for w, langs in content.languages.words.items() if langs == frozenset({code})]
        greetings[code] = words or ["hi"]
    result = []
    for _ in range(callers):
        lang = rng.choice(codes)
        state = State()
        texts = [rng.choice(greetings[lang])]
        state = step(content, state, texts[0]).state
        for _ in range(steps - 1):
            if state.node and state.node.startswith(LANGUAGE_MENU):
                listed = state.node.partition(":")[2]
                options = listed.split(",") if listed else list(codes)
                text = str(rng.randint(1, len(options)))
            else:
                node = content.script.nodes.get(state.node or contract.MAIN_MENU)
                roll = rng.random()
                if roll < 0.05 and len(codes) > 1:
                    text = "LANGUAGE"  # a language switch mid-conversation
                elif roll < 0.12:
                    text = "BACK"
                elif roll < 0.17 or not node.menu:
                    text = "0"
                else:
                    text = str(rng.choice(node.menu).key)
            texts.append(text)
            state = step(content, state, text).state
        result.append([("/sms", t) for t in texts])
    return result


def sms_params(caller: int, sid: int, text: str) -> dict:
    return {"MessageSid": f"SM{sid:032x}", "AccountSid": "AC" + "0" * 32, "From": f"+1607{caller:07d}",
            "To": "+16075550199", "Body": text, "NumMedia": "0", "NumSegments": "1", "FromCountry": "US"}


def write_requests(path: Path, base_url: str, caller_walks: list, first_caller: int, sid_start: int) -> int:
    """Round-robin over callers (step 1 of everyone, then step 2, ...), each request signed."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    sid = sid_start
    lines = []
    longest = max(len(w) for w in caller_walks)
    for index in range(longest):
        for number, walk in enumerate(caller_walks):
            if index >= len(walk):
                continue
            route, text = walk[index]
            params = sms_params(first_caller + number, sid, text)
            sid += 1
            signature = validator.compute_signature(base_url + route, params)
            lines.append(f"{route}\t{urlencode(params)}\t{signature}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


# --- measuring ---------------------------------------------------------------------------


def wrk(url: str, requests_file: Path, seconds: int, connections: int, threads: int) -> dict:
    result = Path(tempfile.mktemp(prefix="wrk-", suffix=".json"))
    env = dict(os.environ, BENCH_REQUESTS=str(requests_file), BENCH_RESULT=str(result),
               BENCH_THREADS=str(threads))
    subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "15s",
                    "-s", str(Path(__file__).with_name("load.lua")), url],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    figures = json.loads(result.read_text())
    result.unlink()
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "requests": figures["requests"], "rps": round(figures["requests"] / seconds_run, 1), "errors": errors,
        "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
    }


def burst(url: str, requests_file: Path, concurrency: int = 50) -> dict:
    """Every request in the file once, `concurrency` at a time, as fast as the server takes
    them: wrk always runs for a fixed duration, so the burst uses an asyncio client that stops
    when the last caller has been answered. Latency includes this client's own overhead."""
    import asyncio

    import aiohttp

    lines = [line.split("\t") for line in requests_file.read_text().splitlines() if line]

    async def run() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        queue = iter(lines)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=15)) as session:
            async def worker():
                nonlocal errors
                for path, body, signature in queue:
                    started = time.perf_counter()
                    try:
                        async with session.post(url + path, data=body, headers={
                                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}) as response:
                            await response.read()
                            if response.status != 200:
                                errors += 1
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        errors += 1
                    latencies.append(time.perf_counter() - started)
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies, errors, time.perf_counter() - started

    latencies, errors, seconds = asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2)

    return {"requests": len(latencies), "seconds": round(seconds, 2), "rps": round(len(latencies) / seconds, 1),
            "errors": errors, "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": round(latencies[-1] * 1000, 2)}


def redis_per_caller(client) -> dict:
    keys = list(client.scan_iter("hl:*", count=1000))
    callers = {k.split(b"}")[0] for k in keys}
    sample = keys[:2000]
    usage = sum(client.memory_usage(k) or 0 for k in sample)
    return {
        "active_callers": len(callers),
        "keys": len(keys),
        "bytes_per_caller_memory_usage": round(usage / max(1, len({k.split(b'}')[0] for k in sample})), 1),
        "used_memory": int(client.info("memory")["used_memory"]),
    }


def create_app_seconds(env: dict, runs: int = 5) -> float:
    code = ("import time; t = time.perf_counter(); from hotline import create_app; create_app(); "
            "print(time.perf_counter() - t)")
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env, PYTHONPATH=str(ROOT)),
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--callers", type=int, default=8000, help="distinct callers in the steady mix")
    parser.add_argument("--steps", type=int, default=8, help="messages per caller")
    parser.add_argument("--burst", type=int, default=10_000, help="new callers in the burst")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (one per core)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn gthread threads per worker")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk); bench/run installs it")

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    redis = Redis()
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis.url}
    env.update(bench_limits())
    results: dict = {"machine": machine(), "settings": vars(args)}
    servers = []
    try:
        results["create_app_s"] = create_app_seconds(env)
        hotline = Gunicorn("hotline:create_app()", env, args.workers, args.threads, work / "hotline.log")
        bare = Gunicorn("bench.bare:app", {}, args.workers, args.threads, work / "bare.log")
        servers = [hotline, bare]
        print(f"generating {args.callers} callers x {args.steps} messages ...", flush=True)
        steady = walks(args.callers, args.steps)
        files = {}
        for name, server in (("hotline", hotline), ("bare", bare)):
            files[name] = work / f"steady-{name}.tsv"
            write_requests(files[name], server.url, steady, first_caller=0, sid_start=0)
        client = redis.client()
        client.flushdb()
        for name, server in (("bare", bare), ("hotline", hotline)):
            wrk(server.url, files[name], 3, args.connections, args.wrk_threads)  # warm-up
        client.flushdb()
        client.memory_purge() if hasattr(client, "memory_purge") else None
        memory_before = int(client.info("memory")["used_memory"])
        results["sms"] = {}
        for name, server in (("bare", bare), ("hotline", hotline)):
            print(f"sms: {name} for {args.seconds}s at {args.connections} connections ...", flush=True)
            results["sms"][name] = wrk(server.url, files[name], args.seconds, args.connections, args.wrk_threads)
        memory = redis_per_caller(client)
        memory["bytes_per_caller_used_memory"] = round((memory["used_memory"] - memory_before) / max(1, memory["active_callers"]), 1)
        results["redis"] = memory
        results["sms"]["ratio"] = round(results["sms"]["hotline"]["rps"] / results["sms"]["bare"]["rps"], 3)

        burst_walks = [[("/sms", "hi")] for _ in range(args.burst)]
        results["burst"] = {}
        for name, server in (("bare", bare), ("hotline", hotline)):
            path = work / f"burst-{name}.tsv"
            write_requests(path, server.url, burst_walks, first_caller=5_000_000, sid_start=10_000_000)
            print(f"burst: {args.burst} new callers to {name} ...", flush=True)
            results["burst"][name] = burst(server.url, path)
    finally:
        for server in servers:
            server.stop()
        redis.stop()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    print(f"\nwritten to {args.out}")


def bench_limits() -> dict:
    """The hotline's per-caller and global rate limits would (rightly) throttle a load test
    that is thousands of callers at once; lift them for the run, and say so."""
    return {"HOTLINE_RATE_GLOBAL_PER_MINUTE": "100000000", "HOTLINE_RATE_CALLER_PER_MINUTE": "100000"}


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def report(r: dict) -> None:
    print(f"\nmachine: {r['machine']['cpus']} cores, Python {r['machine']['python']}, {r['machine']['platform']}")
    s = r["settings"]
    print(f"gunicorn: {s['workers']} workers x {s['threads']} threads (gthread); wrk {s['wrk_threads']} threads, "
          f"{s['connections']} connections, {s['seconds']} s")
    print(f"create_app(): {r['create_app_s'] * 1000:.0f} ms (median of 5)")
    header = f"{'':18}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    for section in ("sms", "voice"):
        if section not in r:
            continue
        print(f"\n{section.upper()} turn\n{header}")
        for name in ("bare", "hotline"):
            f = r[section][name]
            print(f"{name:18}{f['rps']:>10.0f}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['errors']:>8}")
        print(f"{'hotline / bare':18}{r[section]['ratio']:>10.1%}")
    m = r["redis"]
    print(f"\nRedis: {m['active_callers']} active callers, {m['keys']} keys; "
          f"{m['bytes_per_caller_memory_usage']} B/caller (MEMORY USAGE), "
          f"{m['bytes_per_caller_used_memory']} B/caller (used_memory delta)")
    print(f"\nBurst: {s['burst']} new callers, 50 at a time\n{header}{'seconds':>9}")
    for name in ("bare", "hotline"):
        f = r["burst"][name]
        print(f"{name:18}{f['rps']:>10.0f}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['errors']:>8}{f['seconds']:>9.1f}")


if __name__ == "__main__":
    main()
