"""The application factory and what it builds: settings, content, store, switchboard."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask

from hotline.config import Settings
from hotline.content.bundle import load_content
from hotline.session.store import MemoryStore, RedisStore, SessionStore
from hotline.session.switchboard import Limits, Switchboard

log = logging.getLogger("hotline")


# Twilio's largest webhook (a 1600-character body, ten media URLs, location fields) is a few
# kilobytes; anything far bigger is not Twilio and is refused (413) before it is parsed.
MAX_REQUEST_BYTES = 64 * 1024


def make_store(settings: Settings) -> SessionStore:
    if settings.redis_url:
        return RedisStore(settings.redis_url, settings.state_ttl, settings.lang_ttl, settings.redis_timeout,
                          optout_ttl=settings.optout_ttl, window=settings.rate_window, cluster=settings.redis_cluster)
    log.warning("REDIS_URL is not set: using the embedded in-process store. State is NOT shared "
                "between processes and is lost on restart; use Redis for anything but a trial.")
    return MemoryStore(settings.state_ttl, settings.lang_ttl, optout_ttl=settings.optout_ttl, window=settings.rate_window)


def build_switchboard(settings: Settings) -> Switchboard:
    content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    limits = Limits(per_caller=settings.caller_limit, per_line=settings.line_limit)
    return Switchboard(content, make_store(settings), settings.secret, limits)


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
    board = build_switchboard(settings)
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

    publishing.init_app(app, board, settings)

    app.register_blueprint(webhooks.bp)
    if settings.metrics_token:
        from hotline.web import metrics

        metrics.init_app(app, settings.metrics_token)
    from hotline.web.voice import init_app as add_phone_line
    add_phone_line(app)
    log.info("hotline serving scripts %s in %s on the %s store",
             board.content.version, ", ".join(board.content.languages.codes), board.store.name)
    return app


def _configure_logging() -> None:
    # gunicorn and `flask run` install their own handlers; give ours a plain one otherwise.
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
