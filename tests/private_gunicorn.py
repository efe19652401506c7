"""The default deployment, for real: the Procfile's web command with gunicorn.conf.py, on a
free loopback port, and clients that talk to it over sockets (signed requests, slow ones).

Used by tests/test_deployment.py and bench/slow_clients.py.
"""
from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from twilio.request_validator import RequestValidator

from private_redis import answers, free_port  # noqa: F401  (free_port re-exported)

ROOT = Path(__file__).resolve().parent.parent


def procfile_command(kind: str = "web") -> list[str]:
    """The Procfile's line for `kind`, with gunicorn run from this interpreter."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            words = shlex.split(command)
            if words[0] == "gunicorn":
                return [sys.executable, "-m", "gunicorn", *words[1:]]
            return words
    raise LookupError(f"no {kind}: line in the Procfile")


class Gunicorn:
    """`web:` from the Procfile; GUNICORN_CMD_ARGS only pins it to a loopback port."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_", "REDIS_URL",
                                                                               "GUNICORN_", "WEB_CONCURRENCY"))}
        # The files, not the checkout's own instance/ database (another test, or a developer's
        # console, may have published something else there); the console tests pass their own.
        self.env["HOTLINE_DATABASE_URL"] = "off"
        self.env.update(env)
        self.env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60) -> None:
        self._out = open(self.log, "wb")
        self.process = subprocess.Popen(procfile_command(), cwd=ROOT, env=self.env, stdout=self._out,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if getattr(self, "_out", None):
            self._out.close()


def signed_sms(base: str, token: str, number: str, body: str, sid: int, signed_url: str | None = None,
               headers: dict | None = None, timeout: float = 10.0) -> tuple[int, float]:
    """POST one signed SMS webhook over a real socket: (status, seconds)."""
    params = {"MessageSid": f"SM{sid:032x}", "AccountSid": "AC" + "0" * 32, "From": number,
              "To": "+16075550199", "Body": body, "NumMedia": "0"}
    url = base + "/sms"
    signature = RequestValidator(token).compute_signature(signed_url or url, params)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature, **(headers or {})})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0  # timed out or refused: the server did not answer
    return status, time.perf_counter() - started


class SlowClients:
    """Connections that send a request line, then one header byte at a time, every `gap` s:
    slowloris, the classic way to hold a worker that reads headers itself."""

    def __init__(self, port: int, count: int, gap: float = 1.0):
        self.port, self.count, self.gap = port, count, gap
        self.sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "SlowClients":
        for _ in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(b"POST /sms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            self.sockets.append(sock)
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        while not self._stop.wait(self.gap):
            for sock in list(self.sockets):
                try:
                    sock.sendall(b"a")
                except OSError:
                    self.sockets.remove(sock)

    def open(self) -> int:
        return len(self.sockets)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        for sock in self.sockets:
            sock.close()
