"""Only Twilio may talk to the webhooks: every request's X-Twilio-Signature is checked.

The signature covers the exact URL Twilio called. Behind a TLS-terminating proxy the app sees
http:// and an inside host name, so every check would fail; HOTLINE_PUBLIC_URL gives the base
URL as Twilio sees it. (Werkzeug's ProxyFix is the alternative, with an exact hop count.)
"""
from __future__ import annotations

import logging
from functools import wraps

from flask import Request, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def url_as_twilio_sees_it(req: Request, public_url: str | None) -> str:
    path = req.script_root + req.path
    if public_url:
        url = public_url.rstrip("/") + req.path
    else:
        url = f"{req.scheme}://{req.host}{path}"
    query = req.query_string.decode("utf-8", "replace")
    return f"{url}?{query}" if query else url


def is_from_twilio(req: Request, token: str, public_url: str | None) -> bool:
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(token).validate(url_as_twilio_sees_it(req, public_url), req.form, signature)


def twilio_only(view):
    """Refuse (403) any request not signed by Twilio with our auth token.

    Only in development mode without a token does a request pass unchecked; the app said so
    loudly when it started.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        settings = current_app.config["HOTLINE_SETTINGS"]
        if settings.auth_token:
            if not is_from_twilio(request, settings.auth_token, settings.public_url):
                log.warning("refused a request to %s: missing or wrong X-Twilio-Signature", request.path)
                return "This endpoint only answers requests signed by Twilio.\n", 403, {"Content-Type": "text/plain"}
        elif not settings.dev:  # Settings.checked() makes this impossible; keep it impossible
            return "The hotline has no Twilio auth token configured.\n", 403, {"Content-Type": "text/plain"}
        return view(*args, **kwargs)

    return checked
