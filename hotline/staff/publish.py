"""`hotline publish`: check the edited content, reload every worker of the running server, confirm.

    1. check   the same check as `hotline check`; any error: nothing is sent (exit 2)
    2. find    the gunicorn master (--pid, --pidfile, or the one gunicorn running here) and its
               workers, from /proc (Linux: a systemd host, a VM; not a platform's router)
    3. signal  each worker, with HOTLINE_RELOAD_SIGNAL (SIGHUP): its publisher reloads in place
               and keeps the old version if the new one does not load (hotline/session/publishing.py).
               Never the master: gunicorn's master takes SIGHUP as "replace every worker", and a
               fresh worker that cannot load the scripts cannot start, so gunicorn, failing to
               boot workers, stops: the hotline would go down.
    4. confirm ask /healthz until every worker (each answers with its pid) serves the version
               checked in step 1, or has refused it (its last_rejected_reload, findings count and
               first finding); exit 0 when all confirm, 1 when any refused or did not answer.

A worker is signalled only once it has answered /healthz: a gunicorn worker still booting has
not yet installed the handler, and the signal would end it.
"""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import click

from hotline.staff import folders as places
from hotline.staff.failures import FindingsFailed, SetupFailed, guarded


# --- the server's processes ---------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(name, parent pid) of a process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, rest = text.split("(", 1)[1].rsplit(")", 1)
    return name, int(rest.split()[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def children(master: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[1] == master:
                found.add(int(entry.name))
    return found


def find_master(pid: int | None, pidfile: str | None) -> int:
    if not Path("/proc/self/stat").exists():
        raise SetupFailed("`hotline publish` finds the server's workers through /proc (Linux); "
                          "elsewhere, use HOTLINE_WATCH=1 (STAFF.md)")
    if pidfile:
        try:
            pid = int(Path(pidfile).read_text().strip())
        except (OSError, ValueError) as exc:
            raise SetupFailed(f"cannot read the server's process id from {pidfile}: {exc}") from None
    if pid is not None:
        if _stat(pid) is None:
            raise SetupFailed(f"there is no process {pid} (is the server running?)")
        if "gunicorn" not in _cmdline(pid):
            raise SetupFailed(f"process {pid} is not gunicorn: give the gunicorn master's process id (--pid)")
        return pid
    masters = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        candidate = int(entry.name)
        stat = _stat(candidate)
        if stat is None or "gunicorn" not in _cmdline(candidate) or "hotline" not in _cmdline(candidate) + _conf(candidate):
            continue
        if "gunicorn" in _cmdline(stat[1]):
            continue  # a worker: its parent is the master
        masters.append(candidate)
    if len(masters) != 1:
        which = f"{len(masters)} gunicorn masters ({', '.join(map(str, masters))})" if masters else "no gunicorn serving the hotline"
        raise SetupFailed(f"found {which} on this machine: say which with --pid PID or --pidfile FILE")
    return masters[0]


def _conf(pid: int) -> str:
    # A master started by the Procfile line has "hotline:create_app()" on its command line;
    # one started another way is recognised by its working directory's gunicorn.conf.py.
    try:
        return "hotline" if (Path(os.readlink(f"/proc/{pid}/cwd")) / "hotline").is_dir() else ""
    except OSError:
        return ""


# --- asking the workers ---------------------------------------------------------------------


def health(url: str, timeout: float = 3.0) -> dict | None:
    try:
        request = urllib.request.Request(url, headers={"Connection": "close"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None


def sample(url: str, count: int) -> list[dict]:
    """`count` /healthz answers asked at once: concurrent requests land on different workers
    (a busy sync worker cannot take the next one), where one at a time may all reach one."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return [answer for answer in pool.map(lambda _: health(url), range(count)) if answer]


@dataclass
class Worker:
    pid: int
    seen: dict | None = None  # its last /healthz answer
    signalled_at: float | None = None
    outcome: str | None = None  # "confirmed", "refused"
    why: str = ""


@dataclass
class Publication:
    version: str
    workers: dict[int, Worker] = field(default_factory=dict)

    def judge(self, answer: dict) -> None:
        worker = self.workers.get(answer.get("worker"))
        if worker is None:
            return
        worker.seen = answer
        if worker.signalled_at is None or worker.outcome:
            return
        reload = answer.get("reload") or {}
        rejected = answer.get("last_rejected_reload") or {}
        if answer.get("version") == self.version and reload.get("at", 0) >= worker.signalled_at:
            worker.outcome = "confirmed"
        elif rejected and rejected.get("at", 0) >= worker.signalled_at:
            worker.outcome = "refused"
            worker.why = (f"refused the new version: {rejected.get('findings')} finding(s), first: "
                          f"{rejected.get('first') or '(see its log)'}; still serving {answer.get('version')}")
        elif reload.get("at", 0) >= worker.signalled_at:
            worker.outcome = "other"
            worker.why = (f"reloaded, but serves version {answer.get('version')}, not {self.version} as checked here: "
                          "does the server read other folders, or other HOTLINE_LANGUAGES?")


def publish(version: str, master: int, url: str, signal_name: str, timeout: float,
            say=click.echo) -> Publication:
    publication = Publication(version)
    signum = getattr(signal, signal_name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = children(master)
        for pid in current - publication.workers.keys():
            publication.workers[pid] = Worker(pid)
        for pid in list(publication.workers):
            if pid not in current and publication.workers[pid].outcome is None:
                # gunicorn replaced it (a timeout, max_requests): its successor loads the files itself
                del publication.workers[pid]
        for answer in sample(url, max(2, 2 * len(publication.workers))):
            publication.judge(answer)
        for worker in publication.workers.values():
            if worker.signalled_at is None and worker.seen is not None:
                worker.signalled_at = time.time()
                try:
                    os.kill(worker.pid, signum)
                except ProcessLookupError:
                    continue
                say(f"  signalled worker {worker.pid} ({signal_name})")
        if publication.workers and all(w.outcome for w in publication.workers.values()):
            break
        time.sleep(0.2)
    return publication


@click.command("publish")
@click.option("--pid", type=int, default=None, help="The gunicorn master's process id (default: the one running the hotline here).")
@click.option("--pidfile", type=click.Path(dir_okay=False), default=None, envvar="HOTLINE_PIDFILE",
              help="Read the master's process id from this file (gunicorn --pid FILE; or HOTLINE_PIDFILE).")
@click.option("--url", default=None, envvar="HOTLINE_HEALTH_URL",
              help="The server's /healthz (default: http://127.0.0.1:$PORT/healthz, port 8000 without PORT).")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds to wait for every worker to confirm.")
@places.options
def command(pid: int | None, pidfile: str | None, url: str | None, timeout: float, flows_dir=None, translations_dir=None) -> None:
    """Check the content, reload every worker of the running server, and confirm each serves it.

    Exit status: 0 every worker serves the new version; 1 a worker refused it or did not
    confirm (each is named, with why); 2 the content has errors (nothing was sent) or no
    server was found.
    """
    from hotline.config import Settings
    from hotline.content.bundle import load_content
    from hotline.staff.check import run_check

    found = places.find(flows_dir, translations_dir)
    click.echo(found.line())
    with guarded():
        settings = Settings.from_env(dev=True, flows_dir=found.flows, translations_dir=found.translations)
    if not settings.reload_signal:
        raise SetupFailed("HOTLINE_RELOAD_SIGNAL is off: the server's workers take no reload signal; "
                          "restart the server, or use HOTLINE_WATCH=1")
    report = run_check(found.flows, found.translations, settings.languages)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        listed = "\n".join(f"  {f.file}:{f.line}: {f.reason}" for f in errors)
        raise SetupFailed(f"not published: `hotline check` found {len(errors)} error(s):\n{listed}")
    with guarded():
        version = load_content(found.flows, found.translations, settings.languages).version
    master = find_master(pid, pidfile)
    url = url or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    click.echo(f"checked: version {version}; reloading the workers of gunicorn {master} ({url})")
    result = publish(version, master, url, settings.reload_signal, timeout)
    if not result.workers:
        raise FindingsFailed(f"gunicorn {master} has no workers answering {url}")
    failed = 0
    for worker in sorted(result.workers.values(), key=lambda w: w.pid):
        if worker.outcome == "confirmed":
            click.secho(f"  worker {worker.pid}: serving {version}", fg="green")
            continue
        failed += 1
        why = worker.why or ("never answered /healthz" if worker.seen is None else
                             f"did not confirm within {timeout:g}s (still serving {worker.seen.get('version')})")
        click.secho(f"  worker {worker.pid}: {why}", fg="red")
    if failed:
        others = "; the others do" if failed < len(result.workers) else ""
        raise FindingsFailed(f"{failed} of {len(result.workers)} worker(s) do not serve version {version}{others}. "
                             "The server's log has each finding.")
    click.secho(f"published version {version} on all {len(result.workers)} worker(s)", fg="green")
