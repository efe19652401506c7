"""GET /metrics: the hotline's operational figures in Prometheus' text format, for a bearer token.

Only when HOTLINE_METRICS_TOKEN is set: otherwise the route does not exist (404, like any
unknown path) and nothing is recorded. Prometheus scrapes it with
`authorization: {type: Bearer, credentials: <the token>}`. What is counted, and why no label can
carry caller data: hotline/session/metrics.py. Under gunicorn the figures of every worker are
added up from PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it up); without that variable
(`hotline serve`, tests) the one process's own figures are served.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, g, request

from hotline.session import metrics


def init_app(app: Flask, token: str) -> None:
    metrics.enable()
    expected = f"Bearer {token}".encode()

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            # The route's template ("/voice/recordings/<code>/<name>"), never the path itself.
            rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.request(rule, response.status_code, time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def scrape() -> Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return Response("A bearer token is needed.\n", status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = REGISTRY
        return Response(generate_latest(registry), status=200, headers={"Content-Type": CONTENT_TYPE_LATEST})
