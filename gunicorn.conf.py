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

# --- logging ---------------------------------------------------------------------------------
# One format for gunicorn's records and the app's (hotline/logs.py): HOTLINE_LOG_LEVEL sets the
# level, HOTLINE_LOG_FORMAT=json writes one JSON object a line. The access log names the path
# without its query string: a URL is never where personal data goes, and this keeps it so.
from hotline import logs as _logs  # noqa: E402

logconfig_dict = _logs.logconfig_dict()
loglevel = _logs.settings()[0].lower()
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s bytes %(M)s ms'
