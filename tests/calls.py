"""Phone calls in tests: signed webhooks, following the URLs the app returns, TwiML checked each time.

Every response goes through `check_twiml`: it parses as XML, its root is <Response>, it uses
only verbs, nesting and attributes Twilio accepts, every language tag is one Twilio has for
that verb (and the voice is that language's), and the call never stops without a way on:
the last verb is a <Redirect>, a <Hangup>, or a <Dial> with an action.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import FIXTURES, SATURDAY_AFTERNOON
from hotline.config import PhoneSettings
from hotline.errors import SendFailed
from hotline.config import Volunteers, parse_hours

# Verb -> attributes Twilio documents for it (the subset a hotline could use is enough to
# catch a typo or an invented attribute).
ATTRIBUTES = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Gather": {"action", "method", "timeout", "input", "numDigits", "finishOnKey", "language", "hints",
               "speechTimeout", "speechModel", "actionOnEmptyResult", "profanityFilter", "enhanced", "bargeIn"},
    "Redirect": {"method"},
    "Hangup": set(),
    "Dial": {"action", "method", "timeout", "callerId", "hangupOnStar", "timeLimit", "record", "answerOnBridge",
             "ringTone", "trim"},
    "Number": {"sendDigits", "url", "method", "statusCallback", "statusCallbackEvent", "statusCallbackMethod"},
    "Record": {"action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim", "transcribe",
               "transcribeCallback", "recordingStatusCallback", "recordingStatusCallbackMethod"},
}
CHILDREN = {
    "Response": {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Dial", "Record"},
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number"},
}
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?-[A-Z]{2}$")
# Written from Twilio's documentation, not from the production voice table these tests check:
# the <Say language> tags of Twilio's Google text-to-speech voices for the languages the
# hotline could speak, and the <Gather language> tags its speech recognition accepts for them.
# A tag the app emits that is not here would make Twilio fail the verb (warnings 13512/13331).
SAY_TAGS = {"en-US", "en-GB", "es-US", "es-ES", "es-MX", "uk-UA", "ru-RU", "ar-XA", "cmn-CN", "cmn-TW", "fr-FR"}
GATHER_TAGS = {"en-US", "en-GB", "es-US", "es-ES", "es-MX", "uk-UA", "ru-RU", "ar-SA", "ar-EG", "ar-AE",
               "cmn-Hans-CN", "cmn-Hant-TW", "fa-IR", "fr-FR"}
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def check_twiml(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "Response", root.tag
    _check(root)
    verbs = list(root)
    assert verbs, "an empty <Response/> is a silent line"
    last = verbs[-1]
    assert last.tag in ("Redirect", "Hangup") or (last.tag == "Dial" and last.get("action")), \
        f"the call would stop after <{last.tag}>: a dead end"
    return root


def _check(element: ET.Element) -> None:
    assert element.tag in ATTRIBUTES, f"<{element.tag}> is not a TwiML voice verb"
    extra = set(element.attrib) - ATTRIBUTES[element.tag]
    assert not extra, f"<{element.tag}> has attributes Twilio does not accept: {extra}"
    for child in element:
        assert child.tag in CHILDREN.get(element.tag, set()), f"<{child.tag}> cannot be inside <{element.tag}>"
        _check(child)
    if element.tag == "Say":
        language, voice = element.get("language"), element.get("voice")
        assert language in SAY_TAGS and BCP47.match(language), f"Say language {language!r}"
        assert voice and voice.startswith(f"Google.{language}-"), f"voice {voice!r} does not speak {language}"
        assert (element.text or "").strip(), "an empty <Say>"
    if element.tag == "Gather":
        assert element.get("action") and element.get("method") == "POST"
        if "speech" in element.get("input", ""):
            assert element.get("language") in GATHER_TAGS and BCP47.match(element.get("language"))
        else:
            assert element.get("input") == "dtmf" and element.get("language") is None
    if element.tag == "Play":
        assert (element.text or "").startswith("https://"), "Twilio fetches <Play> audio by URL"
    if element.tag == "Number":
        assert E164.match(element.text or "")
    if element.tag == "Dial":
        assert E164.match(element.get("callerId", ""))


@dataclass
class Heard:
    """One response: what the caller hears, and where the call goes next."""

    root: ET.Element
    said: list[tuple[str, str, str]] = field(default_factory=list)  # (verb, language or clip language, text or URL)

    @classmethod
    def of(cls, data: bytes) -> "Heard":
        heard = cls(check_twiml(data))
        for element in heard.root.iter():
            if element.tag == "Say":
                heard.said.append(("Say", element.get("language"), element.text))
            elif element.tag == "Play":
                heard.said.append(("Play", element.text.split("/recordings/")[-1].split("/")[0], element.text))
        return heard

    @property
    def text(self) -> str:
        return "\n".join(words for verb, _, words in self.said if verb == "Say")

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def place(self) -> dict[str, str]:
        """The query of the gather's action: at=, lang=, counters."""
        gather = self.gather
        assert gather is not None, "no <Gather> here"
        return {k: v[0] for k, v in parse_qs(urlsplit(gather.get("action")).query).items()}

    @property
    def hung_up(self) -> bool:
        return self.root[-1].tag == "Hangup"

    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]


class PhoneCall:
    """One call, as Twilio places it: every request signed, every URL the app's own."""

    def __init__(self, twilio, number: str = "+16075550123", sid: str = "CA" + "ab" * 16):
        self.twilio = twilio
        self.params = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": number, "To": "+16075550199",
                       "Direction": "inbound", "CallStatus": "in-progress", "FromCity": "BINGHAMTON",
                       "FromState": "NY", "FromZip": "13901", "FromCountry": "US"}
        self.last: Heard | None = None
        self.log: list[Heard] = []

    def _post(self, url: str, **extra) -> Heard:
        path = url.removeprefix(self.twilio.base_url)
        response = self.twilio.post(path, dict(self.params, **extra))
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.last = Heard.of(response.data)
        self.log.append(self.last)
        return self.last

    def dial(self) -> Heard:
        return self._post("/voice")

    def press(self, digits: str) -> Heard:
        return self._post(self._action(), Digits=digits)

    def say(self, words: str) -> Heard:
        return self._post(self._action(), SpeechResult=words, Confidence="0.9")

    def wait(self) -> Heard:
        """Press nothing: Twilio falls through the <Gather> to the <Redirect>."""
        redirect = self.last.root.find("Redirect")
        assert redirect is not None and self.last.root[-1] is redirect
        return self._post(redirect.text)

    def dial_ended(self, status: str) -> Heard:
        dial = self.last.root.find("Dial")
        return self._post(dial.get("action"), DialCallStatus=status)

    def recorded(self) -> Heard:
        record = self.last.root.find("Record")
        return self._post(record.get("action"), RecordingUrl="https://api.twilio.com/recording/RE1",
                          RecordingDuration="12")

    def _action(self) -> str:
        gather = self.last.gather
        assert gather is not None, f"nothing to press: {self.last.verbs()}"
        return gather.get("action")


# --- the small phone hotline of tests/fixtures (see tests/fixtures/make_voice_fixtures.py) ---

HOTLINE = "+16075550199"
ON_CALL = ("+16075550111", "+16075550112")
FLOWS = FIXTURES / "flows_voice"
CATALOGS = FIXTURES / "translations_voice"
RECORDINGS = FIXTURES / "recordings"


class FakeSender:
    """Records the text messages the line would send (and can refuse, like a landline)."""

    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    def send(self, to: str, body: str) -> None:
        if self.fail:
            raise SendFailed("test")
        self.sent.append((to, body))


def volunteers(**changes) -> Volunteers:
    values = dict(numbers=ON_CALL, hours=parse_hours("mon-fri 09:00-21:00; sat 10:00-16:00"), referrals=("ona", "idp"))
    values.update(changes)
    return Volunteers(**values)


@pytest.fixture
def phone_app(make_app, redis_url):
    """phone_app(volunteers=..., sender=..., languages=..., clock=..., **phone settings)."""

    def build(volunteers=None, sender=None, languages=("en", "es", "ht", "ps"), clock=lambda: SATURDAY_AFTERNOON,
              recordings=RECORDINGS, **phone):
        settings = PhoneSettings(recordings_dir=recordings, hotline_number=HOTLINE, volunteers=volunteers, **phone)
        return make_app(clock=clock, redis_url=redis_url, flows_dir=FLOWS, translations_dir=CATALOGS,
                        languages=languages, HOTLINE_PHONE=settings, HOTLINE_TEXT_SENDER=sender)

    return build


def walk_every_node(call: PhoneCall, start: Heard) -> tuple[dict[str, tuple[str, ...]], list[Heard]]:
    """Reach every node from `start` (a main menu) by keypad, breadth first.

    Each node is reached afresh from the main menu by its shortest key path: BACK remembers
    only a few menus, so a deep walk cannot rely on it to climb out. Every key 1-9 is tried
    at every node; a key a menu does not have must be re-prompted, never hung up on.
    Returns the key path to each node and everything heard on the way.
    """
    paths = {start.place["at"]: ()}
    queue, heard_all = [start.place["at"]], [start]
    while queue:
        at = queue.pop(0)
        for key in "123456789":
            heard = call.press("0")
            for step in paths[at]:
                heard = call.press(step)
            assert heard.place["at"] == at
            below = call.press(key)
            assert not below.hung_up, f"key {key} at {at} hung up"
            heard_all.append(below)
            if below.place["at"] not in paths:
                paths[below.place["at"]] = paths[at] + (key,)
                queue.append(below.place["at"])
    return paths, heard_all
