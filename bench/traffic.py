"""The benchmark's traffic: callers walking the real menus, as requests signed as Twilio signs them.

A request is (path, form): the path as Twilio would request it (query string included) and the
form parameters Twilio would post. Walks are worked out before the run, so the load generator
only replays bytes:

- SMS: each caller's messages are simulated on the real engine (hotline.core.engine.step), so every
  digit sent is a real key of the menu the caller is at: a first message in the caller's
  language, then menu choices, content pages, BACK, 0 and language switches.
- Voice: each call is placed in-process against the real app (its phone routes, a store of its
  own) and follows the URLs the app returns, exactly as Twilio does: POST /voice, then keys
  pressed (or words said, or nothing) on each <Gather>'s action URL, or its <Redirect> when
  the caller waits, until the call hangs up or the walk ends. Those URLs carry the call's
  start time: replay them within HOTLINE_VOICE_MAX_CALL (30 minutes) of generating them.

`signed_lines` then signs every request for the server it is meant for: X-Twilio-Signature
covers the full URL (base + path + query) and the form, so the same walk is signed once per
server.
"""
from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from typing import Iterable
from urllib.parse import parse_qs, urlencode, urlsplit

Request = tuple[str, dict[str, str]]

ACCOUNT = "AC" + "0" * 32
LINE_NUMBER = "+16075550199"  # the fictional 555-01xx number the tests use for the hotline


def caller_number(caller: int) -> str:
    """A distinct US number per caller (the 607 area code is Broome County's)."""
    return f"+1607{caller:07d}"


# --- SMS ---------------------------------------------------------------------------------


def sms_walks(content, callers: int, steps: int, seed: int = 7) -> list[list[str]]:
    """Per caller, the texts of a realistic conversation, simulated on the real engine."""
    from hotline.core.engine import LANGUAGE_MENU, State, step
    from hotline.core.words import Words
    from hotline.core import contract

    rng = random.Random(seed)
    codes = content.languages.codes
    greetings = {}
    for code in codes:
        words = [w for w, langs in content.languages.words.items() if langs == frozenset({code})]
        greetings[code] = sorted(words) or ["hi"]
    result = []
    for _ in range(callers):
        lang = rng.choice(codes)
        state = State()
        texts = [rng.choice(greetings[lang])]
        state = step(content, state, Words(texts[0])).state
        for _ in range(steps - 1):
            if state.node and state.node.startswith(LANGUAGE_MENU):
                listed = state.node.partition(":")[2]
                options = listed.split(",") if listed else list(codes)
                text = str(rng.randint(1, len(options)))
            else:
                node = content.script.nodes.get(state.node or contract.MAIN_MENU)
                roll = rng.random()
                if roll < 0.05 and len(codes) > 1:
                    text = "LANGUAGE"  # a language switch mid-conversation
                elif roll < 0.12:
                    text = "BACK"
                elif roll < 0.17 or not node.menu:
                    text = "0"
                else:
                    text = str(rng.choice(node.menu).key)
            texts.append(text)
            state = step(content, state, Words(text)).state
        result.append(texts)
    return result


def sms_requests(walks: list[list[str]], first_caller: int = 0, first_sid: int = 0) -> list[list[Request]]:
    """The walks as Twilio's messaging webhooks: one MessageSid per message, as Twilio gives."""
    sid = first_sid
    result = []
    for number, texts in enumerate(walks):
        requests = []
        for text in texts:
            requests.append(("/sms", {
                "MessageSid": f"SM{sid:032x}", "AccountSid": ACCOUNT, "From": caller_number(first_caller + number),
                "To": LINE_NUMBER, "Body": text, "NumMedia": "0", "NumSegments": "1", "FromCountry": "US"}))
            sid += 1
        result.append(requests)
    return result


# --- voice -------------------------------------------------------------------------------


def call_params(caller: int, call: int) -> dict[str, str]:
    """What Twilio posts with every request of one call."""
    return {"CallSid": f"CA{call:032x}", "AccountSid": ACCOUNT, "From": caller_number(caller), "To": LINE_NUMBER,
            "Direction": "inbound", "CallStatus": "in-progress", "FromCountry": "US"}


class _Placed:
    """One call in progress against an in-process app: the last response, and where it leads."""

    def __init__(self, client, sign, base_url: str, params: dict[str, str]):
        self.client, self.sign, self.base_url, self.params = client, sign, base_url, params
        self.root: ET.Element | None = None

    def post(self, path: str, extra: dict[str, str] | None = None) -> Request:
        form = dict(self.params, **(extra or {}))
        response = self.client.post(path, data=form, base_url=self.base_url,
                                    headers={"X-Twilio-Signature": self.sign(self.base_url + path, form)})
        if response.status_code != 200:
            raise RuntimeError(f"the app answered {path} with {response.status_code}: the walk is not a real call")
        self.root = ET.fromstring(response.data)
        return path, form

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather") if self.root is not None else None

    @property
    def hung_up(self) -> bool:
        return self.root is not None and len(self.root) > 0 and self.root[-1].tag == "Hangup"


def voice_walks(app, callers: int, steps: int, first_caller: int = 0, seed: int = 11) -> list[list[Request]]:
    """Per caller, one call of up to `steps` requests, placed on `app` (which must check
    signatures against HOTLINE_PUBLIC_URL: every request of the walk passes that check)."""
    from twilio.request_validator import RequestValidator

    from hotline.channels.voice import LANGUAGE_MENU, unpack
    from hotline.channels.voice.speech import TTS, menu_key

    settings = app.config["HOTLINE_SETTINGS"]
    base_url = settings.public_url.rstrip("/")
    sign = RequestValidator(settings.auth_token).compute_signature
    client = app.test_client()
    board = app.extensions["hotline"]
    line = app.extensions["hotline_phone"].line(board.content)
    sealer = app.extensions["hotline_phone"].sealer
    content = line.content
    rng = random.Random(seed)
    result = []
    for number in range(callers):
        caller = first_caller + number
        placed = _Placed(client, sign, base_url, call_params(caller, caller))
        requests = [placed.post("/voice")]
        while len(requests) < steps and not placed.hung_up:
            gather = placed.gather
            action = gather.get("action") if gather is not None else None
            redirect = placed.root.find("Redirect")
            if action is None:  # nothing to press (a <Dial> or <Record>): the call goes where it says
                if redirect is None:
                    break
                requests.append(placed.post(redirect.text))
                continue
            # The URL holds one sealed token (no readable state): the walk opens it with the
            # app's own key, as only the app can.
            token = parse_qs(urlsplit(action).query)["s"][0]
            _, where = unpack(sealer.open(token))
            place = {"offer": ",".join(where.offer)}
            at, lang = where.at, where.lang or "en"
            roll = rng.random()
            if roll < 0.04 and redirect is not None:
                requests.append(placed.post(redirect.text))  # the caller waits: no key, the redirect
                continue
            if at == LANGUAGE_MENU:
                offer = place["offer"].split(",") if place.get("offer") else list(content.languages.codes)
                keys = [menu_key(code) for code in offer if line.speaks(code)]
                requests.append(placed.post(action, {"Digits": rng.choice(keys) if keys else "*"}))
                continue
            node = content.script.nodes.get(at)
            menu = [str(item.key) for item in node.menu] if node is not None else []
            voice = TTS.get(lang)
            if roll < 0.08 and menu and voice is not None and voice.speech:
                # Said instead of pressed: a label in the caller's language, as recognised speech.
                key = rng.choice(node.menu).key
                label = content.languages.book(lang).labels[(at, key)]
                requests.append(placed.post(action, {"SpeechResult": label, "Confidence": "0.9"}))
            elif roll < 0.13:
                requests.append(placed.post(action, {"Digits": "#"}))  # back (the language menu, from the main menu)
            elif roll < 0.18 or not menu:
                requests.append(placed.post(action, {"Digits": rng.choice(["0", "*"])}))
            else:
                requests.append(placed.post(action, {"Digits": rng.choice(menu)}))
        result.append(requests)
    return result


# --- signing -----------------------------------------------------------------------------


def interleaved(walks: list[list[Request]]) -> Iterable[Request]:
    """Step 1 of every caller, then step 2, ...: each caller's requests in order, far apart."""
    longest = max((len(w) for w in walks), default=0)
    for index in range(longest):
        for walk in walks:
            if index < len(walk):
                yield walk[index]


def signed_lines(base_url: str, token: str, requests: Iterable[Request]) -> list[str]:
    """One line per request for bench/load.lua: path, form body, signature (tab-separated)."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(token)
    base = base_url.rstrip("/")
    return [f"{path}\t{urlencode(form)}\t{validator.compute_signature(base + path, form)}" for path, form in requests]
