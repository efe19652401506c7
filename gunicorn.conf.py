"""gunicorn's settings for the hotline, read by gunicorn itself from the working directory.

The Procfile stays `web: gunicorn "hotline:create_app()"`; gunicorn finds this file because
it is started from the repository root. The choices below, and why (BENCHMARKS.md and
bench/slow_clients.py have the figures):

- Threaded workers (gthread), three processes of 32 threads each, by default. A sync worker
  reads a request's headers itself, however slowly they come: three connections trickling
  headers held all three sync workers, and real requests timed out (the abuse issue). With
  threads, a slow client holds one thread of 96 and the rest keep answering. Each process
  takes at most `worker_connections` connections, and that is exactly its number of threads:
  a process that took more than it has threads queues the extra connections behind the held
  ones (seen in CI: 50 slow clients, one process full of them, a real request accepted by it
  and left waiting 10 s). At one connection a thread, a process whose threads are all held
  stops accepting and the kernel hands new connections to the others. Idle threads cost nothing;
  the turns themselves still take turns on each interpreter lock, as before.
  (Measured before this change, on the clean path only: 3 sync workers answered as many
  turns as gthread 2 x 4, with a shorter tail. Sync workers are still one setting away,
  GUNICORN_THREADS=1, behind a proxy that buffers whole requests, such as nginx.)
- WEB_CONCURRENCY (set by Heroku and most platforms) decides the number of processes when it
  is set; GUNICORN_THREADS the threads in each.
- forwarded_allow_ips follows HOTLINE_PROXY_HOPS: at 0 (the default) gunicorn trusts no
  X-Forwarded-* header from anyone, 127.0.0.1 included (its own default trusts localhost);
  with proxies in front the app's ProxyFix decides, hop by hop, what to believe.
- Development mode (HOTLINE_DEV) starts only on a loopback address.

No `bind` here: gunicorn's own default listens on $PORT when the platform sets it.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
worker_class = "gthread" if threads > 1 else "sync"
# A process with every thread held by slow clients stops accepting; a few more than the
# threads leave room for Twilio's kept-alive connections.
worker_connections = threads
# A raid arrives all at once: let the kernel hold the queue rather than refuse connections.
backlog = 2048
# Twilio gives a webhook 15 seconds; a worker stuck far past that is restarted.
timeout = 30
# Twilio reuses connections; keep them a little past the default.
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


child_exit = _metrics_worker_gone

_hops = int(os.environ.get("HOTLINE_PROXY_HOPS", "0") or 0)
if _hops > 0:
    forwarded_allow_ips = "*"  # the proxies' addresses are the platform's; ProxyFix counts hops
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}


def on_starting(server):
    """Refuse to start development mode on anything but loopback (it may run unsigned); start
    /metrics from no figures."""
    from hotline.config import check_listen
    from hotline.errors import ConfigError

    dev = os.environ.get("HOTLINE_DEV", "").strip().lower() in ("1", "true", "yes", "on")
    for address in server.cfg.bind:
        try:
            check_listen(address, dev)
        except ConfigError as exc:
            server.log.error("%s", exc)
            raise SystemExit(2) from None
    _metrics_folder_emptied(server)


# --- logging ---------------------------------------------------------------------------------
# One format for gunicorn's records and the app's (hotline/logs.py): HOTLINE_LOG_LEVEL sets the
# level, HOTLINE_LOG_FORMAT=json writes one JSON object a line. The access log names the path
# without its query string: a URL is never where personal data goes, and this keeps it so.
from hotline import logs as _logs  # noqa: E402

logconfig_dict = _logs.logconfig_dict()
loglevel = _logs.settings()[0].lower()
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s bytes %(M)s ms'
