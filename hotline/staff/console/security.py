"""The console's session, CSRF and headers.

- The session cookie (Flask's signed cookie) is HttpOnly, SameSite=Strict, Secure outside
  development, and scoped to /staff/: it never travels with a webhook. It holds the account
  id, the sign-in time and the last activity; after IDLE without a request the session ends,
  and after MAX_AGE in any case.
- CSRF: a Flask-WTF token in every form (and the X-CSRFToken header of the page's own fetch),
  checked on every POST to the console.
- Headers: a Content Security Policy with no inline script (scripts only from this app), no
  framing, no referrer, no caching of pages, nosniff; HSTS outside development. No camera, and
  the microphone only on the page that records clips for the phone line.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import abort, g, request, session
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf

IDLE = 15 * 60
MAX_AGE = 12 * 3600

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; media-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# Mermaid writes its SVG's styles in a <style> element: allowed on the diagram page only.
# Styles cannot run code; scripts stay 'self' everywhere.
CSP_DIAGRAM = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def configure(app, settings) -> None:
    if not app.secret_key:
        # Its own key, derived: the caller pseudonym key itself never signs a cookie.
        app.secret_key = hmac.new(settings.secret, b"hotline staff console session", hashlib.sha256).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME="hotline_staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=not settings.dev,
        SESSION_COOKIE_PATH="/staff",
        PERMANENT_SESSION_LIFETIME=MAX_AGE,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which the idle timeout ends
    )
    app.jinja_env.globals["csrf_token"] = generate_csrf


def check_csrf() -> None:
    if request.method in ("POST", "PUT", "DELETE", "PATCH"):
        try:
            validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken", ""))
        except CSRFError:
            abort(400, "This form has expired or did not come from the console; go back, reload it and try again.")
        except Exception:  # noqa: BLE001 - flask_wtf raises ValidationError for a bad token
            abort(400, "This form has expired or did not come from the console; go back, reload it and try again.")


def clock() -> float:
    return time.time()


def current_account_id() -> int | None:
    now = clock()
    account_id = session.get("account")
    if account_id is None:
        return None
    if now - session.get("seen", 0) > IDLE or now - session.get("since", 0) > MAX_AGE:
        session.clear()
        return None
    session["seen"] = now
    return account_id


def start_session(account_id: int) -> None:
    session.clear()  # nothing from before signing in carries over (fixation)
    session.permanent = True
    session.update(account=account_id, since=clock(), seen=clock())


def headers(response, diagram: bool = False, dev: bool = False):
    response.headers["Content-Security-Policy"] = CSP_DIAGRAM if diagram else CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # The microphone only for the recordings page that asks for it (g.microphone), and only this site.
    microphone = "(self)" if g.get("microphone") else "()"
    response.headers["Permissions-Policy"] = f"camera=(), microphone={microphone}, geolocation=(), interest-cohort=()"
    if not request.path.startswith("/staff/static/"):
        response.headers["Cache-Control"] = "no-store"
    if not dev:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
