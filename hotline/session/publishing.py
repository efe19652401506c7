"""Publishing: a running hotline picks up edited scripts and catalogs without a restart.

Two triggers, one path:
- a signal, HOTLINE_RELOAD_SIGNAL (SIGHUP unless set otherwise), sent to the serving process;
- HOTLINE_WATCH=1: the flow and catalog files are hashed every HOTLINE_WATCH_INTERVAL seconds,
  and a change is loaded once it has settled (the same hash on two checks in a row, so a copy
  still in progress is not loaded half-done).
Either way the new content is built off to the side by load_content, which checks everything,
and only a Content that loaded whole is published (Switchboard.publish). An invalid change is
logged finding by finding (file:line: reason) and the last good version keeps serving; a
conversation whose node disappeared is taken to the main menu by the engine (Notice "moved").

The signal handler only wakes the publisher's thread: a reload never runs inside a handler,
which could interrupt the main thread while it holds a lock the reload needs (logging's).

Under gunicorn, each worker is a process with its own content and its own publisher: send the
signal to the workers, or let HOTLINE_WATCH find the change in each. gunicorn's master uses
SIGHUP itself, to replace its workers with fresh ones; that also publishes, but a fresh worker
that finds an invalid script cannot start, and gunicorn stops when workers fail to boot.
STAFF.md says which to use when.

With the staff database (HOTLINE_DATABASE_URL), what is live is a revision, not the files: the
publisher is given a `source` (hotline/content/revisions.py, RevisionSource) and looks at the
live revision's id every HOTLINE_LIVE_INTERVAL seconds from this same thread, so a publish in the
console reaches every worker within that time, and a caller's turn makes no extra round trip.
A signal then reloads the live revision.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from hotline.config import Settings
from hotline.content.bundle import folders_digest, load_content
from hotline.errors import CatalogError, ScriptError
from hotline.session.switchboard import Switchboard
from hotline.session import metrics

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, board: Switchboard, settings: Settings, source=None):
        self.board = board
        self.source = source  # the live revision in the database, instead of the files
        self.settings = settings
        self._wake = threading.Event()
        self._stopping = False
        self._reloading = threading.Lock()
        self._starting = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self.signal_name: str | None = None
        self._seen = self.fingerprint()  # the files the serving content came from
        self._pending: str | None = None  # a change seen once, waiting to settle
        self._rejected: str | None = None  # files already refused: logged once, not every poll
        # What /healthz reports (and `hotline publish` waits for): the last reload of this
        # process, and the last one refused, with its findings count (the log has each).
        self.last_reload: dict = {"result": "started", "at": time.time()}
        self.last_rejected: dict | None = None

    # --- what is on disk ----------------------------------------------------------------

    def fingerprint(self) -> str:
        """The flow and catalog files as load_content would read them (bundle.folders_digest)."""
        return folders_digest(self.settings.flows_dir, self.settings.translations_dir, self.settings.languages)

    # --- reloading ----------------------------------------------------------------------

    def reload(self, why: str = "requested") -> bool:
        """Load and check everything; publish it only if it is all good. True when published."""
        with self._reloading:
            files = self.fingerprint()
            serving = self.board.content.version
            try:
                if self.source is not None:
                    content = self.source.load()
                else:
                    content = load_content(self.settings.flows_dir, self.settings.translations_dir,
                                           self.settings.languages)
            except ScriptError as exc:
                self._rejected = files
                self._refused(len(exc.findings), str(exc.findings[0]) if exc.findings else "", serving)
                log.error("reload (%s) rejected: the scripts have %d error(s); still serving version %s",
                          why, len(exc.findings), serving)
                for finding in exc.findings:
                    log.error("  %s", finding)
                metrics.reload(False)
                return False
            except CatalogError as exc:
                self._rejected = files
                problems = str(exc).splitlines()
                self._refused(max(1, len(problems) - 1), problems[-1].strip() if problems else "", serving)
                log.error("reload (%s) rejected: %s; still serving version %s", why, exc, serving)
                metrics.reload(False)
                return False
            except OSError as exc:
                self._refused(1, f"the files could not be read: {exc.strerror or exc}", serving)
                log.error("reload (%s) failed to read the files (%s); still serving version %s", why, exc, serving)
                metrics.reload(False)
                return False
            self.board.publish(content)
            metrics.reload(True)
            self._seen, self._pending = files, None
            self.last_reload = {"result": "published" if content.version != serving else "unchanged",
                                "at": time.time(), "version": content.version}
            if content.version == serving:
                log.info("reload (%s): nothing changed; serving version %s", why, serving)
            else:
                log.info("reload (%s): now serving version %s (was %s) in %s", why, content.version, serving,
                         ", ".join(content.languages.codes))
            return True

    def _refused(self, findings: int, first: str, serving: str) -> None:
        self.last_rejected = {"at": time.time(), "findings": findings, "first": first, "serving": serving}
        self.last_reload = {"result": "rejected", "at": self.last_rejected["at"], "findings": findings}

    def poll_live(self) -> bool | None:
        """One look at the live revision's id. None: it is the one being served."""
        live = self.source.live_id()
        if live is None or live == self.board.content.version or live == self._rejected:
            return None
        published = self.reload(f"revision {live} is live")
        if not published:
            self._rejected = live
        return published

    def poll(self) -> bool | None:
        """One look at the files. None: nothing to do (yet); else whether the change was published."""
        files = self.fingerprint()
        if files == self._seen or files == self._rejected:
            self._pending = None
            return None
        if files != self._pending:
            self._pending = files
            return None
        return self.reload("files changed")

    # --- the thread and the signal ------------------------------------------------------

    def request(self, *_signal_args) -> None:
        """Ask for a reload. Safe in a signal handler: it only sets an event."""
        self._wake.set()

    def ensure_running(self) -> None:
        """Start the thread in this process; again after a fork, since threads do not survive one."""
        if self._pid == os.getpid() or self._stopping:
            return
        with self._starting:
            if self._pid == os.getpid():
                return
            self._thread = threading.Thread(target=self._run, name="hotline-publisher", daemon=True)
            self._thread.start()
            self._pid = os.getpid()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)

    def _run(self) -> None:
        interval = self.settings.watch_interval if self.settings.watch else None
        if self.source is not None:
            interval = self.settings.live_interval
        while not self._stopping:
            woken = self._wake.wait(interval)
            if self._stopping:
                return
            try:
                if woken:
                    self._wake.clear()
                    self.reload(f"signal {self.signal_name}" if self.signal_name else "requested")
                elif self.source is not None:
                    self.poll_live()
                elif self.settings.watch:
                    self.poll()
            except Exception:  # the publisher must outlive any surprise; the old content serves on
                log.exception("reload failed unexpectedly; still serving version %s", self.board.content.version)

    def install_signal(self, name: str):
        """Reload on this signal. Main thread only (Python's rule). Returns the previous handler."""
        previous = signal.signal(getattr(signal, name), self.request)
        self.signal_name = name
        return previous


def init_app(app, board: Switchboard, settings: Settings, source=None) -> Publisher:
    """Called by create_app. Signals are taken only by a server process: not under tests
    (app.testing), and only from the main thread, where Python lets a handler be installed
    (gunicorn loads the app in each worker's main thread; `hotline serve` in its own)."""
    publisher = Publisher(board, settings, source)
    app.extensions["hotline_publisher"] = publisher
    if (settings.reload_signal and hasattr(signal, settings.reload_signal) and not app.testing
            and threading.current_thread() is threading.main_thread()):
        publisher.install_signal(settings.reload_signal)
        log.info("send %s to process %d to reload the scripts and catalogs", settings.reload_signal, os.getpid())
    if settings.watch:
        log.info("watching %s and %s for changes every %gs", settings.flows_dir, settings.translations_dir,
                 settings.watch_interval)
    if source is not None:
        log.info("serving the live revision of the staff database; looking for a new one every %gs",
                 settings.live_interval)
    if settings.watch or publisher.signal_name or source is not None:
        publisher.ensure_running()
        # With gunicorn --preload the app is built before the workers fork: start there too.
        app.before_request(publisher.ensure_running)
    return publisher
