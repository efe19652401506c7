"""Operational metrics: is the hotline working, and how fast. Nothing about any caller.

Counted with the official `prometheus_client`, served at `/metrics` (hotline/web/metrics.py)
only when HOTLINE_METRICS_TOKEN is set; without it nothing is recorded either (these functions
do nothing), so a hotline nobody watches pays nothing for them. Under gunicorn each worker is
a process of its own: gunicorn.conf.py points PROMETHEUS_MULTIPROC_DIR at a folder, where
prometheus_client's multiprocess mode keeps every worker's figures, and /metrics adds them up.

No label carries caller data: labels are route templates, channels, limit names, results and
error class names, each from a short fixed list. Never a number, a pseudonym, a body, a node.

| metric                                   | labels              | what |
|------------------------------------------|---------------------|------|
| hotline_http_requests_total              | route, status       | requests answered |
| hotline_http_request_duration_seconds    | route               | time to answer (histogram) |
| hotline_degraded_replies_total           | channel             | replies made without the store |
| hotline_store_errors_total               | error, step         | store failures (TimeoutError, ConnectionError, ...) on read or write |
| hotline_signature_rejections_total       |                     | requests refused for a missing or wrong X-Twilio-Signature |
| hotline_rate_limited_total               | limit               | messages and calls held back by the caller's or the line's limit |
| hotline_reloads_total                    | result              | content reloads accepted or rejected |
| hotline_outbound_messages_total          | result              | text messages the line sent itself (sent, failed) |
"""
from __future__ import annotations

_enabled = False
_m: dict = {}

# Twilio waits 15 s; most turns take milliseconds. Buckets from 2.5 ms to Twilio's limit.
BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)
STORE_ERRORS = ("TimeoutError", "ConnectionError", "NoScriptError", "ResponseError")


def enable() -> None:
    """Create the metrics (once per process). Called by the app when HOTLINE_METRICS_TOKEN is set."""
    global _enabled
    if _enabled:
        return
    from prometheus_client import Counter, Histogram

    _m.update(
        requests=Counter("hotline_http_requests", "HTTP requests answered", ["route", "status"]),
        latency=Histogram("hotline_http_request_duration_seconds", "Time to answer a request", ["route"], buckets=BUCKETS),
        degraded=Counter("hotline_degraded_replies", "Replies made without the session store", ["channel"]),
        store=Counter("hotline_store_errors", "Session store failures", ["error", "step"]),
        signature=Counter("hotline_signature_rejections", "Requests refused for a missing or wrong Twilio signature"),
        limited=Counter("hotline_rate_limited", "Messages and calls held back by a rate limit", ["limit"]),
        reloads=Counter("hotline_reloads", "Content reloads", ["result"]),
        outbound=Counter("hotline_outbound_messages", "Text messages the line sent itself", ["result"]),
    )
    _enabled = True


def enabled() -> bool:
    return _enabled


def request(route: str, status: int, seconds: float) -> None:
    if _enabled:
        _m["requests"].labels(route, str(status)).inc()
        _m["latency"].labels(route).observe(seconds)


def degraded(channel: str | None) -> None:
    if _enabled:
        _m["degraded"].labels(channel if channel in ("sms", "voice") else "other").inc()


def store_error(error: str, step: str) -> None:
    if _enabled:
        _m["store"].labels(error if error in STORE_ERRORS else "other", step).inc()


def signature_rejected() -> None:
    if _enabled:
        _m["signature"].inc()


def rate_limited(limit: str) -> None:
    if _enabled:
        _m["limited"].labels(limit).inc()


def reload(accepted: bool) -> None:
    if _enabled:
        _m["reloads"].labels("accepted" if accepted else "rejected").inc()


def outbound(sent: bool) -> None:
    if _enabled:
        _m["outbound"].labels("sent" if sent else "failed").inc()
