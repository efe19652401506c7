"""The phone line's routes: Twilio's voice webhooks, glue between a call and the switchboard.

    POST /voice              a call comes in (the number's "A call comes in" webhook)
    POST /voice/key          a <Gather> got a key (or words) at a place
    POST /voice/silence      a <Gather> got nothing: ask again, at most twice, then goodbye
    POST /voice/dialed       a <Dial> ended (DialCallStatus): to the volunteers or the ONA hotline
    POST /voice/whisper      a volunteer answered: "press 1 to take the call", before joining
    POST /voice/recorded     a voicemail <Record> ended (only when voicemail is on)
    POST /voice/voicemail-ready   Twilio's recordingStatusCallback: the on-call volunteers get a text
    POST /voice/report-whisper    what a responder hears on answering a report call: "hotline report"
    POST /voice/reported     the responder <Dial> ended
    GET  /voice/recordings/<language>/<clip>.mp3    the recorded audio Twilio <Play>s

The keys go through the same engine as SMS (Switchboard.placed); the call's own place travels
in one sealed token per URL (hotline/channels/voice/token.py), so only the language is shared
with the text line. Every POST is signature-checked like /sms, and answers valid TwiML
whatever happens: an error gets the ONA hotline's number and a goodbye, never silence.

Its settings (HOTLINE_NUMBER, HOTLINE_VOICE_MAX_CALL, recordings, volunteers) are read with
all the others in hotline/config.py.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from functools import wraps

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory, url_for
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels import sms
from hotline.channels.voice import (LANGUAGE_MENU, ONA_PLACE, VOLUNTEER, Call, Extras, Filled, Links, CallPlace, PhoneLine,
                                    heard, is_miss, pack, unpack)
from hotline.channels.voice.token import Sealer
from hotline.channels.voice.clips import Shelf
from hotline.channels.voice.speech import TTS, clip_id, menu_key, readiness
from hotline.config import PhoneSettings
from hotline.content.bundle import Content
from hotline.core.engine import Show, State, Turn
from hotline.reports.service import REPORT_NODE
from hotline.core import contract
from hotline.core.languages import ENGLISH, LANGUAGES
from hotline.web.signatures import twilio_only
from hotline.session.switchboard import Switchboard
from hotline.session.callers import withheld
from hotline.session.outbound import Outbound, OutboxSender, Purpose, TwilioTextSender

log = logging.getLogger(__name__)
bp = Blueprint("phone", __name__)


class _Lines:
    """One PhoneLine per content version: rebuilt when a reload publishes new content."""

    def __init__(self, settings: PhoneSettings, secret: str):
        self.settings = settings
        self.sealer = Sealer(secret)
        self.paths: dict[str, dict[str, str]] = {}  # mount point -> route -> path
        self._line: PhoneLine | None = None

    def line(self, content: Content) -> PhoneLine:
        line = self._line
        if line is None or line.content is not content:
            volunteers, referrals = self.settings.volunteers is not None, self.settings.fallback_referrals
            # The recordings folder, and the published revision's approved clips (clips.Shelf).
            recordings = Shelf.of(self.settings.recordings_dir, content, volunteers, referrals)
            ready = readiness(content, recordings, volunteers, referrals)
            line = self._line = PhoneLine(content, recordings, ready)
            # Content gaps once per version, here, never per call: a language and a time
            # per caller in the log would say who called in what language.
            for code, how in ready.items():
                if how.missing:
                    log.info("phone line: %s has %d recordings still to make (hotline check lists them)",
                             code, len(how.missing))
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
    lines = _Lines(settings, app.config["HOTLINE_SETTINGS"].secret_key)
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
    two of them never share a language. The CallSid's hex becomes a "+0..." number, which no
    real phone has. Whether a text may go to a real-looking number is the outbound guard's to
    say (spoofed caller ID is the reason there is a guard).
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


def _sealer() -> Sealer:
    return current_app.extensions["hotline_phone"].sealer


def _extras(line: PhoneLine) -> Extras:
    return Extras(volunteer=_settings().volunteers is not None, languages=len(line.content.languages.codes) > 1,
                  max_call=_settings().max_call_seconds)


def _can_text(reachable) -> bool:
    return reachable  # a _Reachable: decided when (and if) the language menu reads it


def _clip_url(code: str, context: str) -> str:
    name = f"{clip_id(context)}.mp3"
    settings = _settings()
    version = _line().recordings.version(code, clip_id(context))
    if version is not None:
        # A clip published in the console: served by the app from its revision, the take's
        # hash in the URL so that Twilio never plays a cached older take.
        base = current_app.config["HOTLINE_SETTINGS"].public_url or request.host_url
        return base.rstrip("/") + url_for("phone.recording", code=code, name=name, v=version)
    if settings.recordings_url:
        return f"{settings.recordings_url.rstrip('/')}/{code}/{name}"
    base = current_app.config["HOTLINE_SETTINGS"].public_url or request.host_url
    return base.rstrip("/") + url_for("phone.recording", code=code, name=name)


def _links() -> Links:
    """Every follow-up URL is a route and one opaque token (`?s=`): nothing readable in it."""
    sealer = _sealer()
    paths = _paths(request.script_root)

    def to(name: str):
        return lambda call, place: f"{paths[name]}?s={sealer.seal(pack(call, place))}"

    return Links(key=to("key"), silence=to("silence"), clip=_clip_url, dialed=to("dialed"), whisper=to("whisper"),
                 recorded=to("recorded"), voicemail_ready=lambda: url_for("phone.voicemail_ready"))


_ROUTES = ("key", "silence", "dialed", "whisper", "recorded", "reported")


def _paths(root: str) -> dict[str, str]:
    """The routes' paths under this mount point, built once (url_for on every turn costs
    more than the rest of a key press)."""
    lines = current_app.extensions["hotline_phone"]
    paths = lines.paths.get(root)
    if paths is None:
        paths = lines.paths[root] = {name: url_for(f"phone.{name}") for name in _ROUTES}
    return paths


def _opened(now: dt.datetime) -> tuple[Call, CallPlace]:
    """The call and place of this callback's token. Twilio signed the URL, so a token that
    does not open means a URL from before a change of secret: start again at the main menu."""
    raw = _sealer().open(request.args.get("s", ""))
    opened = unpack(raw) if raw is not None else None
    if opened is None:
        return Call(int(now.timestamp())), CallPlace(contract.MAIN_MENU, ENGLISH)
    return opened


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
            try:
                _, place = _opened(_now())
                lang = place.lang if place.lang in LANGUAGES else ENGLISH
                return _twiml(_line().goodbye(lang, _links(), before=("unavailable",)))
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
    seen = _board().remembered(number)
    if _board().calls_too_often(seen):
        # Not picked up: the caller hears a busy tone, and Twilio bills no rejected call.
        response = VoiceResponse()
        response.reject(reason="busy")
        return _twiml(response)
    lang = seen.lang if seen is not None else None
    if lang and lang in line.content.languages.books and not line.speaks(lang) \
            and len(line.content.languages.codes) > 1:
        turn = _board().placed(number, State(node=contract.MAIN_MENU, lang=lang), "0", seen).turn
        if not line.missing_clips(turn, now):  # its main menu is recorded: play it
            return _twiml(line.turn(turn, call, _links(), now, _extras(line), _can_text(reachable)))
        # Their language (chosen by text) cannot be spoken: what exists for it, at once.
        return _unspoken(line, number, reachable, lang, call, now, State(lang=lang))
    # A caller who has a language already heard the welcome once: straight to the main menu.
    # A new caller: the language menu (the engine's language keyword; its first-text rules
    # are for texts, which carry words to guess a language from).
    if lang:
        turn = _board().placed(number, State(node=contract.MAIN_MENU, lang=lang), "0", seen).turn
    else:
        turn = _board().placed(number, State(), "LANGUAGE", seen).turn
    return _twiml(line.turn(turn, call, _links(), now, _extras(line), _can_text(reachable)))


@bp.post("/voice/key")
@twilio_only
@always_answers
def key() -> Response:
    line, now, links = _line(), _now(), _links()
    call, place = _opened(now)
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
    speech = request.form.get("SpeechResult", "")
    matched = True
    if digits:
        text = digits
    else:
        text, matched = heard(speech, line.choices_at(place, now, extras))
    first, rest = line.halves(place.at)
    if rest and (text == line.more_key(place.at) and not place.more or text == "*" and place.more):
        return _twiml(line.more(place, call, links, now, extras))
    if rest and place.more and text == "#":
        text = "*"  # back from the second half of a menu is its first half
    if place.at == contract.MAIN_MENU and text == "0" and extras.volunteer:
        return _volunteer(line, place.lang, call, now)
    if place.at == contract.MAIN_MENU and text == "#" and extras.languages and not place.more:
        text = "LANGUAGE"  # the English keyword works in every language
    if not text:
        return _missed(line, call, place, now, reachable)
    turn = _board().placed(number, place.state(), text).turn
    if turn.state.node == REPORT_NODE and _responders(now):
        return _report_call(line, turn.state.lang or place.lang, call, now)
    if is_miss(turn) and speech and not digits and not matched:
        # Words that match nothing: a hint how to say it, not a step towards the hang-up.
        return _twiml(line.reprompt(place, call, links, now, extras, _can_text(reachable), notice="voice_speech_hint"))
    call = call.missed() if is_miss(turn) else call.answered()
    if call.misses > line.allowed_misses(place):
        return _twiml(line.goodbye(place.lang, links))
    lang = turn.state.lang or place.lang
    if not line.speaks(lang) and line.missing_clips(turn, now):
        # A language played from recordings, on a page not recorded yet: what the line does
        # for a language it cannot speak (ONA's interpreters, or the text offer), page by page.
        return _unspoken(line, number, reachable, lang, call, now, turn.state)
    return _twiml(line.turn(turn, call, links, now, extras, _can_text(reachable)))


@bp.post("/voice/silence")
@twilio_only
@always_answers
def silence() -> Response:
    line, now = _line(), _now()
    call, place = _opened(now)
    if call.over(now, _settings().max_call_seconds):
        return _twiml(line.goodbye(place.lang, _links()))
    return _missed(line, call, place, now, _caller()[1], silent=True)


@bp.post("/voice/dialed")
@twilio_only
@always_answers
def dialed() -> Response:
    """A <Dial> ended: to a volunteer, or to the ONA hotline."""
    return _dial_ended(lambda line, call, place, now: _no_volunteer(line, place.lang, call, now, answered=False))


def _dial_ended(not_put_through) -> Response:
    """After any <Dial>: a goodbye when the caller was put through (or handed to ONA, whose
    call ending is the end of ours), else `not_put_through(line, call, place, now)`."""
    line, now = _line(), _now()
    call, place = _opened(now)
    if place.at == ONA_PLACE or request.form.get("DialCallStatus") in ("completed", "answered"):
        return _twiml(line.goodbye(place.lang, _links()))
    return not_put_through(line, call, place, now)


@bp.post("/voice/whisper")
@twilio_only
@always_answers
def whisper() -> Response:
    """The volunteer's side, before they are joined: 1 accepts; anything else, or nothing,
    hangs up that phone only (Twilio then counts it as not answered)."""
    call, place = _opened(_now())
    digits = request.form.get("Digits")
    if digits is None:
        return _twiml(_line().whisper(place.lang, _links().whisper(call, place)))
    response = VoiceResponse()
    if digits != "1":
        response.hangup()
    # An empty document on "1": the whisper ends and Twilio joins the two calls.
    return _twiml(response)


@bp.post("/voice/recorded")
@twilio_only
@always_answers
def recorded() -> Response:
    # RecordingUrl is in the form; it is deliberately not read: the audio stays in Twilio.
    _, place = _opened(_now())
    return _twiml(_line().goodbye(place.lang, _links(), before=("voice_voicemail_thanks",)))


@bp.post("/voice/voicemail-ready")
@twilio_only
def voicemail_ready() -> Response:
    """Twilio's recordingStatusCallback: text the on-call volunteers that a message waits.

    They are told only that: not who called, not the recording's address (they open the
    Twilio account to listen, then delete it there). Twilio needs no TwiML here.
    """
    volunteers = _settings().volunteers
    if request.form.get("RecordingStatus", "completed") == "completed" and volunteers:
        body = _line().book(ENGLISH).message("voice_voicemail_waiting")
        for number in volunteers.numbers:
            # Through the outbound guard (staff rules: the configured volunteer numbers only);
            # a refusal is logged there, by reason, and the others are still told.
            _outbound().send(number, body, Purpose.VOLUNTEER_NOTICE)
    return Response(status=204)


@bp.post("/voice/report-whisper")
@twilio_only
@always_answers
def report_whisper() -> Response:
    """Said to the responder who answers, before the caller is put through (English: responders'
    language); nothing about the caller, whose number the responder's phone already shows."""
    response = VoiceResponse()
    response.say("Hotline report.", voice=TTS["en"].voice, language=TTS["en"].language)
    return _twiml(response)


@bp.post("/voice/reported")
@twilio_only
@always_answers
def reported() -> Response:
    return _dial_ended(_report_by_text)


def _report_by_text(line: PhoneLine, call: Call, place: CallPlace, now: dt.datetime) -> Response:
    """No responder answered: how to report by text instead, then the main menu."""
    number, reachable = _caller()
    turn = _board().placed(number, State(node=contract.MAIN_MENU, lang=place.lang), "0").turn
    turn = Turn((Show(REPORT_NODE),) + turn.outputs, turn.state)
    return _twiml(line.turn(turn, call.answered(), _links(), now, _extras(line), _can_text(reachable)))


@bp.get("/voice/recordings/<code>/<name>")
def recording(code: str, name: str) -> Response:
    """Recorded clips are public information (the same rights content), so no signature."""
    if code not in LANGUAGES or not name.endswith(".mp3"):
        abort(404)
    shelf = _line().recordings
    if shelf.version(code, name.removesuffix(".mp3")) is not None:
        return send_from_directory(shelf.revision / code, name, mimetype="audio/mpeg")
    return send_from_directory(_settings().recordings_dir / code, name, mimetype="audio/mpeg")


# --- the moves behind the routes ---------------------------------------------------------


def _responders(now: dt.datetime) -> tuple[str, ...]:
    """The responders' phones, when they are on shift and the line can ring them."""
    reports = _board().reports
    settings = reports.settings if reports is not None else None
    if settings is None or not _settings().hotline_number or not settings.on_shift(now):
        return ()
    return settings.responders


def _report_call(line: PhoneLine, lang: str, call: Call, now: dt.datetime) -> Response:
    """"Report agents nearby" while responders are on shift: ring them, with a whisper; when
    the <Dial> ends, back to the main menu (how to report by text, if nobody answered)."""
    settings = _settings()
    action = f"{_paths(request.script_root)['reported']}?s={_sealer().seal(pack(call, CallPlace(contract.MAIN_MENU, lang)))}"
    ring = settings.volunteers.ring_seconds if settings.volunteers else 20
    _board().count_outcome(lang, "voice", "responders")
    return _twiml(line.ring(lang, _responders(now), settings.hotline_number, ring, call, _links(), now,
                            settings.max_call_seconds, message="voice_report_connecting", action=action,
                            whisper=url_for("phone.report_whisper")))


def _missed(line: PhoneLine, call: Call, place: CallPlace, now: dt.datetime, reachable: bool,
            silent: bool = False) -> Response:
    call = call.missed()
    if call.misses > line.allowed_misses(place, silent):
        return _twiml(line.goodbye(place.lang, _links()))
    return _twiml(line.reprompt(place, call, _links(), now, _extras(line), _can_text(reachable)))


def _language_key(line: PhoneLine, number: str, reachable: bool, digits: str, call: Call, place: CallPlace,
                  now: dt.datetime) -> Response:
    links = _links()
    offer = tuple(c for c in (place.offer or line.content.languages.codes) if c in line.content.languages.books)
    if digits == "*":
        return _twiml(line.language_menu(offer, call, links, _can_text(reachable), now, place.engine, place.back,
                                         place.lang))
    code = next((c for c in offer if menu_key(c) == digits), None)
    if code is None and digits in ("0", "#") and place.back:
        # Back to where they were, in the language they had (they came here with "#").
        turn = _board().placed(number, replace(place.state(), node=place.back[-1], back=place.back[:-1]), "*").turn
        return _twiml(line.turn(turn, call.answered(), links, now, _extras(line), _can_text(reachable)))
    if code is None:
        return _missed(line, call, place, now, reachable)
    # The engine numbers its language list 1..n; the phone's keys are fixed per language.
    state = place.state()
    if not (state.node or "").startswith(LANGUAGE_MENU):
        state = replace(state, node=LANGUAGE_MENU)
    turn = _board().placed(number, state, str(offer.index(code) + 1) if code in offer else "1").turn
    if not line.speaks(code) and line.missing_clips(turn, now):
        # Played from recordings, and its main menu is not recorded yet: what exists for it.
        return _unspoken(line, number, reachable, code, call, now, place.state())
    # A caller who has just chosen a language on the phone knows how: the main menu need
    # not say how to choose another (it does for a call that starts in a remembered one).
    call = call.answered().saying("l")
    return _twiml(line.turn(turn, call, links, now, _extras(line), _can_text(reachable)))


def _unspoken(line: PhoneLine, number: str, reachable: bool, code: str, call: Call, now: dt.datetime,
              state: State) -> Response:
    """A language the line cannot speak: the ONA hotline's interpreters while it is open,
    else the welcome and menu as a text message; always the ONA number."""
    board = _board()
    if state.lang != code:
        board.remember_language(number, code)  # the store down: logged, and the call goes on
    sent: bool | None = None
    if not line.ona_open(now) and _can_text(reachable):
        # The welcome and main menu, as the text line says them to a first choice of
        # language: through the text line's own turns, so a reply to the message goes on
        # from there.
        board.turn(number, "LANGUAGE", channel="voice")
        codes = line.content.languages.codes
        turn = board.turn(number, str(codes.index(code) + 1), channel="voice").turn
        # Through the outbound guard: the caller's own number only, an ordinary North
        # American one, never after STOP, once a day, within the line's budget. Refused, the
        # caller hears the ONA number and no promise of a text.
        decision = _outbound().send(number, sms.reply_text(line.content, turn, now), Purpose.CALLER_TEXT_OFFER)
        sent = True if decision.ok else None
    return _twiml(line.unspoken(code, call, _links(), now, _settings().max_call_seconds, sent,
                                _settings().hotline_number))


def _volunteer(line: PhoneLine, lang: str, call: Call, now: dt.datetime) -> Response:
    volunteers, settings = _settings().volunteers, _settings()
    if not volunteers.on_duty(now):
        return _no_volunteer(line, lang, call, now, answered=None)
    _board().count_outcome(lang, "voice", "volunteer")
    return _twiml(line.ring(lang, volunteers.numbers, settings.hotline_number, volunteers.ring_seconds, call, _links(),
                            now, settings.max_call_seconds))


def _no_volunteer(line: PhoneLine, lang: str, call: Call, now: dt.datetime, answered: bool | None = None) -> Response:
    """`answered` False: they were rung and nobody answered; None: decide from the hours."""
    volunteers = _settings().volunteers
    if answered is None:
        answered = False if volunteers.on_duty(now) else None
    why = "voice_volunteer_no_answer" if answered is False else "voice_volunteer_closed"
    if "ona" in volunteers.referrals:
        _board().count_outcome(lang, "voice", "ona")
    return _twiml(line.no_volunteer(lang, why, volunteers.referrals, call, _links(), now, volunteers.voicemail))
