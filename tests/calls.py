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
from hotline.channels.voice import unpack
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
    "Reject": {"reason"},
    "Dial": {"action", "method", "timeout", "callerId", "hangupOnStar", "timeLimit", "record", "answerOnBridge",
             "ringTone", "trim"},
    "Number": {"sendDigits", "url", "method", "statusCallback", "statusCallbackEvent", "statusCallbackMethod"},
    "Record": {"action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim", "transcribe",
               "transcribeCallback", "recordingStatusCallback", "recordingStatusCallbackMethod"},
}
CHILDREN = {
    "Response": {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Dial", "Record", "Reject"},
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


def check_twiml(data: bytes, whisper: bool = False) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "Response", root.tag
    _check(root)
    verbs = list(root)
    if whisper and not verbs:
        return root  # a whisper's empty document joins the volunteer to the caller
    assert verbs, "an empty <Response/> is a silent line"
    if any(verb.tag == "Reject" for verb in verbs):
        # A call not picked up (Twilio: <Reject> first, nothing after it; reason busy or rejected)
        assert len(verbs) == 1 and verbs[0].get("reason") in ("busy", "rejected"), [v.tag for v in verbs]
        return root
    last = verbs[-1]
    assert last.tag in ("Redirect", "Hangup") or (last.tag == "Dial" and last.get("action")), \
        f"the call would stop after <{last.tag}>: a dead end"
    if last.tag == "Hangup" and not whisper:
        assert says_ona_number(root), "a call ends without the ONA hotline's number"
    return root


ONA_SPOKEN = "1, 8 0 0, 5 6 6, 7 6 3 6"


def says_ona_number(root: ET.Element) -> bool:
    """The NYS Office for New Americans number, digit by digit (or its recording)."""
    return any((el.tag == "Say" and ONA_SPOKEN in (el.text or "")) or
               (el.tag == "Play" and (el.text or "").endswith("/messages__voice_ona.mp3")) for el in root.iter())


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
        # Twilio's default finishOnKey is "#": a lone "#" would end the Gather without
        # reaching the action. Every prompt here offers single keys, "#" among them.
        assert element.get("finishOnKey") == "" and element.get("numDigits") == "1", \
            f"<Gather finishOnKey={element.get('finishOnKey')!r}> would swallow a key the prompt offers"
        assert any(child.tag in ("Say", "Play") for child in element), "a silent <Gather>"
        if "speech" in element.get("input", ""):
            assert element.get("language") in GATHER_TAGS and BCP47.match(element.get("language"))
        else:
            assert element.get("input") == "dtmf" and element.get("language") is None
    if element.tag == "Play":
        assert (element.text or "").startswith("https://"), "Twilio fetches <Play> audio by URL"
    if element.tag == "Number":
        assert E164.match(element.text or "")
    if element.tag == "Dial":
        assert element.get("callerId") is None or E164.match(element.get("callerId"))
        assert element.get("timeLimit") and int(element.get("timeLimit")) >= 60, "a <Dial> without a time limit"


@dataclass
class Heard:
    """One response: what the caller hears, and where the call goes next."""

    root: ET.Element
    said: list[tuple[str, str, str]] = field(default_factory=list)  # (verb, language or clip language, text or URL)
    sealer: object = None  # the app's token sealer: the tests' only way to read a URL's state

    @classmethod
    def of(cls, data: bytes, sealer=None, whisper: bool = False) -> "Heard":
        heard = cls(check_twiml(data, whisper), sealer=sealer)
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
        """What the gather's action token holds: at, lang, m (misses), t (started), ..."""
        gather = self.gather
        assert gather is not None, "no <Gather> here"
        return self.state_of(gather.get("action"))

    def state_of(self, url: str) -> dict[str, str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert set(query) == {"s"}, f"a follow-up URL with readable state: {url}"
        call, place = unpack(self.sealer.open(query["s"]))
        # The second half of a long menu is a place of its own for a walk.
        return {"at": place.at + ("+more" if place.more else ""), "lang": place.lang, "m": str(call.misses), "t": str(call.started), "said": call.said,
                "offer": ",".join(place.offer), "more": "1" if place.more else "", "back": ",".join(place.back)}

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

    @property
    def sealer(self):
        return self.twilio.client.application.extensions["hotline_phone"].sealer

    def _post(self, url: str, whisper: bool = False, **extra) -> Heard:
        path = url.removeprefix(self.twilio.base_url)
        self._last_url, self._last_extra = url, dict(extra, whisper=whisper)
        response = self.twilio.post(path, dict(self.params, **extra))
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.last = Heard.of(response.data, self.sealer, whisper)
        self.log.append(self.last)
        return self.last

    def dial(self) -> Heard:
        return self._post("/voice")

    def press(self, digits: str) -> Heard:
        """Press keys as Twilio's <Gather> hears them: the numDigits first ones reach the
        action, unless a finishOnKey ends it first; a lone finishing key (Twilio's default
        "#") reaches nothing and the call falls through to the <Redirect>."""
        gather = self.last.gather
        assert gather is not None, f"nothing to press: {self.last.verbs()}"
        finish = gather.get("finishOnKey", "#")
        wanted = int(gather.get("numDigits", "0") or 0)
        typed = ""
        for key in digits:
            if finish and key == finish:
                break
            typed += key
            if wanted and len(typed) == wanted:
                break
        if not typed:
            return self.wait()
        return self._post(self._action(), Digits=typed)

    def again(self) -> Heard:
        """The same request as the last one, again (a Twilio retry)."""
        return self._post(self._last_url, **self._last_extra)

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

    def whisper(self, digits: str | None = None) -> Heard:
        """The volunteer's phone answers: Twilio fetches the <Number url> (then its Gather's
        action with the key pressed, if any)."""
        ring = next(heard for heard in reversed(self.log) if heard.root.find("Dial/Number") is not None)
        number = ring.root.find("Dial/Number")
        heard = self._post(number.get("url"), whisper=True)
        if digits is None:
            return heard
        return self._post(heard.gather.get("action"), whisper=True, Digits=digits)

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
    """phone_app(volunteers=..., sender=..., languages=..., clock=..., settings={...}, **phone settings)."""

    def build(volunteers=None, sender=None, languages=("en", "es", "ht", "ps"), clock=lambda: SATURDAY_AFTERNOON,
              recordings=RECORDINGS, settings=None, **phone):
        line = PhoneSettings(recordings_dir=recordings, hotline_number=HOTLINE, volunteers=volunteers, **phone)
        return make_app(clock=clock, redis_url=redis_url, flows_dir=FLOWS, translations_dir=CATALOGS,
                        languages=languages, HOTLINE_PHONE=line, HOTLINE_TEXT_SENDER=sender, **(settings or {}))

    return build


def walk_every_node(call: PhoneCall, start: Heard, keys: bool = False) -> tuple[dict[str, tuple[str, ...]], list[Heard]]:
    """Reach every node from `start` (a main menu) by keypad, breadth first.

    Each node is reached afresh from the main menu by its shortest key path: BACK remembers
    only a few menus, so a deep walk cannot rely on it to climb out. Every key 1-9 is tried
    at every node; a key a menu does not have must be re-prompted, never hung up on.
    With `keys`, the fixed keys are checked at every place too, on Twilio's semantics
    (PhoneCall.press): * says the same place again, # goes back to the place before (at the
    main menu: the language menu), 0 is the main menu.
    Returns the key path to each place and everything heard on the way.
    """
    paths = {start.place["at"]: ()}
    queue, heard_all = [start.place["at"]], [start]

    def reach(at: str) -> Heard:
        heard = call.press("0")
        for step in paths[at]:
            heard = call.press(step)
        assert heard.place["at"] == at
        return heard

    while queue:
        at = queue.pop(0)
        if keys:
            here = reach(at)
            again = call.press("*")
            assert again.place["at"] == at and again.said, f"* at {at}"
            back = call.press("#")
            if at == start.place["at"]:
                assert back.place["at"] == "@lang", f"# at the main menu went to {back.place['at']}"
            else:
                # the second half of a long menu comes back as its first half: the same menu
                parent = reach_parent(paths, at).split("+")[0]
                assert back.place["at"].split("+")[0] == parent, f"# at {at} went to {back.place['at']}"
            reach(at)
            assert call.press("0").place["at"] == start.place["at"], f"0 at {at}"
            heard_all.extend([here, again, back])
        for key in "123456789":
            reach(at)
            below = call.press(key)
            assert not below.hung_up, f"key {key} at {at} hung up"
            heard_all.append(below)
            if below.place["at"] not in paths:
                paths[below.place["at"]] = paths[at] + (key,)
                queue.append(below.place["at"])
    return paths, heard_all


def reach_parent(paths: dict[str, tuple[str, ...]], at: str) -> str:
    """The place one key before `at` on its shortest path: where # must go back to."""
    path = paths[at][:-1]
    return next(place for place, keys in paths.items() if keys == path)
