"""gunicorn's settings for the hotline, read by gunicorn itself from the working directory.

The Procfile stays `web: gunicorn "hotline:create_app()"`; gunicorn finds this file because
it is started from the repository root. The choice below was measured with bench/run on a
2-core machine, Redis on the same machine (BENCHMARKS.md has the figures):

- sync workers, three of them: one more process than cores. A turn is CPU work in Python
  with two short waits for Redis in between; while one process waits, another runs. Threads
  in one process (gthread) overlap those waits too, but they take turns on one interpreter
  lock, and the hand-offs cost more than the waits: gthread 2 x 4 answered no more turns
  than 3 sync workers, with a longer tail (p99 28 ms against 19 ms).
- Where Redis is across a network (a hosted Redis: a millisecond or more per round trip),
  the waits grow and threads start to pay: set GUNICORN_THREADS (e.g. 4) and the workers
  become gthread workers.
- gunicorn's own advice: sync workers belong behind a proxy that buffers slow clients (a
  platform's router, nginx). Served straight from the internet, set GUNICORN_THREADS too, so
  a few slow connections cannot hold every process.
- WEB_CONCURRENCY (set by Heroku and most platforms) decides the number of processes when it
  is set. (Before this file, the Procfile's gunicorn ran its default: one sync worker.)

No `bind` here: gunicorn's own default listens on $PORT when the platform sets it.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A raid arrives all at once: let the kernel hold the queue rather than refuse connections.
backlog = 2048
# Twilio gives a webhook 15 seconds; a worker stuck far past that is restarted.
timeout = 30
# Used by gthread workers only: Twilio reuses connections; keep them a little past the default.
keepalive = 5


# --- /metrics across workers (hotline/web/metrics.py) -----------------------------------------
# Each worker counts in its own process; prometheus_client's multiprocess mode keeps every
# worker's figures in files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them up. The variable
# must be set before any worker imports prometheus_client, so it is set here, when gunicorn reads
# this file, and workers inherit it. Only with HOTLINE_METRICS_TOKEN (no token: nothing counted).
if os.environ.get("HOTLINE_METRICS_TOKEN") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hotline-metrics-")


def _metrics_folder_emptied(server):
    """Files left by a previous run would be added to this one's figures: start from none."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def _metrics_worker_gone(server, worker):
    """A dead worker's gauges are dropped; its counters stay in the sums (as Prometheus expects)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


on_starting = _metrics_folder_emptied
child_exit = _metrics_worker_gone
