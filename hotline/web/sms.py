"""HTTP routes: glue between Twilio's requests and the switchboard. No conversation logic here.

Twilio gives a webhook 15 seconds and treats any error status as a failed message, so these
routes answer 200 with valid TwiML whenever the request really came from Twilio: an
unexpected error is logged (never with the caller's number or words) and the person gets a
short reply with a number to call, not silence.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from hotline.session import intake
from hotline.session.callers import withheld
from hotline.channels import sms
from hotline.core.engine import Notice, State, Turn
from hotline.web.signatures import twilio_only
from hotline.session.switchboard import Switchboard

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


def switchboard() -> Switchboard:
    return current_app.extensions["hotline"]


def now() -> dt.datetime:
    clock = current_app.config.get("HOTLINE_CLOCK")  # tests fix the time of day
    return clock() if clock else dt.datetime.now(dt.timezone.utc)


def twiml(document: str) -> Response:
    return Response(document, status=200, mimetype="text/xml")


FORM = "application/x-www-form-urlencoded"


def unavailable_sms() -> Response:
    board = switchboard()
    return twiml(sms.reply_twiml(board.content, Turn((Notice("unavailable"),), State()), now()))


@bp.post("/sms")
@twilio_only
def sms_webhook() -> Response:
    if request.mimetype != FORM:  # Twilio always posts a form; this is not Twilio
        return Response("Expected a form.\n", status=415, mimetype="text/plain")
    form = request.form
    number = form.get("From", "")
    if not number.strip():
        return Response("Missing From.\n", status=400, mimetype="text/plain")
    board = switchboard()
    try:
        # A withheld number is nobody in particular: a fresh conversation, nothing remembered.
        answer = board.turn(number, form.get("Body", ""), request_id=form.get("MessageSid") or None, channel="sms",
                            opt_out_type=form.get("OptOutType"), media=intake.media_count(form.get("NumMedia")),
                            remember=not withheld(number))
        return twiml(sms.reply_twiml(answer.content or board.content, answer.turn, now()))
    except Exception as exc:  # the person must still get an answer; the log gets no personal data
        log.error("SMS turn failed: %s", type(exc).__name__, exc_info=current_app.debug)
        return unavailable_sms()


@bp.errorhandler(Exception)
def never_a_500(exc: Exception):
    """A request Twilio sent must never get a 500 (Twilio would show the caller nothing).

    HTTP errors (400, 403, 405, 413, 415) go out as they are: those requests are not Twilio's.
    Anything else is logged by type only (its message could quote what the caller sent).
    """
    if isinstance(exc, HTTPException):
        return exc
    log.error("webhook failed before the turn: %s", type(exc).__name__, exc_info=current_app.debug)
    if request.path == "/sms":
        return unavailable_sms()
    return Response("The hotline could not read this request.\n", status=400, mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> Response:
    board = switchboard()
    store_ok = board.store.ping()
    body = {
        "status": "ok" if store_ok else "degraded",
        "store": board.store.name,
        "store_ok": store_ok,
        "version": board.content.version,
        "languages": list(board.content.languages.codes),
        # Which server process answered: `hotline publish` confirms each worker by it.
        "worker": os.getpid(),
    }
    publisher = current_app.extensions.get("hotline_publisher")
    if publisher is not None:
        body["reload"] = publisher.last_reload
        # A refused reload stays visible after it: the version above is then the older one.
        body["last_rejected_reload"] = publisher.last_rejected
    return jsonify(body)
