"""A Redis server of our own, on a free port, that a test may kill, pause and restart.

Never the shared server at 6379: other work uses it. The server keeps an append-only file
(fsync on every write) in its own folder, so a restart after SIGKILL comes back with the data
it had, as a production Redis with persistence would.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_cluster_port() -> int:
    """A free port for a cluster node: at most 55535, with port + 10000 (its cluster bus) free too."""
    import random

    for _ in range(200):
        port = random.randint(20000, 55535)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair for a cluster node")


def answers(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    def __init__(self, folder: Path, extra_args: tuple[str, ...] = (), port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder),
             "--protected-mode", "no", "--logfile", str(self.folder / "redis.log"), *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, connections refused."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: the server still accepts connections but answers nothing (a hung host)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class PrivateCluster:
    """A real Redis Cluster of `masters` masters (no replicas) on free ports, for the cluster tests.

    Each node is a PrivateRedis with cluster mode on; `redis-cli --cluster create` spreads the
    16384 slots over them, as an operator would. Nothing is shared with the server at 6379.
    """

    def __init__(self, folder: Path, masters: int = 3):
        self.folder, self.masters = Path(folder), masters
        self.nodes: list[PrivateRedis] = []

    def _new_nodes(self, attempt: int) -> list[PrivateRedis]:
        return [PrivateRedis(self.folder / f"try{attempt}-node{n}", (
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
            "--appendfsync", "no"), port=free_cluster_port()) for n in range(self.masters)]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.nodes[0].port}/0"

    def start(self, attempts: int = 3) -> None:
        """Start the nodes and join them. On a busy machine a join can stall (a bus port taken
        between our check and the server's bind): then start over on fresh ports."""
        for attempt in range(attempts):
            self.nodes = self._new_nodes(attempt)
            try:
                self._join()
                return
            except (RuntimeError, subprocess.SubprocessError):
                self.stop()
                if attempt == attempts - 1:
                    raise

    def _join(self) -> None:
        for node in self.nodes:
            node.start()
        cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"
        subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{n.port}" for n in self.nodes),
                        "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=40)
        deadline = time.monotonic() + 30
        while not all(self._state_ok(n.port, cli) for n in self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the private Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.1)

    @staticmethod
    def _state_ok(port: int, cli: str) -> bool:
        out = subprocess.run([cli, "-p", str(port), "cluster", "info"], capture_output=True, text=True, timeout=10)
        return "cluster_state:ok" in out.stdout

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
