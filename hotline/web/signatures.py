"""Only Twilio may talk to the webhooks: every request's X-Twilio-Signature is checked.

The signature covers the exact URL Twilio called (scheme, host, path and query string) plus
the form parameters. Three things about real deployments make the URL the app sees differ:
- A TLS-terminating proxy or load balancer (Heroku's router, Render, nginx): the app sees
  http:// and an inside host. Either set HOTLINE_PUBLIC_URL to the base URL entered in
  Twilio, or set HOTLINE_PROXY_HOPS to the exact number of proxies so Werkzeug's ProxyFix
  takes scheme and host from their X-Forwarded-* headers (and from no one else's).
- The query string: part of the signed URL, kept exactly as it arrived.
- Connection overrides (`https://host/sms#rc=2&ct=1000` in the Twilio console): the fragment
  never reaches the server, so the app is told it with HOTLINE_URL_FRAGMENT; a signature over
  the URL with or without it is accepted (both are Twilio's, neither can be forged).
"""
from __future__ import annotations

import hmac
import logging
import re
from functools import lru_cache, wraps
from typing import Iterator
from urllib.parse import urlparse

from flask import Request, current_app, request
from twilio.request_validator import RequestValidator, add_port, remove_port

from hotline.session import metrics

log = logging.getLogger(__name__)


def url_as_twilio_sees_it(req: Request, public_url: str | None) -> str:
    path = req.script_root + req.path
    if public_url:
        url = public_url.rstrip("/") + req.path
    else:
        url = f"{req.scheme}://{req.host}{path}"
    query = req.query_string.decode("utf-8", "replace")
    return f"{url}?{query}" if query else url


def is_from_twilio(req: Request, token: str, public_url: str | None, fragment: str | None = None) -> bool:
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = url_as_twilio_sees_it(req, public_url)
    candidates = [url, f"{url}#{fragment}"] if fragment else [url]
    validator = _validator(token)
    try:
        params = _Params(req.form.lists())
        return any(hmac.compare_digest(validator.compute_signature(variant, params), signature)
                   for candidate in candidates for variant in port_variants(candidate))
    except (ValueError, TypeError, UnicodeError):  # a malformed URL or header is not Twilio's
        return False


def port_variants(url: str) -> Iterator[str]:
    """The URL as the app sees it, then the same URL with and without its default port.

    Twilio signs the URL it called, and sometimes adds or drops the port while doing so, so
    RequestValidator.validate() accepts either form, but it computes both HMACs every time.
    The URL as seen is the one Twilio signed in all but those odd cases: trying it first
    costs one HMAC per request, and the alternates are computed only when it does not match.
    """
    yield url
    parsed = urlparse(url)
    for variant in (remove_port(parsed), add_port(parsed)):
        if variant != url:
            yield variant


class _Params(dict):
    """The form as name -> every value. RequestValidator asks each parameter for `getall` and
    falls back through two AttributeErrors on anything else (a Werkzeug MultiDict included):
    answering it directly spares two raised exceptions per parameter, every request."""

    def getall(self, name: str) -> list[str]:
        return self[name]


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


# Twilio's identifiers, as Twilio makes them: two letters and 32 hex digits.
_SID = {
    "MessageSid": re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$"),
    "SmsSid": re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$"),
    "SmsMessageSid": re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$"),
    "CallSid": re.compile(r"^CA[0-9a-fA-F]{32}$"),
    "AccountSid": re.compile(r"^AC[0-9a-fA-F]{32}$"),
}
# A phone number in E.164, perhaps behind a channel ("whatsapp:+1..."), or what Twilio sends
# for a withheld caller ID (a word such as "Anonymous"; keypad placeholders are E.164 already).
_NUMBER = re.compile(r"^([a-z]{2,12}:)?\+[1-9][0-9]{1,14}$|^[A-Za-z][A-Za-z ]{0,19}$")
_NUMBERS = ("From", "To", "Caller", "Called")
# Twilio's counts are digits; the same digits with anything after them are a re-cut (an
# unreadable count on its own is only read as none, see intake.media_count).
_COUNT = re.compile(r"^[0-9]+[^0-9]")
_COUNTS = ("NumMedia", "NumSegments")
_SHAPED = {
    "Digits": re.compile(r"^[0-9*#]{0,32}$"),
    **{name: re.compile(r"^[A-Z]{0,20}$") for name in ("FromCountry", "ToCountry", "CallerCountry", "CalledCountry")},
}
# Free-text location fields: a value with one of Twilio's own parameter names inside is a re-cut.
_LOCATION = tuple(f"{who}{what}" for who in ("From", "To", "Caller", "Called") for what in ("City", "State", "Zip"))
_NAMES = ("MessageSid", "AccountSid", "CallSid", "SmsSid", *_COUNTS, "OptOutType", "MessagingServiceSid",
          *_SHAPED, *_LOCATION, "Direction", "CallStatus", "ApiVersion")
# The one identifier each webhook always carries; required wherever signatures are checked.
_REQUIRED = {"/sms": "MessageSid", "/voice": "CallSid"}


def malformed_identifier(path: str, form, signed: bool) -> str | None:
    """The name of a Twilio parameter whose value is not the shape Twilio gives it, else None.

    Twilio's signature joins sorted names and values with no separator, so a captured request
    can be re-cut and still verify: drop `FromCity` and append "FromCityBINGHAMTON" to `From`,
    or let a value swallow the `MessageSid` that follows it to dodge the duplicate check. A
    re-cut value never has the shape of a real one, and a dropped identifier is missing.
    Unknown extra parameters are not looked at: Twilio adds new ones without notice. (Body and
    SpeechResult are a person's words and can be anything; what follows them in Twilio's order,
    From and To, is checked.)
    """
    for name, shape in (*_SID.items(), *_SHAPED.items(), *((n, _NUMBER) for n in _NUMBERS)):
        values = form.getlist(name)
        if len(values) > 1 or (values and not shape.match(values[0])):
            return name
    for name in _COUNTS:
        if _COUNT.match(form.get(name, "")):
            return name
    for name in _LOCATION:
        value = form.get(name)
        if value and any(other in value for other in _NAMES):
            return name
    if signed:
        required = _REQUIRED.get("/voice" if path.startswith("/voice") else path)
        if required and not form.get(required):
            return required
    return None


def twilio_only(view):
    """Refuse (403) any request not signed by Twilio with our auth token, and (400) any whose
    Twilio identifiers are not shaped as Twilio makes them (see malformed_identifier).

    Only in development mode without a token does a request pass unchecked; the app said so
    loudly when it started.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        settings = current_app.config["HOTLINE_SETTINGS"]
        if settings.auth_token:
            # The request itself, not the context-local proxy: the check reads it a dozen times.
            seen = request._get_current_object()  # type: ignore[attr-defined]
            if not is_from_twilio(seen, settings.auth_token, settings.public_url, settings.url_fragment):
                log.warning("refused a request to %s: missing or wrong X-Twilio-Signature", request.path)
                metrics.signature_rejected()
                return "This endpoint only answers requests signed by Twilio.\n", 403, {"Content-Type": "text/plain"}
        elif not settings.dev:  # Settings.checked() makes this impossible; keep it impossible
            return "The hotline has no Twilio auth token configured.\n", 403, {"Content-Type": "text/plain"}
        # Only a form has Twilio's parameters (anything else is refused by the route, 415).
        form = request.mimetype == "application/x-www-form-urlencoded"
        bad = form and malformed_identifier(request.path, request.form, bool(settings.auth_token))
        if bad:
            log.warning("refused a request to %s: %s is not shaped as Twilio makes it", request.path, bad)
            return f"{bad} is not a Twilio identifier.\n", 400, {"Content-Type": "text/plain"}
        return view(*args, **kwargs)

    return checked
