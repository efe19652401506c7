"""The application factory and what it builds: settings, content, store, switchboard."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask

from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.content.bundle import load_content
from hotline.session.breaker import BreakerStore
from hotline.session.store import MemoryStore, RedisStore, SessionStore
from hotline.session.switchboard import RateLimits, Switchboard

log = logging.getLogger("hotline")


# Twilio's largest webhook (a 1600-character body, ten media URLs, location fields) is a few
# kilobytes; anything far bigger is not Twilio and is refused (413) before it is parsed.
MAX_REQUEST_BYTES = 64 * 1024


def make_store(settings: Settings) -> SessionStore:
    if settings.redis_url:
        # Behind a circuit breaker: a Redis that hangs costs a few timeouts, then none.
        return BreakerStore(RedisStore(settings.redis_url, settings.state_ttl, settings.lang_ttl, settings.redis_timeout,
                                       optout_ttl=settings.optout_ttl, window=settings.rate_window,
                                       cluster=settings.redis_cluster))
    log.warning("REDIS_URL is not set: using the embedded in-process store. State is NOT shared "
                "between processes and is lost on restart; use Redis for anything but a trial.")
    return MemoryStore(settings.state_ttl, settings.lang_ttl, optout_ttl=settings.optout_ttl, window=settings.rate_window)


def revision_source(settings: Settings):
    """The live revision of the staff database (the first start imports the shipped files)."""
    from hotline.content.db import open_database
    from hotline.content.revisions import Revisions, RevisionSource

    revisions = Revisions(open_database(settings.database_url))
    revisions.ensure_live(settings.flows_dir, settings.translations_dir)
    return RevisionSource(revisions, settings.languages)


def make_outbound(settings: Settings, board: Switchboard, config: Mapping[str, Any], injected: bool):
    """The outbound guard and its queue (hotline/session/outbound.py), for every feature that texts.

    The queue: HOTLINE_OUTBOUND_QUEUE in the app config ("rq", "thread" or "direct") if a test
    names one; else a test's own sender is called directly, Redis gets the RQ queue that
    `hotline worker` runs, and the embedded store a background thread.
    """
    from hotline.session import outbound

    sender = config.get("HOTLINE_TEXT_SENDER")
    # RQ keeps a job's keys under names of its own, which a Redis Cluster scatters over slots
    # (RQ supports one server only): on a cluster the texts go through the background thread.
    queued = "rq" if settings.redis_url and not settings.redis_cluster else "thread"
    kind = config.get("HOTLINE_OUTBOUND_QUEUE") or ("direct" if injected else queued)
    if sender is None:
        queue = None
    elif kind == "direct":
        queue = outbound.DirectQueue(sender)
    elif kind == "rq":
        queue = outbound.RQQueue(settings.redis_url, settings.secret, settings.redis_timeout)
    else:
        queue = outbound.ThreadQueue(sender, settings.send_rate)
    if settings.redis_url:
        ledger = outbound.RedisLedger(settings.redis_url, settings.redis_timeout, settings.rate_window,
                                      cluster=settings.redis_cluster)
    else:
        ledger = outbound.MemoryLedger(board.store, settings.rate_window)
    guard = outbound.Outbound(settings.secret, ledger, queue, settings.line_limit)
    phone = config.get("HOTLINE_PHONE")
    if phone is not None and phone.volunteers:
        guard.allow_staff(outbound.Purpose.VOLUNTEER_NOTICE, phone.volunteers.numbers)
    return guard


def build_switchboard(settings: Settings, source=None) -> Switchboard:
    content = None
    if source is not None:
        try:
            content = source.load()
        except HotlineError as exc:
            # The live revision was published under another version of the hotline, and this
            # one cannot serve it (an upgrade that needs new messages, say). Callers must not
            # meet a hotline that does not start: serve the files this version ships with,
            # say so loudly, and let staff publish a revision that loads (the console's check
            # names what is missing). The publisher does not retry the refused revision.
            log.error("the live revision cannot be served by this version of the hotline; serving the "
                      "files in %s until staff publish one that loads: %s", settings.flows_dir, exc)
    if content is None:
        content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    limits = RateLimits(per_caller=settings.caller_limit, per_line=settings.line_limit)
    return Switchboard(content, make_store(settings), settings.secret, limits)


class _GuardedOutbound:
    """The report loop's way out: the one outbound guard (hotline/session/outbound.py), as a
    responder relay, which lets through only the configured responders' numbers."""

    def __init__(self, guard):
        self.guard = guard

    def send(self, to: str, body: str, purpose: str) -> None:
        from hotline.session.outbound import Purpose

        self.guard.send(to, body, Purpose.RESPONDER_RELAY)  # a refusal is logged by its reason


def add_reports(app: Flask, board: Switchboard, flask_config: Mapping[str, Any]) -> None:
    """The verified-report loop (hotline/reports), wired to this app's store and outbound guard.

    Tests may put ReportSettings in HOTLINE_REPORTS and a Dispatch in HOTLINE_REPORT_DISPATCH
    (one that runs the courier at once); otherwise the environment decides and the courier
    runs in a background thread, handing each relay to the guard's queue (RQ with Redis).
    """
    import time

    from hotline.reports.box import MemoryBox, RedisBox
    from hotline.reports.relay import Courier, ThreadDispatch
    from hotline.reports.seal import Seal
    from hotline.reports.service import Reports, check_content
    from hotline.session.outbound import Purpose

    settings = flask_config.get("HOTLINE_REPORTS") or app.config["HOTLINE_SETTINGS"].reports
    box = MemoryBox(board.store) if isinstance(board.store, MemoryStore) else RedisBox(board.store.client)
    guard = app.extensions["hotline_outbound"]
    dispatch = flask_config.get("HOTLINE_REPORT_DISPATCH") or ThreadDispatch()
    courier = None
    if settings is not None:
        guard.allow_staff(Purpose.RESPONDER_RELAY, settings.responders)
        if guard.queue is None:
            log.warning("responders are configured but the hotline cannot send text messages "
                        "(TWILIO_ACCOUNT_SID, HOTLINE_NUMBER, or HOTLINE_OUTBOX in development): reports are refused")
        else:
            courier = Courier(settings, Seal(board.secret), box, _GuardedOutbound(guard), dispatch,
                              lambda: board.content, lambda: board.clock().timestamp() if board.clock else time.time())
    check_content(board.content, settings)
    board.reports = Reports(settings, board.secret, box, courier, dispatch)


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests); otherwise the environment decides.

    Flask-only keys (upper case, e.g. TESTING, HOTLINE_CLOCK) go to app.config.
    """
    _configure_logging()
    flask_config: dict[str, Any] = {}
    if isinstance(config, Settings):
        settings = config
    else:
        overrides = dict(config or {})
        flask_config = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
        settings = Settings.from_env(**overrides)
    if settings.dev:
        log.warning("=" * 70)
        log.warning("DEVELOPMENT MODE (HOTLINE_DEV): %s", "Twilio signatures ARE checked" if settings.auth_token
                    else "Twilio signatures are NOT checked; anyone can post to the webhooks")
        if settings.secret_generated:
            log.warning("DEVELOPMENT MODE: no HOTLINE_SECRET_KEY; a random one is used for this process")
        log.warning("=" * 70)
    source = revision_source(settings) if settings.database_url else None
    board = build_switchboard(settings, source)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config.update(flask_config)
    if settings.proxy_hops:
        # Trust X-Forwarded-Proto/Host/Port/Prefix from exactly this many proxies, so the
        # signature check sees the URL Twilio called. Headers from further out are ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    app.config["HOTLINE_SETTINGS"] = settings
    app.extensions["hotline"] = board

    from hotline.session import publishing
    from hotline.web import sms as webhooks

    publishing.init_app(app, board, settings, source)
    if source is not None:
        app.extensions["hotline_revisions"] = source.revisions

    app.register_blueprint(webhooks.bp)
    if settings.metrics_token:
        from hotline.web import metrics

        metrics.init_app(app, settings.metrics_token)
    from hotline.web.voice import init_app as add_phone_line
    injected = "HOTLINE_TEXT_SENDER" in app.config  # a test's own sender (or None)
    add_phone_line(app)
    app.extensions["hotline_outbound"] = make_outbound(settings, board, app.config, injected)
    if flask_config.get("HOTLINE_CLOCK"):
        board.clock = flask_config["HOTLINE_CLOCK"]
    add_reports(app, board, flask_config)
    log.info("hotline serving scripts %s in %s on the %s store",
             board.content.version, ", ".join(board.content.languages.codes), board.store.name)
    return app


def _configure_logging() -> None:
    """The hotline's one log format (hotline/logs.py), unless something already set logging up:
    gunicorn does, from gunicorn.conf.py, with the same configuration; so does a test run."""
    from hotline import logs
    from hotline.config import ConfigError

    try:
        level, _ = logs.settings()
        if not logging.getLogger().handlers:
            logs.configure()
    except logs.LogSettingError as exc:
        raise ConfigError(str(exc)) from None
