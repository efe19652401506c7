"""Speed under a raid: the hotline's SMS and voice turns against a bare Flask ceiling.

    bench/run                      # or: python bench/run.py --help

On one machine, in one run: a Redis (REDIS_URL, or a private redis-server started here), the
hotline under gunicorn exactly as the Procfile runs it (gunicorn.conf.py, read from the
repository root), and bench/bare.py under the same gunicorn settings. wrk replays requests
signed exactly as Twilio signs them (bench/traffic.py): thousands of distinct callers texting
through real menus in every served language, then thousands of calls pressing keys on the
URLs the app itself returned. Prints, for each mix and each app, requests/s, latency
percentiles and errors (HTTP and socket errors, and turns the hotline logged as failed), the
ratio hotline/bare; Redis bytes per active caller; a burst of 10,000 new callers; and
create_app() start-up time. Writes the same as JSON (bench/results.json).

The rate limits (HOTLINE_CALLER_LIMIT, HOTLINE_LINE_LIMIT) are lifted for the run: thousands
of callers replayed in a loop would otherwise, rightly, be told to slow down.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import traffic  # noqa: E402

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

    def pids(self) -> list[int]:
        """The private server's process; none when the run uses someone else's REDIS_URL."""
        return [self.process.pid] if self.process else []

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(5)
            shutil.rmtree(self.dir, ignore_errors=True)


class Gunicorn:
    """One app under gunicorn with the repository's gunicorn.conf.py, the settings the
    Procfile's gunicorn reads too. `overrides` (for comparing worker models) apply to both apps."""

    def __init__(self, app: str, env: dict, overrides: list[str], log: Path, public_url: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        # public_url: the address requests are signed for, when a proxy stands in front (bench/cluster.py)
        full_env = dict(os.environ, **env, HOTLINE_PUBLIC_URL=public_url or self.url, PYTHONPATH=str(ROOT))
        self._log_file = open(log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--config", str(ROOT / "gunicorn.conf.py"),
             "-b", f"127.0.0.1:{self.port}", *overrides],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=self._log_file)
        wait_for(self.port, 60)

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.process.pid, *children_of(self.process.pid)]

    def failures(self) -> int:
        """Turns the app answered without its store or with its error reply (it logs each one)."""
        text = self.log.read_text(errors="replace")
        return sum(text.count(mark) for mark in FAILURE_MARKS)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self._log_file.close()


# What the hotline logs when a turn went wrong but the caller still got an answer: the
# webhook's 200 hides these from the load generator, so they are counted as errors too.
FAILURE_MARKS = ("turn failed", "webhook failed", "session store unavailable", "conflicted")


# --- the traffic -------------------------------------------------------------------------


def load_content():
    from hotline.config import Settings
    from hotline.content.bundle import load_content as load

    settings = Settings.from_env({}, dev=True)
    return load(settings.flows_dir, settings.translations_dir, settings.languages)


def walking_app(public_url: str):
    """The hotline in this process, with its own in-memory store, for placing the voice walks
    (signatures checked against the URL the real server will be called at)."""
    from hotline import create_app

    return create_app({"auth_token": TOKEN, "secret_key": SECRET, "public_url": public_url, "redis_url": None,
                       "dev": False, "caller_limit": 10**9, "line_limit": 10**9, "TESTING": True})


def write_requests(path: Path, base_url: str, requests) -> int:
    lines = traffic.signed_lines(base_url, TOKEN, requests)
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def preflight(url: str, requests_file: Path, count: int = 25) -> None:
    """A few of the file's requests, one at a time: a wrong signature or a broken route shows
    here, not as twenty seconds of errors."""
    import urllib.request

    for line in requests_file.read_text().splitlines()[:count]:
        path, body, signature = line.split("\t")
        request = urllib.request.Request(url + path, data=body.encode(), method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        with urllib.request.urlopen(request, timeout=15) as response:
            if response.status != 200 or not response.read().lstrip().startswith(b"<?xml"):
                raise RuntimeError(f"{url}{path} answered {response.status}, not TwiML")


# --- measuring ---------------------------------------------------------------------------


def wrk(url: str, requests_file: Path, seconds: int, connections: int, threads: int, servers: tuple = ()) -> dict:
    """One measured run. Besides what wrk reports, the CPU time each party spent per request
    (`servers`: name -> process ids, read from /proc before and after): on a shared machine
    requests/s says how much CPU the other work left over, CPU per request what a turn costs."""
    import resource

    result = Path(tempfile.mktemp(prefix="wrk-", suffix=".json"))
    env = dict(os.environ, BENCH_REQUESTS=str(requests_file), BENCH_RESULT=str(result),
               BENCH_THREADS=str(threads))
    before = {name: cpu_seconds(pids()) for name, pids in servers}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "15s",
                    "-s", str(Path(__file__).with_name("load.lua")), url],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = {name: cpu_seconds(pids()) - before[name] for name, pids in servers}
    spent["wrk"] = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    figures = json.loads(result.read_text())
    result.unlink()
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "requests": figures["requests"], "rps": round(figures["requests"] / seconds_run, 1), "errors": errors,
        "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "cpu_us_per_request": {name: round(value / max(1, figures["requests"]) * 1e6, 1) for name, value in spent.items()},
    }


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def burst(url: str, requests_file: Path, seconds: float = 0, concurrency: int = 50) -> dict:
    """Every request in the file once; wrk always runs for a fixed time, so an asyncio client.

    seconds > 0: the requests are spread evenly over that many seconds whatever the server
    does (an open loop: ten thousand people do not wait for each other), and each latency is
    counted from the moment its request was due, so a server that falls behind shows it.
    seconds == 0: as fast as the server takes them, `concurrency` at a time.
    Latency includes this client's own overhead, on the same machine.
    """
    import asyncio

    import aiohttp

    lines = [line.split("\t") for line in requests_file.read_text().splitlines() if line]

    async def run() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(limit=0 if seconds else concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=15)) as session:
            async def post(path: str, body: str, signature: str, due: float) -> None:
                nonlocal errors
                try:
                    async with session.post(url + path, data=body, headers={
                            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                latencies.append(loop.time() - due)

            started = loop.time()
            if seconds:
                interval = seconds / len(lines)

                async def due(index: int, line: list[str]) -> None:
                    at = started + index * interval
                    await asyncio.sleep(max(0.0, at - loop.time()))
                    await post(*line, at)

                await asyncio.gather(*(due(index, line) for index, line in enumerate(lines)))
            else:
                queue = iter(lines)

                async def worker() -> None:
                    for line in queue:
                        await post(*line, loop.time())

                await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies, errors, loop.time() - started

    latencies, errors, elapsed = asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2)

    return {"requests": len(latencies), "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1),
            "errors": errors, "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "max_ms": round(latencies[-1] * 1000, 2)}


def redis_per_caller(client, sample: int = 2000) -> dict:
    """What Redis keeps per active caller: MEMORY USAGE of all of one caller's keys (record,
    language, opt-out), averaged over a sample of callers; the line's own counter is no caller's."""
    keys = list(client.scan_iter("hl:{*", count=1000))
    callers = sorted({key.split(b"}")[0] + b"}" for key in keys})
    sizes = [sum(client.memory_usage(caller + suffix, samples=0) or 0 for suffix in (b":s", b":l", b":o"))
             for caller in callers[:sample]]
    return {
        "active_callers": len(callers),
        "keys": len(keys),
        "bytes_per_caller_memory_usage": round(statistics.mean(sizes), 1) if sizes else 0,
        "bytes_per_caller_memory_usage_max": max(sizes, default=0),
        "used_memory": int(client.info("memory")["used_memory"]),
    }


def create_app_seconds(env: dict, runs: int = 5) -> dict:
    """create_app() in fresh interpreters, median of `runs`: the factory's own work (flows, nine
    catalogs, the phone line, the app) apart from importing Flask, twilio and the rest first,
    which depends on whether Python may cache bytecode (PYTHONDONTWRITEBYTECODE)."""
    code = ("import time; t = time.perf_counter(); import hotline.web.app; i = time.perf_counter(); "
            "from hotline import create_app; create_app(); print(i - t, time.perf_counter() - i)")
    imports, factory = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env, PYTHONPATH=str(ROOT)),
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        first, second = out.strip().splitlines()[-1].split()
        imports.append(float(first))
        factory.append(float(second))
    return {"create_app_s": round(statistics.median(factory), 3), "imports_s": round(statistics.median(imports), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--callers", type=int, default=8000, help="distinct callers in the SMS mix")
    parser.add_argument("--steps", type=int, default=8, help="messages per caller")
    parser.add_argument("--calls", type=int, default=3000, help="distinct callers in the voice mix (one call each)")
    parser.add_argument("--call-steps", type=int, default=8, help="requests per call at most (/voice, then keys)")
    parser.add_argument("--burst", type=int, default=10_000, help="new callers in the burst")
    parser.add_argument("--burst-seconds", type=float, default=60, help="the burst is spread over this many seconds")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--worker-class", help="gunicorn worker class (default: gunicorn.conf.py)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-floor", action="store_true",
                        help="leave out bench/floor.py (signature check and the two Redis round trips, nothing else)")
    parser.add_argument("--keep", action="store_true", help="keep the generated requests and the servers' logs")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    # A plain `kill` must still stop the servers and the private Redis (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk); bench/run installs it")
    overrides = []
    for flag, value in (("--workers", args.workers), ("--threads", args.threads), ("--worker-class", args.worker_class)):
        if value is not None:
            overrides += [flag, str(value)]

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    redis = Redis()
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": redis.url}
    env.update(bench_limits())
    results: dict = {"machine": machine(), "gunicorn": gunicorn_settings(args), "settings": vars(args),
                     "limits_lifted": bench_limits()}
    servers = []
    try:
        results.update(create_app_seconds(env))
        hotline = Gunicorn("hotline:create_app()", env, overrides, work / "hotline.log")
        bare = Gunicorn("bench.bare:app", {}, overrides, work / "bare.log")
        servers = [hotline, bare]
        apps = [("bare", bare), ("hotline", hotline)]
        if not args.skip_floor:
            floor = Gunicorn("bench.floor:app", env, overrides, work / "floor.log")
            servers.append(floor)
            apps.insert(1, ("floor", floor))
        print(f"SMS: {args.callers} callers x {args.steps} messages; voice: {args.calls} calls of up to "
              f"{args.call_steps} requests ...", flush=True)
        content = load_content()
        steady = list(traffic.interleaved(traffic.sms_requests(traffic.sms_walks(content, args.callers, args.steps))))
        calls = list(traffic.interleaved(traffic.voice_walks(walking_app(hotline.url), args.calls, args.call_steps,
                                                             first_caller=1_000_000)))
        files: dict[str, dict[str, Path]] = {"sms": {}, "voice": {}}
        for name, server in apps:
            for mix, requests in (("sms", steady), ("voice", calls)):
                files[mix][name] = work / f"{mix}-{name}.tsv"
                write_requests(files[mix][name], server.url, requests)
                preflight(server.url, files[mix][name])
        client = redis.client()
        client.flushdb()
        for mix in ("sms", "voice"):
            for name, server in apps:
                wrk(server.url, files[mix][name], 3, args.connections, args.wrk_threads)  # warm-up
        for mix in ("sms", "voice"):
            results[mix] = {}
            for name, server in apps:
                # Every app starts from an empty store, and what is kept after the hotline's SMS
                # run is the hotline's alone.
                client.flushdb()
                client.memory_purge()
                memory_before = int(client.info("memory")["used_memory"])
                print(f"{mix}: {name} for {args.seconds}s at {args.connections} connections ...", flush=True)
                failed = server.failures()
                parties = (("app", server.pids), ("redis", redis.pids))
                figures = wrk(server.url, files[mix][name], args.seconds, args.connections, args.wrk_threads, parties)
                figures["app_failures"] = server.failures() - failed
                figures["errors"] += figures["app_failures"]
                results[mix][name] = figures
            results[mix]["ratio"] = round(results[mix]["hotline"]["rps"] / results[mix]["bare"]["rps"], 3)
            # What the ratio would be if these processes had the machine to themselves.
            cost = {name: sum(results[mix][name]["cpu_us_per_request"].values()) for name, _ in apps}
            results[mix]["cpu_ratio"] = round(cost["bare"] / cost["hotline"], 3) if cost["hotline"] else None
            if "floor" in results[mix]:
                results[mix]["floor_ratio"] = round(results[mix]["floor"]["rps"] / results[mix]["bare"]["rps"], 3)
                results[mix]["floor_cpu_ratio"] = round(cost["bare"] / cost["floor"], 3) if cost["floor"] else None
            if mix == "sms":
                memory = redis_per_caller(client)
                memory["bytes_per_caller_used_memory"] = round(
                    (memory["used_memory"] - memory_before) / max(1, memory["active_callers"]), 1)
                results["redis"] = memory

        if not args.skip_burst:
            # Two bursts of new callers: spread over --burst-seconds (the scenario: ten thousand
            # people within a minute), then flat out, 50 at a time (how far past it the line holds).
            for mode, seconds, first in (("burst", args.burst_seconds, 5_000_000), ("burst_flat_out", 0, 6_000_000)):
                burst_requests = traffic.sms_requests([["hi"]] * args.burst, first_caller=first, first_sid=first * 10)
                results[mode] = {}
                for name, server in (("bare", bare), ("hotline", hotline)):
                    path = work / f"{mode}-{name}.tsv"
                    write_requests(path, server.url, traffic.interleaved(burst_requests))
                    print(f"{mode.replace('_', ' ')}: {args.burst} new callers to {name} ...", flush=True)
                    failed = server.failures()
                    figures = burst(server.url, path, seconds)
                    figures["app_failures"] = server.failures() - failed
                    figures["errors"] += figures["app_failures"]
                    results[mode][name] = figures
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        if args.keep:
            print(f"requests and server logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    print(f"\nwritten to {args.out}")


def gunicorn_settings(args) -> dict:
    """The settings both apps ran with: gunicorn.conf.py, then this run's overrides."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    settings = {k: conf[k] for k in ("workers", "worker_class", "threads", "backlog", "timeout", "keepalive") if k in conf}
    for key, value in (("workers", args.workers), ("threads", args.threads), ("worker_class", args.worker_class)):
        if value is not None:
            settings[key] = value
    return settings


def bench_limits() -> dict:
    """The hotline's per-caller and global rate limits would (rightly) throttle a load test
    that is thousands of callers at once; lift them for the run, and say so."""
    return {"HOTLINE_CALLER_LIMIT": "1000000000", "HOTLINE_LINE_LIMIT": "1000000000"}


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import redis as redis_py

    try:
        import hiredis

        parser = f"hiredis {hiredis.__version__}"
    except ImportError:
        parser = "pure Python"
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor() or platform.machine(),
            "python": platform.python_version(), "platform": platform.platform(),
            "redis_py": f"{redis_py.__version__} ({parser} parser)",
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def report(r: dict) -> None:
    m, g, s = r["machine"], r["gunicorn"], r["settings"]
    print(f"\nmachine: {m['cpus']} cores ({m['cpu_model']}), Python {m['python']}, {m['platform']}; "
          f"redis-py {m['redis_py']}; load average at start {m['load_average_at_start']}")
    print(f"gunicorn (both apps): {g.get('workers')} workers x {g.get('threads')} threads ({g.get('worker_class')}); "
          f"wrk {s['wrk_threads']} threads, {s['connections']} connections, {s['seconds']} s")
    print(f"create_app(): {r['create_app_s'] * 1000:.0f} ms (median of 5; importing Flask, twilio and the "
          f"hotline's modules before it: {r['imports_s'] * 1000:.0f} ms)")
    header = f"{'':18}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    for section in ("sms", "voice"):
        if section not in r:
            continue
        print(f"\n{section.upper()} turn\n{header}")
        names = [name for name in ("bare", "floor", "hotline") if name in r[section]]
        for name in names:
            f = r[section][name]
            print(f"{name:18}{f['rps']:>10.0f}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['errors']:>8}")
        print(f"{'hotline / bare':18}{r[section]['ratio']:>10.1%}")
        if "floor_ratio" in r[section]:
            print(f"{'floor / bare':18}{r[section]['floor_ratio']:>10.1%}")
        for name in names:
            cpu = r[section][name].get("cpu_us_per_request", {})
            print(f"  CPU per request, {name}: " + ", ".join(f"{party} {us:.0f} us" for party, us in cpu.items()))
        if r[section].get("cpu_ratio"):
            print(f"  hotline / bare by CPU per request (the ratio on an otherwise idle machine): "
                  f"{r[section]['cpu_ratio']:.1%}" + (f"; floor / bare: {r[section]['floor_cpu_ratio']:.1%}"
                                                     if r[section].get("floor_cpu_ratio") else ""))
    mem = r["redis"]
    print(f"\nRedis: {mem['active_callers']} active callers, {mem['keys']} keys; "
          f"{mem['bytes_per_caller_memory_usage']} B/caller (MEMORY USAGE of its keys; largest "
          f"{mem['bytes_per_caller_memory_usage_max']} B), "
          f"{mem['bytes_per_caller_used_memory']} B/caller (used_memory growth, Redis's own tables included)")
    for mode, title in (("burst", f"{s['burst']} new callers within {s['burst_seconds']:g} s"),
                        ("burst_flat_out", f"{s['burst']} new callers as fast as the server takes them, 50 at a time")):
        if mode in r:
            print(f"\nBurst: {title}\n{header}{'seconds':>9}")
            for name in ("bare", "hotline"):
                f = r[mode][name]
                print(f"{name:18}{f['rps']:>10.0f}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}{f['p99_ms']:>9.2f}"
                      f"{f['errors']:>8}{f['seconds']:>9.1f}")


if __name__ == "__main__":
    main()
