"""gunicorn's settings for the hotline, read by gunicorn itself from the working directory.

The Procfile stays `web: gunicorn "hotline:create_app()"`; gunicorn finds this file because
it is started from the repository root. The choices below were measured with bench/run on a
2-core machine (BENCHMARKS.md has the figures and why):

- gthread workers: one process per core, a few threads each. A turn spends part of its time
  waiting for Redis (two round trips); a thread that waits lets another request through the
  same process. A sync worker would sit idle through every round trip and close the
  connection after every request.
- WEB_CONCURRENCY (set by Heroku and most platforms) still decides the number of processes
  when it is set; GUNICORN_THREADS the threads in each.

No `bind` here: gunicorn's own default listens on $PORT when the platform sets it.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A raid arrives all at once: let the kernel hold the queue rather than refuse connections.
backlog = 2048
# Twilio gives a webhook 15 seconds; a worker stuck far past that is restarted.
timeout = 30
# Twilio reuses connections; keep them open a little longer than gunicorn's default 2 s.
keepalive = 5
