"""The phone line's routes: Twilio's voice webhooks, glue between a call and the switchboard.

    POST /voice              a call comes in (the number's "A call comes in" webhook)
    POST /voice/key          a <Gather> got a key (or words) at a place
    POST /voice/silence      a <Gather> got nothing: ask again, at most twice, then goodbye
    POST /voice/dialed       the volunteer <Dial> ended (DialCallStatus)
    POST /voice/recorded     a voicemail <Record> ended (only when voicemail is on)
    POST /voice/whisper      what a responder hears on answering a report call: "hotline report"
    POST /voice/reported     the responder <Dial> ended
    GET  /voice/recordings/<language>/<clip>.mp3    the recorded audio Twilio <Play>s

The keys go through the same Switchboard.turn as SMS, so a caller's language and place are
shared with the text line. Every POST is signature-checked like /sms, and answers valid TwiML
whatever happens: an error gets the ONA hotline's number and a goodbye, never silence.

Its settings (HOTLINE_NUMBER, HOTLINE_VOICE_MAX_CALL, recordings, volunteers) are read with
all the others in hotline/config.py.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory, url_for
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels import sms
from hotline.channels.voice import (LANGUAGE_MENU, MAX_MISSES, VOLUNTEER, Call, Extras, Filled, Links, Place, PhoneLine,
                                    heard, is_miss)
from hotline.channels.voice.speech import TTS, Recordings, clip_id, menu_key, readiness
from hotline.config import PhoneSettings
from hotline.content.bundle import Content
from hotline.core.engine import ChooseLanguage, Show, Turn
from hotline.reports.service import REPORT_NODE
from hotline.core import contract
from hotline.core.languages import ENGLISH, LANGUAGES
from hotline.web.signatures import twilio_only
from hotline.session.switchboard import Switchboard
from hotline.errors import SendFailed
from hotline.session.callers import withheld
from hotline.session.outbound import Outbound, OutboxSender, Purpose, TwilioTextSender

log = logging.getLogger(__name__)
bp = Blueprint("phone", __name__)


class _Lines:
    """One PhoneLine per content version: rebuilt when a reload publishes new content."""

    def __init__(self, settings: PhoneSettings):
        self.settings = settings
        self.recordings = Recordings(settings.recordings_dir)
        self._line: PhoneLine | None = None

    def line(self, content: Content) -> PhoneLine:
        line = self._line
        if line is None or line.content is not content:
            ready = readiness(content, self.recordings, self.settings.volunteers is not None,
                              self.settings.fallback_referrals)
            line = self._line = PhoneLine(content, self.recordings, ready)
        return line


def init_app(app: Flask) -> None:
    """Check the phone settings against the content, pick the text sender, add the routes.

    Tests put their own PhoneSettings in HOTLINE_PHONE and a fake sender in HOTLINE_TEXT_SENDER.
    Texts go out only through the outbound guard (hotline/session/outbound.py), which
    create_app builds after this from the sender chosen here.
    """
    board: Switchboard = app.extensions["hotline"]
    settings = (app.config.get("HOTLINE_PHONE") or app.config["HOTLINE_SETTINGS"].phone).checked(board.content)
    app.config["HOTLINE_PHONE"] = settings
    if "HOTLINE_TEXT_SENDER" not in app.config:
        hotline = app.config["HOTLINE_SETTINGS"]
        ready = settings.account_sid and hotline.auth_token and settings.hotline_number
        if hotline.outbox_dir:  # development only (Settings refuses it otherwise): files, not texts
            app.config["HOTLINE_TEXT_SENDER"] = OutboxSender(hotline.outbox_dir)
        else:
            app.config["HOTLINE_TEXT_SENDER"] = (TwilioTextSender(
                settings.account_sid, hotline.auth_token, settings.hotline_number, lookup=hotline.lookup)
                if ready else None)
    lines = _Lines(settings)
    app.extensions["hotline_phone"] = lines
    spoken = lines.line(board.content).ready
    log.info("phone line: %s", ", ".join(f"{code} {r.how}" for code, r in spoken.items()))
    app.register_blueprint(bp)


# --- request helpers -------------------------------------------------------------------


def _board() -> Switchboard:
    return current_app.extensions["hotline"]


def _settings() -> PhoneSettings:
    return current_app.config["HOTLINE_PHONE"]


def _line() -> PhoneLine:
    return current_app.extensions["hotline_phone"].line(_board().content)


def _outbound() -> Outbound:
    return current_app.extensions["hotline_outbound"]


def _now() -> dt.datetime:
    clock = current_app.config.get("HOTLINE_CLOCK")  # tests fix the time of day
    return clock() if clock else dt.datetime.now(dt.timezone.utc)


def _caller() -> tuple[str, bool]:
    """The number to key the caller by, and whether a text message could reach it.

    A withheld number ("Anonymous", or a placeholder such as +266696687 that spells a word on
    the keypad) is nobody in particular: such callers are kept apart by their call instead, so
    two of them never share a place in the menus or a language. The CallSid's hex becomes a
    "+0..." number, which no real phone has. Whether a text may go to a real-looking number
    is the outbound guard's to say (spoofed caller ID is the reason there is a guard).
    """
    number = request.form.get("From", "")
    if not withheld(number):
        return number, _Reachable(number)
    sid = request.form.get("CallSid", "")
    try:
        return f"+0{int(sid[2:], 16)}", False
    except ValueError:
        return "+0", False


class _Reachable:
    """Whether the outbound guard would let a text reach this caller, asked only when a menu
    offers one (a language the line cannot speak): reading the number with phonenumbers costs
    about 0.4 ms, and most turns never need the answer. Truthy or falsy, like the bool it is."""

    __slots__ = ("number", "_answer")

    def __init__(self, number: str):
        self.number, self._answer = number, None

    def __bool__(self) -> bool:
        if self._answer is None:
            self._answer = _outbound().can_text_caller(self.number)
        return self._answer


def _turn(number: str, text: str):
    # Idempotency seam: Switchboard.turn is gaining request_id=; a Twilio retry of the same
    # callback (same CallSid, same signed URL) is the id to pass once it exists.
    return _board().turn(number, text, channel="voice").turn


def _extras(line: PhoneLine) -> Extras:
    return Extras(volunteer=_settings().volunteers is not None, languages=len(line.content.languages.codes) > 1)


def _can_text(reachable) -> bool:
    return reachable  # a _Reachable: decided when (and if) the language menu reads it


def _clip_url(code: str, context: str) -> str:
    name = f"{clip_id(context)}.mp3"
    settings = _settings()
    if settings.recordings_url:
        return f"{settings.recordings_url.rstrip('/')}/{code}/{name}"
    base = current_app.config["HOTLINE_SETTINGS"].public_url or request.host_url
    return base.rstrip("/") + url_for("phone.recording", code=code, name=name)


# What Werkzeug leaves unquoted in a built URL's query (werkzeug.urls._urlencode): with it,
# path + "?" + urlencode(...) is exactly what url_for(endpoint, **query) returns, without
# building the route again for every URL of every response.
_QUERY_SAFE = "!$'()*,/:;?@"


def _links() -> Links:
    if current_app.url_map.sort_parameters:  # Werkzeug would reorder the query: let it
        return Links(
            key=lambda call, place: url_for("phone.key", **call.query(), **place.query()),
            silence=lambda call, place: url_for("phone.silence", **call.query(), **place.query()),
            clip=_clip_url,
        )
    key, silence = url_for("phone.key"), url_for("phone.silence")
    return Links(
        key=lambda call, place: f"{key}?{urlencode({**call.query(), **place.query()}, safe=_QUERY_SAFE)}",
        silence=lambda call, place: f"{silence}?{urlencode({**call.query(), **place.query()}, safe=_QUERY_SAFE)}",
        clip=_clip_url,
    )


def _twiml(response: VoiceResponse | Filled) -> Response:
    return Response(str(response), status=200, mimetype="text/xml")


def always_answers(view):
    """Whatever goes wrong, the caller hears the ONA hotline's number and a goodbye."""

    @wraps(view)
    def answered(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception as exc:  # the log gets no number and no words
            log.error("voice turn failed: %s", type(exc).__name__, exc_info=current_app.debug)
            lang = request.args.get("lang", ENGLISH)
            try:
                return _twiml(_line().goodbye(lang if lang in LANGUAGES else ENGLISH, _links(), before=("unavailable",)))
            except Exception:
                response = VoiceResponse()
                response.hangup()
                return _twiml(response)

    return answered


# --- routes ------------------------------------------------------------------------------


@bp.post("/voice")
@twilio_only
@always_answers
def answer() -> Response:
    """A call: straight to the main menu in a remembered language, else the language menu."""
    number, reachable = _caller()
    line, now = _line(), _now()
    call = Call(int(now.timestamp()))
    turn = _turn(number, "0")
    offered = any(isinstance(o, ChooseLanguage) for o in turn.outputs)
    if not offered and not line.spoken(turn.state.lang) and len(line.content.languages.codes) > 1:
        # Their language (chosen by text) cannot be spoken yet: let them choose, or get texts.
        turn = _turn(number, "LANGUAGE")
    return _twiml(line.turn(turn, call, _links(), now, _extras(line), _can_text(reachable)))


@bp.post("/voice/key")
@twilio_only
@always_answers
def key() -> Response:
    line, now, links = _line(), _now(), _links()
    call, place = Call.from_query(request.args, now), Place.from_query(request.args)
    if call.over(now, _settings().max_call_seconds):
        return _twiml(line.goodbye(place.lang, links))
    number, reachable = _caller()
    digits = request.form.get("Digits", "").strip()
    extras = _extras(line)
    if place.at == LANGUAGE_MENU:
        return _language_key(line, number, reachable, digits, call, place, now)
    if place.at == VOLUNTEER:
        if digits == "*":
            return _no_volunteer(line, place.lang, call, now)
        if digits not in ("0", "#"):
            return _missed(line, call, place, now, reachable)
        digits = "0"  # back from the volunteer message is the main menu it came from
    text = digits or heard(request.form.get("SpeechResult", ""), line.choices_at(place, now, extras))
    if place.at == contract.MAIN_MENU and text == "0" and extras.volunteer:
        return _volunteer(line, place.lang, call, now)
    if place.at == contract.MAIN_MENU and text == "#" and extras.languages:
        text = "LANGUAGE"  # the English keyword works in every language
    if not text:
        return _missed(line, call, place, now, reachable)
    turn = _turn(number, text)
    if turn.state.node == REPORT_NODE and _responders(now):
        return _report_call(line, turn.state.lang or place.lang, call)
    if not line.spoken(turn.state.lang) and len(line.content.languages.codes) > 1:
        # The caller's place in the engine was its language list (they had texted LANGUAGE
        # during the call), so the key chose a language the phone cannot speak: offer the
        # phone's own language menu, where such a language is offered by text message.
        turn = _turn(number, "LANGUAGE")
    call = call.missed() if is_miss(turn) else call.answered()
    if call.misses > MAX_MISSES:
        return _twiml(line.goodbye(place.lang, links))
    return _twiml(line.turn(turn, call, links, now, extras, _can_text(reachable)))


@bp.post("/voice/silence")
@twilio_only
@always_answers
def silence() -> Response:
    line, now = _line(), _now()
    call, place = Call.from_query(request.args, now), Place.from_query(request.args)
    if call.over(now, _settings().max_call_seconds):
        return _twiml(line.goodbye(place.lang, _links()))
    return _missed(line, call, place, now, _caller()[1])


@bp.post("/voice/dialed")
@twilio_only
@always_answers
def dialed() -> Response:
    line, now = _line(), _now()
    call, place = Call.from_query(request.args, now), Place.from_query(request.args)
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        return _twiml(line.goodbye(place.lang, _links()))
    return _no_volunteer(line, place.lang, call, now, answered=False)


@bp.post("/voice/recorded")
@twilio_only
@always_answers
def recorded() -> Response:
    # RecordingUrl is in the form; it is deliberately not read: the audio stays in Twilio.
    place = Place.from_query(request.args)
    return _twiml(_line().goodbye(place.lang, _links(), before=("voice_voicemail_thanks",)))


@bp.get("/voice/recordings/<code>/<name>")
def recording(code: str, name: str) -> Response:
    """Recorded clips are public information (the same rights content), so no signature."""
    if code not in LANGUAGES or not name.endswith(".mp3"):
        abort(404)
    return send_from_directory(_settings().recordings_dir / code, name, mimetype="audio/mpeg")


@bp.post("/voice/whisper")
@twilio_only
@always_answers
def whisper() -> Response:
    """Said to the responder who answers, before the caller is put through (English: responders'
    language); nothing about the caller, whose number the responder's phone already shows."""
    response = VoiceResponse()
    response.say("Hotline report.", voice=TTS["en"].voice, language=TTS["en"].language)
    return _twiml(response)


@bp.post("/voice/reported")
@twilio_only
@always_answers
def reported() -> Response:
    line, now = _line(), _now()
    call, place = Call.from_query(request.args, now), Place.from_query(request.args)
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        return _twiml(line.goodbye(place.lang, _links()))
    # Nobody answered: how to report by text instead, then the main menu.
    turn = _turn(_caller()[0], "0")
    turn = Turn((Show(REPORT_NODE),) + turn.outputs, turn.state)
    return _twiml(line.turn(turn, call.answered(), _links(), now, _extras(line), _can_text(_caller()[1])))


# --- the moves behind the routes ---------------------------------------------------------


def _responders(now: dt.datetime) -> tuple[str, ...]:
    """The responders' phones, when they are on shift and the line can ring them."""
    reports = _board().reports
    settings = reports.settings if reports is not None else None
    if settings is None or not _settings().hotline_number or not settings.on_shift(now):
        return ()
    return settings.responders


def _report_call(line: PhoneLine, lang: str, call: Call) -> Response:
    """"Report agents nearby" while responders are on shift: ring them, with a whisper."""
    action = url_for("phone.reported", **call.query(), **Place(contract.MAIN_MENU, lang).query())
    ring = _settings().volunteers.ring_seconds if _settings().volunteers else 20
    _board().count_outcome(lang, "voice", "responders")
    return _twiml(line.ring(lang, _responders(_now()), _settings().hotline_number, ring, action, _links(),
                            message="voice_report_connecting", whisper=url_for("phone.whisper")))



def _missed(line: PhoneLine, call: Call, place: Place, now: dt.datetime, reachable: bool) -> Response:
    call = call.missed()
    if call.misses > MAX_MISSES:
        return _twiml(line.goodbye(place.lang, _links()))
    return _twiml(line.reprompt(place, call, _links(), now, _extras(line), _can_text(reachable)))


def _language_key(line: PhoneLine, number: str, reachable: bool, digits: str, call: Call, place: Place,
                  now: dt.datetime) -> Response:
    links = _links()
    offer = tuple(c for c in (place.offer or line.content.languages.codes) if c in line.content.languages.books)
    if digits == "*":
        return _twiml(line.language_menu(offer, call, links, _can_text(reachable)))
    code = next((c for c in offer if menu_key(c) == digits), None)
    if code is None and digits in ("0", "#"):
        turn = _turn(number, "0")  # back to the main menu, if they already had a language
        if not any(isinstance(o, ChooseLanguage) for o in turn.outputs):
            return _twiml(line.turn(turn, call.answered(), links, now, _extras(line)))
    if code is None or not (line.spoken(code) or _can_text(reachable)):
        return _missed(line, call, place, now, reachable)
    # The engine numbers its language list 1..n; the phone's keys are fixed per language.
    turn = _turn(number, str(offer.index(code) + 1))
    if line.spoken(code):
        return _twiml(line.turn(turn, call.answered(), links, now, _extras(line), _can_text(reachable)))
    # A language the line cannot speak: the same welcome and menu, as a text message. The
    # text conversation goes on from there, in their language.
    # Through the outbound guard: the caller's own number only, an ordinary North American one,
    # never after STOP, once a day, within the line's budget. Refused, the caller hears the
    # ONA number instead of a promise of a text.
    decision = _outbound().send(number, sms.reply_text(line.content, turn, now), Purpose.CALLER_TEXT_OFFER)
    if not decision.ok:
        return _twiml(line.goodbye(code, links, before=("unavailable",)))
    return _twiml(line.goodbye(code, links, before=("voice_sms_sent",)))


def _volunteer(line: PhoneLine, lang: str, call: Call, now: dt.datetime) -> Response:
    volunteers, settings = _settings().volunteers, _settings()
    if not volunteers.on_duty(now):
        return _no_volunteer(line, lang, call, now, answered=None)
    action = url_for("phone.dialed", **call.query(), **Place(VOLUNTEER, lang).query())
    _board().count_outcome(lang, "voice", "volunteer")
    return _twiml(line.ring(lang, volunteers.numbers, settings.hotline_number, volunteers.ring_seconds, action, _links()))


def _no_volunteer(line: PhoneLine, lang: str, call: Call, now: dt.datetime, answered: bool | None = None) -> Response:
    """`answered` False: they were rung and nobody answered; None: decide from the hours."""
    volunteers = _settings().volunteers
    if answered is None:
        answered = False if volunteers.on_duty(now) else None
    why = "voice_volunteer_no_answer" if answered is False else "voice_volunteer_closed"
    voicemail = url_for("phone.recorded", **call.query(), **Place(VOLUNTEER, lang).query()) if volunteers.voicemail else None
    if "ona" in volunteers.referrals:
        _board().count_outcome(lang, "voice", "ona")
    return _twiml(line.no_volunteer(lang, why, volunteers.referrals, call, _links(), now, voicemail))
