"""The phone channel: the engine's turns as TwiML a caller hears, in the caller's language.

What SMS shows as text, the phone says: the same composed parts (hotline/channels/compose.py),
each spoken with its language's Twilio voice or played from its recording
(hotline/channels/voice/speech.py). A menu is a <Gather> wrapping what is said, followed by a
<Redirect> for when nothing is pressed: there is no response without a way on or a goodbye.

Places a caller can be that are not flow nodes, as the `at` of a <Gather>:
  @lang        the language menu (keys are each language's fixed key, see voices.menu_key)
  @volunteer   after the volunteer line did not answer (only * 0 # mean anything there)

  @ona         put through to the NYS Office for New Americans hotline (a language the line
               cannot speak, while it is open)

The call's place (node, BACK stack, language) and counters (when it started, misses in a
row, one-time hints said) travel in the callback URLs as one sealed token (token.py):
Twilio brings them back, nobody on the way can read or change them, and a repeated request
gives the same answer because a turn is computed from the token, not from a stored place.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable
from xml.sax.saxutils import escape

from babel import Locale
from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.channels.compose import Choice, Line, Part, compose, referral_lines
from hotline.channels.voice.speech import TTS, Readiness, Recordings, clip_id, language_context, menu_key, untranslated
from hotline.content.bundle import Content
from hotline.core.engine import LANGUAGE_MENU, ChooseLanguage, Choices, Notice, Output, State, Turn
from hotline.core.hours import Opens, status
from hotline.core import contract
from hotline.content.catalogs.strings import message_context
from hotline.core.languages import ENGLISH
from hotline.core.words import normalize

log = logging.getLogger(__name__)

# LANGUAGE_MENU (the engine's "@lang") is where a <Gather> waits for a language; the two below are the phone's own.
VOLUNTEER = "@volunteer"
ONA_PLACE = "@ona"  # put through to the ONA hotline (a language the line cannot speak)
# Re-prompts after no input or a key that means nothing here; the next miss says goodbye.
MAX_MISSES = 2
# Seconds Twilio waits for a key once the prompt has been said.
GATHER_TIMEOUT = 6
# After a content page without a menu, and after the "star to hear it again" that follows:
# a caller who listens quietly is taking it in, not lost.
PAGE_TIMEOUT = 12
PAGE_SILENCE_TIMEOUT = 15
# The maximum call length is announced this many seconds before.
WARN_BEFORE = 60
# A spoken menu says at most this many numbered choices; a longer one is said in two halves.
MAX_OPTIONS = 5
SPLIT_AT = 4
# Seconds a volunteer has to press 1 after the whisper.
WHISPER_TIMEOUT = 8
# The NYS Office for New Americans hotline: free, interpreters in 200+ languages. Its entry in
# referrals.yaml (id "ona") is used when there; this is the number if a script lacks it.
ONA = "ona"
ONA_PHONE = "1-800-566-7636"

# The engine's hints are written for texting ("Send 0 ..."); on the phone the same moments
# get the phone's words. No SMS-only text is ever spoken.
VOICE_NOTICES = {"hint": "voice_no_input", "leaf_hint": "voice_keys"}

_PHONE = re.compile(r"(?<![\d-])(?:1-)?\d{3}-\d{3}-\d{4}(?![\d-])")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|com|net|edu|us|info)\b(?:/\S*)?",
                  re.IGNORECASE)
_END_OF_SENTENCE = (".", "!", "?", ":", ";", "。", "؟", "！", "？")


@lru_cache(maxsize=4096)  # pure, and the line says the same few hundred texts all day
def readable_aloud(text: str) -> str:
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
    """What one call carries from request to request (in the sealed token of its URLs)."""

    started: int  # Unix seconds, when the call was answered
    misses: int = 0  # no input or a meaningless key, in a row
    # One-time things already said: "k" the keys, "l" how to change language, "w" the
    # one-minute warning, "p" how to go on after a page, "v" that a caller may speak.
    said: str = ""

    def missed(self) -> "Call":
        return replace(self, misses=self.misses + 1)

    def answered(self) -> "Call":
        return replace(self, misses=0)

    def saying(self, hint: str) -> "Call":
        return self if hint in self.said else replace(self, said=self.said + hint)

    def over(self, now: dt.datetime, limit: int) -> bool:
        return now.timestamp() - self.started >= limit

    def remaining(self, now: dt.datetime, limit: int) -> int:
        return max(0, int(self.started + limit - now.timestamp()))


@dataclass(frozen=True)
class CallPlace:
    """Where a <Gather> waits: a node, the language menu (with the engine's list) or @volunteer.

    The phone keeps its own place (node and BACK stack) in the call's URLs: a key applies to
    the menu the caller heard, whatever the text thread did meanwhile. Only the language is
    shared with the text line (through the store).
    """

    at: str
    lang: str
    offer: tuple[str, ...] = ()  # on the language menu: the codes the engine offered, in its order
    back: tuple[str, ...] = ()  # the engine's BACK stack here
    engine: str = ""  # the engine's node when it is not `at` ("@lang:..." lists, main menu behind @volunteer)
    more: bool = False  # the second half of a menu too long to say at once

    def state(self) -> State:
        node = self.engine or (contract.MAIN_MENU if self.at == VOLUNTEER else self.at)
        return State(node=node or None, back=self.back, lang=self.lang or None)

    @classmethod
    def of(cls, state: State, lang: str) -> "CallPlace":
        node = state.node or contract.MAIN_MENU
        if node.startswith(LANGUAGE_MENU):
            return cls(LANGUAGE_MENU, lang, back=state.back, engine=node)
        return cls(node, lang, back=state.back)


_SEP = "\x1f"


def pack(call: Call, place: CallPlace) -> bytes:
    """The plaintext of a token: node ids and codes never contain the separator."""
    fields = (str(call.started), str(call.misses), call.said, place.at, place.lang, ",".join(place.offer),
              ",".join(place.back), place.engine, "1" if place.more else "")
    return _SEP.join(fields).encode("utf-8")


def unpack(raw: bytes) -> tuple[Call, CallPlace] | None:
    try:
        started, misses, said, at, lang, offer, back, engine, more = raw.decode("utf-8").split(_SEP)
        call = Call(int(started), max(0, int(misses)), said)
    except ValueError:
        return None
    split = lambda text: tuple(item for item in text.split(",") if item)  # noqa: E731
    return call, CallPlace(at, lang, split(offer), split(back), engine, more == "1")


@dataclass(frozen=True)
class Links:
    """The URLs Twilio is sent to next; the web layer builds them (the channel knows no routes)."""

    key: Callable[[Call, CallPlace], str]
    silence: Callable[[Call, CallPlace], str]
    clip: Callable[[str, str], str]  # (language, context) -> URL of the recording
    dialed: Callable[[Call, CallPlace], str] = lambda call, place: ""
    whisper: Callable[[Call, CallPlace], str] = lambda call, place: ""
    recorded: Callable[[Call, CallPlace], str] = lambda call, place: ""
    voicemail_ready: Callable[[], str] = lambda: ""


@dataclass(frozen=True)
class Extras:
    """Voice-only choices on the main menu, where 0 and # would otherwise do nothing."""

    volunteer: bool = False  # 0: talk to a volunteer
    languages: bool = False  # #: choose another language
    max_call: int = 0  # seconds a call may last (warned a minute before); 0: no warning


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

    def speaks(self, code: str | None) -> bool:
        return self.ready.get(code or ENGLISH, Readiness(code or ENGLISH, "text")).can_speak

    def book(self, code: str | None):
        return self.content.languages.book(code)

    def has_clip(self, code: str, context: str) -> bool:
        return (code, clip_id(context)) in self._clips

    def ona_open(self, now: dt.datetime) -> bool:
        """Whether the ONA hotline answers now (its hours in referrals.yaml; unknown: try it)."""
        referral = self.content.script.referrals.get(ONA)
        if referral is None or referral.phone is None:
            return False
        return not isinstance(status(referral, now), Opens)

    def ona_dial(self) -> str:
        referral = self.content.script.referrals.get(ONA)
        phone = referral.phone if referral is not None and referral.phone else ONA_PHONE
        digits = re.sub(r"\D", "", phone)
        return "+" + (digits if digits.startswith("1") else "1" + digits)

    # --- saying one part ----------------------------------------------------------------

    def speak(self, parent: VoiceResponse | Gather, part: Part, links: Links) -> None:
        """Say a part with its language's voice, or play its recording; English where untranslated."""
        code = part.lang
        if code in TTS:
            words, voice_code = self.words_for(part)
            voice = TTS[voice_code]
            parent.say(readable_aloud(words), voice=voice.voice, language=voice.language)
        elif part.clip and self.has_clip(code, part.clip):
            parent.play(links.clip(code, part.clip))
        elif part.clip.startswith("messages:"):
            # A recorded language without this one clip (the gaps are logged once, when the
            # line is built): the hotline's message in English rather than a hole.
            english = self.book(ENGLISH)
            words = english.message(part.clip.removeprefix("messages:"))
            if isinstance(part, Choice):
                words = option(english.message("voice_press", label=_label(words), key=part.key))
            voice = TTS[ENGLISH]
            parent.say(readable_aloud(words), voice=voice.voice, language=voice.language)
        # Anything else missing is content a recorded language is only offered with: logged
        # at load (web/voice.py), never per call.

    def words_for(self, part: Part) -> tuple[str, str]:
        """The words a text-to-speech voice says for a part, and whose voice (English where
        that language has no translation of it)."""
        english_only = self._english_only.get(part.lang, frozenset())
        if isinstance(part, Line):
            return part.text, (ENGLISH if part.clip in english_only else part.lang)
        press = message_context("voice_press")
        code = ENGLISH if part.clip in english_only or press in english_only else part.lang
        return option(self.book(code).message("voice_press", label=_label(part.label), key=part.key)), code

    def say_message(self, parent: VoiceResponse | Gather, code: str, message_id: str, links: Links, **params: str) -> None:
        """One of the hotline's messages in `code`; in English if that language cannot say it."""
        context = message_context(message_id)
        if code in TTS or self.has_clip(code, context):
            self.speak(parent, Line(self.book(code).message(message_id, **params), code, context), links)
        else:
            self.speak(parent, Line(self.book(ENGLISH).message(message_id, **params), ENGLISH, context), links)

    # --- whole responses ----------------------------------------------------------------

    def menu(self, parts: list[Part], place: CallPlace, call: Call, links: Links,
             timeout: int = GATHER_TIMEOUT) -> VoiceResponse | Filled:
        """Say `parts` inside a <Gather> that waits at `place`, then the no-input redirect.

        The document is built once per content version for each distinct menu, with markers
        where the two URLs go, and memoised: a turn only fills in its own URLs (they carry the
        call's token, so they differ on every request). Parts played from recordings are
        built each time: their audio URLs come from the request's host.
        """
        if any(part.lang not in TTS for part in parts):
            return self._menu(parts, place, call, links, timeout)
        key = ("voice-menu", tuple(parts), place.at == LANGUAGE_MENU, place.lang, timeout)
        template = self.content.renders.get(key, lambda: self._template(parts, place, timeout))
        if template is None:  # the words themselves contain a marker: build this one each time
            return self._menu(parts, place, call, links, timeout)
        before, between, after = template
        return Filled(before + escape(links.key(call, place), {'"': "&quot;"}) + between
                      + escape(links.silence(call, place)) + after)

    def _template(self, parts: list[Part], place: CallPlace, timeout: int) -> tuple[str, str, str] | None:
        marked = Links(key=lambda call, place: _ACTION, silence=lambda call, place: _REDIRECT, clip=_no_clip)
        document = str(self._menu(parts, place, Call(0), marked, timeout))
        if document.count(_ACTION) != 1 or document.count(_REDIRECT) != 1:
            return None
        before, _, rest = document.partition(_ACTION)
        between, _, after = rest.partition(_REDIRECT)
        return before, between, after

    def _menu(self, parts: list[Part], place: CallPlace, call: Call, links: Links,
              timeout: int = GATHER_TIMEOUT) -> VoiceResponse:
        response = VoiceResponse()
        choices = [p for p in parts if isinstance(p, Choice)]
        voice = TTS.get(place.lang)
        # finish_on_key="": Twilio's default "#" ends a Gather without passing it on, so a
        # lone "#" (go back, change language) would never arrive. With none, numDigits=1
        # sends every key, "#" and "*" included.
        if place.at != LANGUAGE_MENU and voice is not None and voice.speech:
            # Speech where Twilio recognises the language; the labels are what it listens for.
            hints = ", ".join(dict.fromkeys(c.label for c in choices))
            gather = response.gather(input="dtmf speech", num_digits=1, finish_on_key="", action=links.key(call, place),
                                     method="POST", timeout=timeout, speech_timeout="auto", language=voice.speech,
                                     **({"hints": hints} if hints else {}))
        else:
            gather = response.gather(input="dtmf", num_digits=1, finish_on_key="", action=links.key(call, place),
                                     method="POST", timeout=timeout)
        for part in parts:
            self.speak(gather, part, links)
        response.redirect(links.silence(call, place), method="POST")
        return response

    def is_page(self, at: str) -> bool:
        """A content page (legal information, or a node without a menu of its own), not a
        menu to pick from: a caller who is quiet after it may still be taking it in."""
        node = self.content.script.nodes.get(at)
        return node is not None and at != contract.MAIN_MENU and (node.legal or not node.menu)

    def allowed_misses(self, place: CallPlace, silent: bool = False) -> int:
        """Misses in a row before goodbye; quiet after a page gets one more chance."""
        return MAX_MISSES + 1 if silent and self.is_page(place.at) else MAX_MISSES

    def turn(self, turn: Turn, call: Call, links: Links, now: dt.datetime, extras: Extras = Extras(),
             can_text: bool = False) -> VoiceResponse | Filled:
        """The response for a turn of the engine."""
        offers = [o for o in turn.outputs if isinstance(o, ChooseLanguage)]
        if offers:
            return self.language_menu(offers[-1].codes, call, links, can_text, now, engine=turn.state.node or "",
                                      back=turn.state.back, lang=turn.state.lang or "")
        lang = self.book(turn.state.lang).code
        place = CallPlace.of(turn.state, lang)
        outputs = turn.outputs
        if outputs == (Notice("leaf_hint"),):  # a key that means nothing on a page without a menu
            outputs = (Notice("voice_no_input"),) + outputs
        parts = self.paged(compose(self.content, lang, voice_outputs(outputs), "voice", now), place)
        parts, call = self.with_extras(parts, place, call, extras, now)
        if any(o == Notice("leaf_hint") for o in turn.outputs):
            call = call.saying("k")
        return self.menu(parts, place, call, links, PAGE_TIMEOUT if self.is_page(place.at) else GATHER_TIMEOUT)

    def missing_clips(self, turn: Turn, now: dt.datetime) -> list[str]:
        """The clips a turn's page lacks in a language played from recordings (empty: it can be
        played). Only the page's own words count (its text, referrals and choices): a missing
        message of the hotline's own is said in English (speak), a missing page is not said.
        Asked page by page, so one recorded page serves its callers before the rest exist."""
        lang = self.book(turn.state.lang).code
        if lang in TTS or any(isinstance(o, ChooseLanguage) for o in turn.outputs):
            return []
        place = CallPlace.of(turn.state, lang)
        parts = self.paged(compose(self.content, lang, voice_outputs(turn.outputs), "voice", now), place)
        return [part.clip for part in parts
                if part.clip and not part.clip.startswith("messages:") and not self.has_clip(lang, part.clip)]

    def more(self, place: CallPlace, call: Call, links: Links, now: dt.datetime, extras: Extras = Extras()):
        """The second half of a long menu (the caller pressed its "more choices" key)."""
        place = replace(place, more=True)
        parts = self.paged(compose(self.content, place.lang, (Choices(place.at),), "voice", now), place)
        parts, call = self.with_extras(parts, place, call, extras, now)
        return self.menu(parts, place, call.answered(), links)

    def paged(self, parts: list[Part], place: CallPlace) -> list[Part]:
        """A menu of more than MAX_OPTIONS choices is said in two halves: the first
        SPLIT_AT choices and "more choices" on the next key, then the rest, keeping the
        keys the text line uses. Good phone menus offer four or five choices a level."""
        first, rest = self.halves(place.at)
        if not rest:
            return parts
        keys = {str(item.key) for item in (rest if not place.more else first)}
        kept: list[Part] = []
        for part in parts:
            if isinstance(part, Choice) and part.key in keys:
                continue
            if place.more and isinstance(part, Line) and part.clip.endswith((":text", ":voice")):
                continue  # the second half is only the choices: the page was said a moment ago
            kept.append(part)
        if not place.more:
            book = self.book(place.lang)
            at = next(i for i, part in enumerate(kept) if isinstance(part, Choice) and part.key == str(first[-1].key))
            kept.insert(at + 1, Choice(self.more_key(place.at), book.message("voice_more_choice"), book.code,
                                       message_context("voice_more_choice")))
        return kept

    def halves(self, at: str) -> tuple[tuple, tuple]:
        node = self.content.script.nodes.get(at)
        if node is None or len(node.menu) <= MAX_OPTIONS:
            return (node.menu if node else ()), ()
        return node.menu[:SPLIT_AT], node.menu[SPLIT_AT:]

    def more_key(self, at: str) -> str:
        """The key that says the second half: the first key of that half (the text line's
        own number for it, so the keys stay the same on both lines)."""
        return str(self.halves(at)[1][0].key)

    def with_extras(self, parts: list[Part], place: CallPlace, call: Call, extras: Extras,
                    now: dt.datetime | None = None) -> tuple[list[Part], Call]:
        """Add the voice-only choices and the one-time hints to what a place says."""
        book, lang, at = self.book(place.lang), place.lang, place.at
        parts = list(parts)
        if at == contract.MAIN_MENU and not place.more:
            if extras.volunteer:
                parts.append(Choice("0", book.message("voice_volunteer_choice"), lang,
                                    message_context("voice_volunteer_choice")))
            if extras.languages and "l" not in call.said:
                parts.append(Line(book.message("voice_change_language"), lang, message_context("voice_change_language")))
                call = call.saying("l")
        elif "k" not in call.said and at in self.content.script.nodes and self.content.script.nodes[at].menu:
            parts.append(Line(book.message("voice_keys"), lang, message_context("voice_keys")))
            call = call.saying("k")
        if self.is_page(at) and "k" not in call.said:
            parts.append(Line(book.message("voice_keys"), lang, message_context("voice_keys")))
            call = call.saying("k")
        voice = TTS.get(lang)
        if voice is not None and voice.speech and "v" not in call.said and any(isinstance(p, Choice) for p in parts):
            # Right after the choices it is about: "... More choices: press 5. Or say the number."
            last = max(i for i, p in enumerate(parts) if isinstance(p, Choice))
            parts.insert(last + 1, Line(book.message("voice_speech"), lang, message_context("voice_speech")))
            call = call.saying("v")
        if now is not None and extras.max_call and "w" not in call.said \
                and call.remaining(now, extras.max_call) <= WARN_BEFORE:
            parts.insert(0, Line(book.message("voice_time_warning"), lang, message_context("voice_time_warning")))
            call = call.saying("w")
        return parts, call

    def choices_at(self, place: CallPlace, now: dt.datetime, extras: Extras = Extras()) -> list[Choice]:
        """What can be chosen where a caller waits: for matching what they said to a key."""
        if place.at not in self.content.script.nodes:
            return []
        # Every choice of the node, both halves of a long menu: a caller may say a topic
        # they know is there without waiting for "more choices".
        parts = compose(self.content, place.lang, (Choices(place.at),), "voice", now)
        parts, _ = self.with_extras(parts, place, Call(0, said="klvw"), extras)
        return [p for p in parts if isinstance(p, Choice)]

    def reprompt(self, place: CallPlace, call: Call, links: Links, now: dt.datetime, extras: Extras = Extras(),
                 can_text: bool = False, notice: str = "voice_no_input") -> VoiceResponse | Filled:
        """Nothing (useful) was pressed: say so briefly and ask again, without the whole text.

        After a page without a menu the first silence is not a mistake: the caller heard it
        out. They are told how to hear it again or go on, and given longer to decide.
        """
        if place.at == LANGUAGE_MENU:
            return self.language_menu(place.offer, call, links, can_text, now, engine=place.engine, back=place.back,
                                      lang=place.lang)
        nodes = self.content.script.nodes
        outputs: tuple[Output, ...]
        menu = (Choices(place.at),) if place.at in nodes and nodes[place.at].menu else ()
        first_quiet = self.is_page(place.at) and call.misses <= 1 and notice == "voice_no_input"
        if first_quiet:
            outputs = (Notice("voice_keys"),) + menu
        elif menu:
            outputs = (Notice(notice),) + menu
        else:
            outputs = (Notice(notice), Notice("voice_keys"))
        parts = self.paged(compose(self.content, place.lang, outputs, "voice", now), place)
        if place.at == contract.MAIN_MENU:
            parts, call = self.with_extras(parts, place, call, extras, now)
        timeout = PAGE_SILENCE_TIMEOUT if first_quiet else GATHER_TIMEOUT
        return self.menu(parts, place, call, links, timeout)

    def language_menu(self, offer: tuple[str, ...], call: Call, links: Links, can_text: bool,
                      now: dt.datetime | None = None, engine: str = "", back: tuple[str, ...] = (),
                      lang: str = "") -> VoiceResponse:
        """Each language said in itself, with its fixed key. A language the line cannot speak
        is named by its recording when there is one, else in English; choosing it gets what
        exists for it (see unspoken)."""
        parts: list[Part] = []
        for code in sorted(offer, key=lambda c: int(menu_key(c))):
            key = menu_key(code)
            if self.speaks(code):
                name = self.book(code).language.native_name
                parts.append(Choice(key, name[:1].upper() + name[1:], code, language_context(code)))
            elif self.has_clip(code, message_context("voice_sms_offer")):
                parts.append(Line(self.book(code).message("voice_sms_offer", language=english_name(code), key=key),
                                  code, message_context("voice_sms_offer")))
            elif self.has_clip(code, language_context(code)):
                parts.append(Choice(key, self.book(code).language.native_name, code, language_context(code)))
            else:
                parts.append(Line(self.book(ENGLISH).message("voice_sms_offer", language=english_name(code), key=key),
                                  ENGLISH, message_context("voice_sms_offer")))
        # The place keeps the caller's language so far ("" for none yet): the engine tells a
        # first choice (welcome) from a change (back to where they were).
        place = CallPlace(LANGUAGE_MENU, lang, tuple(offer), back, engine)
        return self._menu(parts, place, call, links, GATHER_TIMEOUT)

    def unspoken(self, code: str, call: Call, links: Links, now: dt.datetime, max_call: int,
                 sent: bool | None, caller_id: str | None = None) -> VoiceResponse:
        """What a caller whose language the line cannot speak gets, at once.

        The NYS Office for New Americans hotline has interpreters in over 200 languages: while
        it is open the call is put through to it. Otherwise `sent` says whether the text
        message offer went out (None: it could not be sent); either way the ONA number is said.
        """
        if self.ona_open(now):
            response = VoiceResponse()
            self.say_message(response, code, "voice_ona_connecting", links)
            place = CallPlace(ONA_PLACE, code)
            # From the hotline's number when there is one: ONA need not see the caller's.
            response.dial(self.ona_dial(), action=links.dialed(call, place), method="POST",
                          time_limit=max(60, call.remaining(now, max_call)),
                          **({"caller_id": caller_id} if caller_id else {}))
            return response
        return self.goodbye(code, links, before=("voice_sms_sent",) if sent else ())

    def goodbye(self, lang: str, links: Links, before: tuple[str, ...] = ()) -> VoiceResponse:
        """Say `before` (message ids), the ONA hotline's number, goodbye, then hang up: the only
        way a call ends here, so every caller leaves with a number to call."""
        response = VoiceResponse()
        for message_id in before + ("voice_ona", "voice_goodbye"):
            self.say_message(response, lang, message_id, links)
        response.hangup()
        return response

    # --- the volunteer line ---------------------------------------------------------------

    def ring(self, lang: str, numbers: tuple[str, ...], caller_id: str, ring_seconds: int, call: Call, links: Links,
             now: dt.datetime, max_call: int, message: str = "voice_volunteer_connecting", action: str | None = None,
             whisper: str | None = None) -> VoiceResponse:
        """Ring every on-call volunteer (or responder) at once; the first to accept (the whisper)
        gets the caller. The joined call ends with the call's own time limit.

        `action` and `whisper` default to the volunteer line's (press 1 to accept); the report
        line passes its own: where the call goes when the <Dial> ends, and what the one who
        answers hears before the caller is put through.
        """
        response = VoiceResponse()
        self.say_message(response, lang, message, links)
        place = CallPlace(VOLUNTEER, lang)
        dial = response.dial(caller_id=caller_id, action=action or links.dialed(call, place), method="POST",
                             timeout=ring_seconds, time_limit=max(60, call.remaining(now, max_call)))
        whisper = whisper or links.whisper(call, place)
        for number in numbers:
            dial.number(number, url=whisper, method="POST")
        return response

    def whisper(self, lang: str, action: str) -> VoiceResponse:
        """What a volunteer hears on answering, before being joined: the caller's language, and
        press 1 to accept. No key (a voicemail answering, say) hangs up on that phone only, and
        Twilio treats the leg as not answered."""
        response = VoiceResponse()
        gather = response.gather(input="dtmf", num_digits=1, finish_on_key="", action=action, method="POST",
                                 timeout=WHISPER_TIMEOUT)
        self.say_message(gather, ENGLISH, "voice_whisper", _NO_LINKS, language=english_name(lang))
        response.hangup()
        return response

    def no_volunteer(self, lang: str, why: str, referrals: tuple[str, ...], call: Call, links: Links, now: dt.datetime,
                     voicemail: bool = False) -> VoiceResponse | Filled:
        """Outside hours or no answer: who else to call, then the way back (or a message).

        `why` is the message id that says which; with `voicemail` (off by default) the
        caller may leave a message, and the on-call volunteers are told one is waiting.
        """
        book = self.book(lang)
        parts: list[Part] = [Line(book.message(why), book.code, message_context(why))]
        parts.extend(referral_lines(self.content, book, referrals, "voice", now))
        place = CallPlace(VOLUNTEER, book.code)
        if not voicemail:
            parts.append(Line(book.message("voice_keys"), book.code, message_context("voice_keys")))
            return self.menu(parts, place, call.saying("k"), links)
        response = VoiceResponse()
        parts.append(Line(book.message("voice_voicemail"), book.code, message_context("voice_voicemail")))
        for part in parts:
            self.speak(response, part, links)
        # Twilio keeps the audio in the account; this app never fetches or stores it. The
        # status callback only tells the volunteers that a message is there.
        response.record(action=links.recorded(call, place), method="POST", max_length=120, finish_on_key="#",
                        play_beep=True, timeout=5, recording_status_callback=links.voicemail_ready(),
                        recording_status_callback_method="POST")
        response.redirect(links.silence(call, place), method="POST")
        return response


_NO_LINKS = Links(key=lambda c, p: "", silence=lambda c, p: "", clip=_no_clip)


def _label(label: str) -> str:
    return label.rstrip(" .:;")


def option(words: str) -> str:
    """A question label before the pattern's colon or comma keeps its question mark, not
    both, and what follows starts a sentence: "Is the warrant valid? Press 1."."""
    words = re.sub(r"([?!؟])\s*[:：,，]\s*(\w)", lambda m: f"{m.group(1)} {m.group(2).upper()}", words)
    return re.sub(r"([？！])\s*[:：,，]\s*", r"\1", words)


# --- what a caller said --------------------------------------------------------------------

# Number words a recogniser may return instead of a digit ("uno", "one", "один", "واحد", "一").
NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "0": ("zero", "oh", "cero", "нуль", "ноль", "صفر", "零", "〇"),
    "1": ("one", "uno", "una", "один", "одна", "одну", "واحد", "一", "壹"),
    "2": ("two", "dos", "два", "дві", "две", "اثنان", "اثنين", "إثنان", "二", "两", "兩"),
    "3": ("three", "tres", "три", "ثلاثة", "ثلاثه", "三"),
    "4": ("four", "cuatro", "чотири", "четыре", "أربعة", "اربعة", "اربعه", "四"),
    "5": ("five", "cinco", "п'ять", "пять", "خمسة", "خمسه", "五"),
    "6": ("six", "seis", "шість", "шесть", "ستة", "سته", "六"),
    "7": ("seven", "siete", "сім", "семь", "سبعة", "سبعه", "七"),
    "8": ("eight", "ocho", "вісім", "восемь", "ثمانية", "ثمانيه", "八"),
    "9": ("nine", "nueve", "дев'ять", "девять", "تسعة", "تسعه", "九"),
}
_NUMBER = {normalize(word): key for key, words in NUMBER_WORDS.items() for word in words}
# Words around a number that change nothing: "number one", "option 2", "第一", "选三", "الرقم واحد".
_FILLER = {normalize(w) for w in ("number", "option", "press", "the", "número", "numero", "opción", "opcion",
                                  "el", "la", "номер", "варіант", "вариант", "الرقم", "رقم", "خيار")}
_CJK_FILLER = "第号號个個选選项項按请請"
# Traditional characters a recogniser (or a caller's own phone) may return, as the Simplified
# the catalogs are written in: just the characters of the hotline's labels.
_TRADITIONAL = str.maketrans(dict(zip(
    "門車護話錄關於這線問題釋們劃費說時間當資訊權執員號選項請聽語遍單電場實質對開無義務國際難聯係親屬財產監獄證據許陳簽聲應該麼辦樣見觀點從來為會與後發現處區鄰縣紐約長島幫師執備計劃給談錄庭離被捕頭題嗎",
    "门车护话录关于这线问题释们划费说时间当资讯权执员号选项请听语遍单电场实质对开无义务国际难联系亲属财产监狱证据许陈签声应该么办样见观点从来为会与后发现处区邻县纽约长岛帮师执备计划给谈录庭离被捕头题吗")))
_CJK = re.compile(r"[\u3400-\u9fff]")


def _number(said: str) -> str:
    if said in _NUMBER:
        return _NUMBER[said]
    if _CJK.search(said):
        bare = "".join(ch for ch in said if ch not in _CJK_FILLER and not ch.isspace())
        return _NUMBER.get(bare, "")
    words = [w for w in re.split(r"[\s,.!?]+", said) if w and w not in _FILLER]
    if len(words) == 1:
        word = words[0]
        return word if word.isdigit() and len(word) == 1 else _NUMBER.get(word, "")
    return ""


def _stems(text: str) -> set[str]:
    return {word[:5] for word in re.split(r"[^\w']+", text) if len(word) > 2}


def _bigrams(text: str) -> set[str]:
    chars = [ch for ch in text if _CJK.match(ch)]
    return {a + b for a, b in zip(chars, chars[1:])}


def _score(said: str, label: str) -> float:
    """How much of what was said is in the label: CJK by character pairs, else word stems."""
    if _CJK.search(said):
        heard_pairs = _bigrams(said)
        return len(heard_pairs & _bigrams(label)) / len(heard_pairs) if heard_pairs else 0.0
    heard_words = _stems(said)
    if not heard_words:
        return 0.0
    label_words = _stems(label)
    hits = sum(1.0 if w in label_words else 0.5 if any(w[:3] == l[:3] for l in label_words) else 0.0
               for w in heard_words)
    return hits / len(heard_words)


def heard(speech: str, choices: list[Choice]) -> tuple[str, bool]:
    """What a caller said, as the key it stands for, and whether it matched a choice.

    A number word or digit picks that key; otherwise the choice whose label holds most of
    what was said (at least half, and more than any other). Unmatched words are passed on as
    they are, so the engine's keywords (MENU, HELP, BACK in any language) still work by voice.
    """
    said = normalize(speech).translate(_TRADITIONAL)
    if not said:
        return "", False
    keys = {choice.key for choice in choices}
    number = _number(said)
    if number and (number in keys or number == "0"):
        return number, True
    scored = sorted(((_score(said, normalize(c.label).translate(_TRADITIONAL)), c.key) for c in choices), reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1], True
    return said, False
