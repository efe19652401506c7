"""The phone channel: the engine's turns as TwiML a caller hears, in the caller's language.

What SMS shows as text, the phone says: the same composed parts (hotline/channels/compose.py),
each spoken with its language's Twilio voice or played from its recording
(hotline/channels/voice/speech.py). A menu is a <Gather> wrapping what is said, followed by a
<Redirect> for when nothing is pressed: there is no response without a way on or a goodbye.

Places a caller can be that are not flow nodes, as the `at` of a <Gather>:
  @lang        the language menu (keys are each language's fixed key, see voices.menu_key)
  @volunteer   after the volunteer line did not answer (only * 0 # mean anything there)

Per-call counters (when the call started, how many times in a row nothing useful was
pressed, which one-time hints were said) travel in the callback URLs; Twilio signs the
whole URL, so a caller cannot change them.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Mapping
from xml.sax.saxutils import escape

from babel import Locale
from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.channels.compose import Choice, Line, Part, compose, referral_lines
from hotline.channels.voice.speech import TTS, Readiness, Recordings, clip_id, language_context, menu_key, untranslated
from hotline.content.bundle import Content
from hotline.core.engine import ChooseLanguage, Choices, Notice, Output, Turn
from hotline.core import contract
from hotline.content.catalogs.strings import message_context
from hotline.core.languages import ENGLISH
from hotline.core.words import normalize

log = logging.getLogger(__name__)

LANGUAGE_MENU = "@lang"
VOLUNTEER = "@volunteer"
# Re-prompts after no input or a key that means nothing here; the next miss says goodbye.
MAX_MISSES = 2
# Seconds Twilio waits for a key once the prompt has been said.
GATHER_TIMEOUT = 6

# The engine's hints are written for texting ("Send 0 ..."); on the phone the same moments
# get the phone's words. No SMS-only text is ever spoken.
VOICE_NOTICES = {"hint": "voice_no_input", "leaf_hint": "voice_keys"}

_PHONE = re.compile(r"(?<![\d-])(?:1-)?\d{3}-\d{3}-\d{4}(?![\d-])")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|com|net|edu|us|info)\b(?:/\S*)?",
                  re.IGNORECASE)
_END_OF_SENTENCE = (".", "!", "?", ":", ";", "。", "؟", "！", "？")


@lru_cache(maxsize=4096)  # pure, and the line says the same few hundred texts all day
def spoken(text: str) -> str:
    """Words as a voice should read them: phone numbers digit by digit, no web addresses.

    "Call 1-800-566-7636" -> "Call 1, 8 0 0, 5 6 6, 7 6 3 6": a text-to-speech voice reads
    "800" as "eight hundred"; the commas give the pauses a person would make. Lines of a
    referral entry become sentences, so the voice pauses between name, offer and phone.
    """
    text = _URL.sub("", text)
    text = _PHONE.sub(lambda m: ", ".join(" ".join(group) for group in m.group(0).split("-")), text)
    sentences = []
    for line in (part.strip() for part in text.split("\n")):
        if line:
            sentences.append(line if line.endswith(_END_OF_SENTENCE) else line + ".")
    return re.sub(r"\s+([.,:;])", r"\1", re.sub(r"[ \t]+", " ", " ".join(sentences))).strip()


def voice_outputs(outputs: tuple[Output, ...]) -> tuple[Output, ...]:
    return tuple(Notice(VOICE_NOTICES.get(o.message, o.message)) if isinstance(o, Notice) else o for o in outputs)


def is_miss(turn: Turn) -> bool:
    """The engine did not understand the key: it answered with its hint and the same place."""
    return bool(turn.outputs) and (turn.outputs[0] == Notice("hint") or turn.outputs == (Notice("leaf_hint"),))


def english_name(code: str) -> str:
    english = Locale("en")
    return english.languages.get(code) or english.languages.get(Locale.parse(code).language) or code


@dataclass(frozen=True)
class Call:
    """What one call carries from request to request (in the signed URLs)."""

    started: int  # Unix seconds, when the call was answered
    misses: int = 0  # no input or a meaningless key, in a row
    said: str = ""  # one-time hints already said: "k" the keys, "l" how to change language

    def query(self) -> dict[str, str]:
        values = {"t": str(self.started), "m": str(self.misses)}
        if self.said:
            values["s"] = self.said
        return values

    @classmethod
    def from_query(cls, args: Mapping[str, str], now: dt.datetime) -> "Call":
        """Counters from a callback URL; a URL without them (or garbled) starts the clock now."""
        try:
            started = int(args.get("t", ""))
        except ValueError:
            started = int(now.timestamp())
        try:
            misses = max(0, int(args.get("m", "0")))
        except ValueError:
            misses = 0
        said = "".join(ch for ch in args.get("s", "") if ch in "kl")
        return cls(started, misses, said)

    def missed(self) -> "Call":
        return replace(self, misses=self.misses + 1)

    def answered(self) -> "Call":
        return replace(self, misses=0)

    def saying(self, hint: str) -> "Call":
        return self if hint in self.said else replace(self, said=self.said + hint)

    def over(self, now: dt.datetime, limit: int) -> bool:
        return now.timestamp() - self.started >= limit


@dataclass(frozen=True)
class Place:
    """Where a <Gather> waits: a node, the language menu (with the engine's list) or @volunteer."""

    at: str
    lang: str
    offer: tuple[str, ...] = ()  # on the language menu: the codes the engine offered, in its order

    def query(self) -> dict[str, str]:
        values = {"at": self.at, "lang": self.lang}
        if self.offer:
            values["offer"] = ",".join(self.offer)
        return values

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> "Place":
        offer = tuple(c for c in args.get("offer", "").split(",") if c)
        return cls(args.get("at", contract.MAIN_MENU), args.get("lang", ENGLISH), offer)


@dataclass(frozen=True)
class Links:
    """The URLs Twilio is sent to next; the web layer builds them (the channel knows no routes)."""

    key: Callable[[Call, Place], str]
    silence: Callable[[Call, Place], str]
    clip: Callable[[str, str], str]  # (language, context) -> URL of the recording


@dataclass(frozen=True)
class Extras:
    """Voice-only choices on the main menu, where 0 and # would otherwise do nothing."""

    volunteer: bool = False  # 0: talk to a volunteer
    languages: bool = False  # #: choose another language


# Where a memoised menu's URLs go (PhoneLine.menu). Not URLs: a menu whose words contain one
# is never memoised.
_ACTION = "hotline-marker:gather-action"
_REDIRECT = "hotline-marker:no-input-redirect"


def _no_clip(code: str, context: str) -> str:
    raise AssertionError("a memoised menu has no recordings")


@dataclass(frozen=True)
class Filled:
    """A memoised menu with this turn's URLs filled in: the TwiML str(VoiceResponse) would give."""

    document: str

    def __str__(self) -> str:
        return self.document


class PhoneLine:
    """Speaks one version of the content. Rebuilt whenever the content or recordings change."""

    def __init__(self, content: Content, recordings: Recordings, ready: dict[str, Readiness]):
        self.content = content
        self.recordings = recordings
        self.ready = ready
        self._english_only = {code: untranslated(content, code) for code in content.languages.codes}
        self._clips = recordings.shelf()  # looked up on every call: read once, here

    # --- which languages --------------------------------------------------------------

    def spoken(self, code: str | None) -> bool:
        return self.ready.get(code or ENGLISH, Readiness(code or ENGLISH, "text")).spoken

    def book(self, code: str | None):
        return self.content.languages.book(code)

    def has_clip(self, code: str, context: str) -> bool:
        return (code, clip_id(context)) in self._clips

    # --- saying one part ----------------------------------------------------------------

    def speak(self, parent: VoiceResponse | Gather, part: Part, links: Links) -> None:
        """Say a part with its language's voice, or play its recording; English where untranslated."""
        code = part.lang
        if code in TTS:
            words, voice_code = self.words_for(part)
            voice = TTS[voice_code]
            parent.say(spoken(words), voice=voice.voice, language=voice.language)
        elif part.clip and self.has_clip(code, part.clip):
            parent.play(links.clip(code, part.clip))
        else:
            # Only a language whose recordings are all there is offered, so this means a
            # clip went missing while the line was running; the staff check lists it.
            log.warning("no recording of %s in %s: skipped", part.clip, code)

    def words_for(self, part: Part) -> tuple[str, str]:
        """The words a text-to-speech voice says for a part, and whose voice (English where
        that language has no translation of it)."""
        english_only = self._english_only.get(part.lang, frozenset())
        if isinstance(part, Line):
            return part.text, (ENGLISH if part.clip in english_only else part.lang)
        press = message_context("voice_press")
        if part.clip in english_only or press in english_only:
            return self.book(ENGLISH).message("voice_press", label=part.label, key=part.key), ENGLISH
        return self.book(part.lang).message("voice_press", label=part.label, key=part.key), part.lang

    def say_message(self, parent: VoiceResponse | Gather, code: str, message_id: str, links: Links, **params: str) -> None:
        """One of the hotline's messages in `code`; in English if that language cannot say it."""
        context = message_context(message_id)
        if code in TTS or self.has_clip(code, context):
            self.speak(parent, Line(self.book(code).message(message_id, **params), code, context), links)
        else:
            self.speak(parent, Line(self.book(ENGLISH).message(message_id, **params), ENGLISH, context), links)

    # --- whole responses ----------------------------------------------------------------

    def menu(self, parts: list[Part], place: Place, call: Call, links: Links) -> VoiceResponse | Filled:
        """Say `parts` inside a <Gather> that waits at `place`, then the no-input redirect.

        The document is built once per content version for each distinct menu, with markers
        where the two URLs go, and memoised: a turn only fills in its own URLs (they carry the
        call's counters, so they differ on every request). Parts played from recordings are
        built each time: their audio URLs come from the request's host.
        """
        if any(part.lang not in TTS for part in parts):
            return self._menu(parts, place, call, links)
        key = ("voice-menu", tuple(parts), place.at == LANGUAGE_MENU, place.lang)
        template = self.content.renders.get(key, lambda: self._template(parts, place))
        if template is None:  # the words themselves contain a marker: build this one each time
            return self._menu(parts, place, call, links)
        before, between, after = template
        return Filled(before + escape(links.key(call, place), {'"': "&quot;"}) + between
                      + escape(links.silence(call, place)) + after)

    def _template(self, parts: list[Part], place: Place) -> tuple[str, str, str] | None:
        marked = Links(key=lambda call, place: _ACTION, silence=lambda call, place: _REDIRECT, clip=_no_clip)
        document = str(self._menu(parts, place, Call(0), marked))
        if document.count(_ACTION) != 1 or document.count(_REDIRECT) != 1:
            return None
        before, _, rest = document.partition(_ACTION)
        between, _, after = rest.partition(_REDIRECT)
        return before, between, after

    def _menu(self, parts: list[Part], place: Place, call: Call, links: Links) -> VoiceResponse:
        response = VoiceResponse()
        choices = [p for p in parts if isinstance(p, Choice)]
        voice = TTS.get(place.lang)
        if place.at != LANGUAGE_MENU and voice is not None and voice.speech:
            # Speech where Twilio recognises the language; the labels are what it listens for.
            hints = ", ".join(dict.fromkeys(c.label for c in choices))
            gather = response.gather(input="dtmf speech", num_digits=1, action=links.key(call, place), method="POST",
                                     timeout=GATHER_TIMEOUT, speech_timeout="auto", language=voice.speech,
                                     **({"hints": hints} if hints else {}))
        else:
            gather = response.gather(input="dtmf", num_digits=1, action=links.key(call, place), method="POST",
                                     timeout=GATHER_TIMEOUT)
        for part in parts:
            self.speak(gather, part, links)
        response.redirect(links.silence(call, place), method="POST")
        return response

    def turn(self, turn: Turn, call: Call, links: Links, now: dt.datetime, extras: Extras = Extras(),
             can_text: bool = False) -> VoiceResponse | Filled:
        """The response for a turn of the engine."""
        offers = [o for o in turn.outputs if isinstance(o, ChooseLanguage)]
        if offers:
            return self.language_menu(offers[-1].codes, call, links, can_text)
        lang = self.book(turn.state.lang).code
        at = turn.state.node or contract.MAIN_MENU
        outputs = turn.outputs
        if outputs == (Notice("leaf_hint"),):  # a key that means nothing on a page without a menu
            outputs = (Notice("voice_no_input"),) + outputs
        parts = compose(self.content, lang, voice_outputs(outputs), "voice", now)
        parts, call = self.with_extras(parts, at, lang, call, extras)
        if any(o == Notice("leaf_hint") for o in turn.outputs):
            call = call.saying("k")
        return self.menu(parts, Place(at, lang), call, links)

    def with_extras(self, parts: list[Part], at: str, lang: str, call: Call, extras: Extras) -> tuple[list[Part], Call]:
        """Add the voice-only choices and the one-time hints to what a place says."""
        book = self.book(lang)
        parts = list(parts)
        if at == contract.MAIN_MENU:
            if extras.volunteer:
                parts.append(Choice("0", book.message("voice_volunteer_choice"), lang,
                                    message_context("voice_volunteer_choice")))
            if extras.languages and "l" not in call.said:
                parts.append(Line(book.message("voice_change_language"), lang, message_context("voice_change_language")))
                call = call.saying("l")
        elif "k" not in call.said and at in self.content.script.nodes and self.content.script.nodes[at].menu:
            parts.append(Line(book.message("voice_keys"), lang, message_context("voice_keys")))
            call = call.saying("k")
        return parts, call

    def choices_at(self, place: Place, now: dt.datetime, extras: Extras = Extras()) -> list[Choice]:
        """What can be chosen where a caller waits: for matching what they said to a key."""
        if place.at not in self.content.script.nodes:
            return []
        parts = compose(self.content, place.lang, (Choices(place.at),), "voice", now)
        parts, _ = self.with_extras(parts, place.at, place.lang, Call(0, said="kl"), extras)
        return [p for p in parts if isinstance(p, Choice)]

    def reprompt(self, place: Place, call: Call, links: Links, now: dt.datetime, extras: Extras = Extras(),
                 can_text: bool = False) -> VoiceResponse | Filled:
        """Nothing (useful) was pressed: say so briefly and ask again, without the whole text."""
        if place.at == LANGUAGE_MENU:
            return self.language_menu(place.offer, call, links, can_text)
        nodes = self.content.script.nodes
        outputs: tuple[Output, ...]
        if place.at in nodes and nodes[place.at].menu:
            outputs = (Notice("voice_no_input"), Choices(place.at))
        else:
            outputs = (Notice("voice_no_input"), Notice("voice_keys"))
        parts = compose(self.content, place.lang, outputs, "voice", now)
        if place.at == contract.MAIN_MENU:
            parts, call = self.with_extras(parts, place.at, place.lang, call, extras)
        return self.menu(parts, place, call, links)

    def language_menu(self, offer: tuple[str, ...], call: Call, links: Links, can_text: bool) -> VoiceResponse:
        """Each language said in itself, with its fixed key; languages the line cannot speak
        are offered by text message (in English unless their own recording of the offer exists)."""
        parts: list[Part] = []
        texts: list[str] = []
        for code in sorted(offer, key=lambda c: int(menu_key(c))):
            key = menu_key(code)
            if self.spoken(code):
                parts.append(Choice(key, self.book(code).language.native_name, code, language_context(code)))
            elif can_text:
                texts.append(code)
        place = Place(LANGUAGE_MENU, ENGLISH, tuple(offer))
        response = self._menu(parts, place, call, links)
        if texts:
            gather = next(child for child in response.verbs if isinstance(child, Gather))
            for code in texts:
                self.say_message(gather, code, "voice_sms_offer", links, language=english_name(code), key=menu_key(code))
        return response

    def goodbye(self, lang: str, links: Links, before: tuple[str, ...] = ()) -> VoiceResponse:
        """Say `before` (message ids), then goodbye, then hang up: the only way a call ends here."""
        response = VoiceResponse()
        for message_id in before + ("voice_goodbye",):
            self.say_message(response, lang, message_id, links)
        response.hangup()
        return response

    # --- the volunteer line ---------------------------------------------------------------

    def ring(self, lang: str, numbers: tuple[str, ...], caller_id: str, ring_seconds: int, action: str,
             links: Links) -> VoiceResponse:
        """Ring every on-call volunteer at once; the first to answer gets the caller."""
        response = VoiceResponse()
        self.say_message(response, lang, "voice_volunteer_connecting", links)
        dial = response.dial(caller_id=caller_id, action=action, method="POST", timeout=ring_seconds)
        for number in numbers:
            dial.number(number)
        return response

    def no_volunteer(self, lang: str, why: str, referrals: tuple[str, ...], call: Call, links: Links, now: dt.datetime,
                     voicemail: str | None = None) -> VoiceResponse | Filled:
        """Outside hours or no answer: who else to call, then the way back (or a message).

        `why` is the message id that says which; `voicemail` is the URL a <Record> posts to,
        None when voicemail is off (the default).
        """
        book = self.book(lang)
        parts: list[Part] = [Line(book.message(why), book.code, message_context(why))]
        parts.extend(referral_lines(self.content, book, referrals, "voice", now))
        place = Place(VOLUNTEER, book.code)
        if voicemail is None:
            parts.append(Line(book.message("voice_keys"), book.code, message_context("voice_keys")))
            return self.menu(parts, place, call.saying("k"), links)
        response = VoiceResponse()
        parts.append(Line(book.message("voice_voicemail"), book.code, message_context("voice_voicemail")))
        for part in parts:
            self.speak(response, part, links)
        # Twilio keeps the audio in the account; this app never fetches or stores it.
        response.record(action=voicemail, method="POST", max_length=120, finish_on_key="#", play_beep=True, timeout=5)
        response.redirect(links.silence(call, place), method="POST")
        return response


def heard(speech: str, choices: list[Choice]) -> str:
    """What a caller said, as the key it stands for; otherwise the words themselves, so the
    engine's keywords (MENU, HELP, BACK in any language) still work by voice."""
    said = normalize(speech)
    if not said:
        return ""
    for choice in choices:
        label = normalize(choice.label)
        if label and (said == label or label in said):
            return choice.key
    return said
