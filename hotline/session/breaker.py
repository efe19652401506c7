"""A circuit breaker around the session store: a hung Redis costs a few timeouts, not every turn.

Each Redis call waits at most HOTLINE_REDIS_TIMEOUT (0.25 s) and the turn is then answered
without memory. That is right for one lost packet, wrong for a Redis that hangs for minutes
(a paused VM, a failover, a network partition during a raid): every turn would wait the full
timeout, and three workers would answer about 12 requests a second. So, after THRESHOLD
consecutive failures the store is skipped (StoreUnavailable at once, the same degraded answer
without the wait) and a background thread pings it every PROBE_INTERVAL; the first answer
closes the circuit and turns use the store again. /healthz pings through an open circuit too,
so a health check also brings it back.

It wraps any SessionStore from outside (the stores themselves stay as they are), one per
process: each worker finds out for itself.
"""
from __future__ import annotations

import logging
import threading
import time

from hotline.errors import StoreUnavailable

log = logging.getLogger(__name__)

THRESHOLD = 3  # consecutive failures that open the circuit
PROBE_INTERVAL = 0.5  # seconds between background pings while it is open


class BreakerStore:
    """A SessionStore that stops calling a store which keeps failing, until it answers again."""

    def __init__(self, store, threshold: int = THRESHOLD, probe_interval: float = PROBE_INTERVAL):
        self.store, self.threshold, self.probe_interval = store, threshold, probe_interval
        self.name = store.name
        self._failures = 0
        self._open = False
        self._lock = threading.Lock()
        self._prober: threading.Thread | None = None
        self.skipped = 0  # calls answered at once while open (tests, figures)

    @property
    def open(self) -> bool:
        return self._open

    def _call(self, method, *args):
        if self._open:
            self.skipped += 1
            raise StoreUnavailable("circuit open")
        try:
            result = method(*args)
        except StoreUnavailable:
            self._failed()
            raise
        self._failures = 0
        return result

    def _failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures < self.threshold or self._open:
                return
            self._open = True
            log.warning("session store failed %d times in a row: skipping it, probing every %.1f s",
                        self._failures, self.probe_interval)
            self._prober = threading.Thread(target=self._probe, name="hotline-store-probe", daemon=True)
            self._prober.start()

    def _close(self) -> None:
        with self._lock:
            if self._open:
                log.warning("session store answers again: using it")
            self._open, self._failures = False, 0

    def _probe(self) -> None:
        while self._open:
            time.sleep(self.probe_interval)
            if self.store.ping():
                self._close()

    # --- the SessionStore contract ---

    def read(self, caller):
        return self._call(self.store.read, caller)

    def write(self, caller, seen, change):
        return self._call(self.store.write, caller, seen, change)

    def forget(self, caller):
        return self._call(self.store.forget, caller)

    def count(self, counts, day: str = ""):
        return self._call(self.store.count, counts, day)

    def stats(self, days):
        """Read for staff (`hotline stats`, the console): through, even while open."""
        return self.store.stats(days)

    def ping(self) -> bool:
        """A real ping, even while open (a health check is worth a timeout), and it closes the circuit."""
        answered = self.store.ping()
        if answered and self._open:
            self._close()
        return answered

    def entries(self):
        return self.store.entries()

    def __getattr__(self, name):  # the wrapped store's own extras (a Redis client, its TTLs)
        if name == "store":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.store, name)
