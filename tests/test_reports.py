"""The verified-report loop, end to end through the real webhooks, Redis and catalogs.

A resident reports by text; the on-shift responders get one relay (with a code, never the
reporter's number); two CONFIRMs from different responders make a verified alert that every
later texter and caller gets first, in their language; a FALSE or a lone CONFIRM shows
nothing. Then every Redis key and value and every log line is scanned for the report's words
and the reporter's number.
"""
from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest

from conftest import SATURDAY_AFTERNOON, Twilio, message_text
from hotline.reports.relay import InlineDispatch
from hotline.config import ReportSettings
from hotline.config import parse_hours

REPORTER = "+16075550177"
RESPONDERS = ("+16075550111", "+16075550112", "+16075550113")
# Distinctive words, so a leak of any of them anywhere is unmistakable.
WHAT = "three agents zorblax vests POLICE ICE"
WHERE = "Quillfeather St and Court St"
WHEN = "ten minutes ago"
TAKEN = "yes a neighbour vantablue"
SECRET_WORDS = ("zorblax", "quillfeather", "vantablue")


class Outbox:
    """The development outbox (HOTLINE_OUTBOX's OutboxSender), behind the real outbound guard:
    what reached it is what the guard let through, as (to, body, purpose)."""

    def __init__(self, folder):
        from hotline.session.outbound import OutboxSender

        self.sender = OutboxSender(folder)
        self.folder = folder

    @property
    def sent(self) -> list[tuple[str, str, str]]:
        records = [json.loads(f.read_text()) for f in sorted(self.folder.glob("*.json"))]
        return [(r["to"], r["body"], r["purpose"]) for r in records]


def report_settings(hours="mon-sun 00:00-24:00", **extra):
    return ReportSettings(RESPONDERS, parse_hours(hours), **extra)


@pytest.fixture
def loop(make_app, redis_url, tmp_path):
    def build(languages=("en",), clock=lambda: SATURDAY_AFTERNOON, **extra):
        outbox, dispatch = Outbox(tmp_path / "outbox"), InlineDispatch()
        app = make_app(redis_url=redis_url, languages=languages, clock=clock, HOTLINE_REPORTS=report_settings(**extra),
                       HOTLINE_TEXT_SENDER=outbox.sender, HOTLINE_REPORT_DISPATCH=dispatch)
        return app, Twilio(app.test_client()), outbox, dispatch
    return build


def report_key(app) -> str:
    """The key of "Report agents nearby" under More topics (main menu 9), as the flows say."""
    more = app.extensions["hotline"].content.script.nodes["more"]
    return str(next(item.key for item in more.menu if item.goto == "report"))


def walk_report(twilio, number=REPORTER, start="REPORT"):
    replies = [message_text(twilio.sms(number, start))]
    for answer in (WHAT, WHERE, WHEN, TAKEN):
        replies.append(message_text(twilio.sms(number, answer)))
    return replies


def test_a_report_reaches_the_responders_on_shift_with_a_code_and_without_the_number(loop):
    app, twilio, outbox, _ = loop()
    replies = walk_report(twilio)
    assert "Stay safe" in replies[0] and "What do you see?" in replies[0]
    assert replies[1].startswith("Where?") and replies[2].startswith("When?") and replies[3].startswith("Was anyone taken?")
    assert "Trained volunteers will check" in replies[4] and "do not share" in replies[4]
    assert [to for to, _, _ in outbox.sent] == list(RESPONDERS)
    bodies = {body for _, body, _ in outbox.sent}
    assert len(bodies) == 1
    body = bodies.pop()
    assert {purpose for _, _, purpose in outbox.sent} == {"responder_relay"}
    code = body.split()[1].rstrip(",")
    assert len(code) == 4 and code[0] == "R", body
    assert "zorblax" in body and "Quillfeather" in body and "vantablue" in body and f"CONFIRM {code}" in body
    assert "in English" in body
    assert len(body) <= 320
    for form in (REPORTER, REPORTER[1:], REPORTER[-7:], REPORTER[-4:]):
        assert form not in body


def confirm(twilio, responder, text):
    return message_text(twilio.sms(responder, text))


def sent_code(outbox):
    return outbox.sent[-1][1].split()[1].rstrip(",")


def test_two_confirmations_make_an_alert_everyone_gets_first_in_their_language(loop):
    app, twilio, outbox, _ = loop(languages=("en", "es", "ar"))
    message_text(twilio.sms(REPORTER, "hello"))
    walk_report(twilio)
    code = sent_code(outbox)
    first = confirm(twilio, RESPONDERS[0], f"CONFIRM {code} ICE agents at Court St and Main St, 3:40 PM")
    assert "1 of 2" in first
    # A lone confirmation shows nothing to the public.
    assert "Verified" not in message_text(twilio.sms("+16075550901", "hello"))
    # The same responder twice still counts once.
    assert "1 of 2" in confirm(twilio, RESPONDERS[0], f"CONFIRM {code} again")
    assert "verified alert" in confirm(twilio, RESPONDERS[1], f"CONFIRM {code} ICE agents at Court St and Main St")
    # Everyone who texts afterwards: the alert first (its own message), then their menu.
    response = twilio.sms("+16075550902", "hola")
    messages = [m.text for m in ET.fromstring(response.data)]
    assert messages[0].startswith("Verificado por voluntarios capacitados a las") and "Court St" in messages[0]
    assert len(messages[0]) <= 320
    spanish = message_text(response)
    assert "1" in spanish.split("\n\n", 2)[-1]
    arabic = [m.text for m in ET.fromstring(twilio.sms("+16075550903", "مرحبا").data)]
    assert "Court St" in arabic[0] and "تحقق" in arabic[0]
    # ALERTS at any time.
    assert "Court St" in message_text(twilio.sms("+16075550904", "ALERTS"))
    # A CONFIRM from a number that is not a responder's is an ordinary message.
    ordinary = message_text(twilio.sms("+16075550905", f"CONFIRM {code} nothing"))
    assert "What is happening?" in ordinary and "confirmation" not in ordinary and "is a verified alert" not in ordinary


def test_a_false_closes_the_report_and_shows_nothing(loop):
    app, twilio, outbox, _ = loop()
    walk_report(twilio)
    code = sent_code(outbox)
    assert "closed" in confirm(twilio, RESPONDERS[0], f"FALSE {code}")
    assert "closed" in confirm(twilio, RESPONDERS[1], f"CONFIRM {code} something")
    assert "no verified alerts" in message_text(twilio.sms("+16075550906", "ALERTS"))
    assert "Verified" not in message_text(twilio.sms("+16075550907", "hello"))


def test_a_verified_alert_is_spoken_before_the_phone_main_menu(loop, redis_url):

    app, twilio, outbox, _ = loop()
    walk_report(twilio)
    code = sent_code(outbox)
    confirm(twilio, RESPONDERS[0], f"CONFIRM {code} agents at Court St")
    confirm(twilio, RESPONDERS[1], f"CONFIRM {code} agents at Court St")
    response = twilio.post("/voice", {"CallSid": "CA" + "1" * 32, "From": "+16075550908", "To": "+16075550199",
                                      "AccountSid": "AC" + "0" * 32, "CallStatus": "ringing"})
    said = " ".join(e.text or "" for e in ET.fromstring(response.data).iter("Say"))
    assert said.index("Verified by trained volunteers") < said.index("Agents at my door")


def test_outside_responder_hours_the_reporter_is_told_and_nothing_is_kept(loop, redis_client):
    app, twilio, outbox, _ = loop(hours="mon 01:00-02:00")
    reply = message_text(twilio.sms(REPORTER, "REPORT"))
    assert "No trained volunteer is checking reports right now" in reply and "1-800-566-7636" in reply
    assert "zorblax" not in message_text(twilio.sms(REPORTER, WHAT))
    assert outbox.sent == []
    assert not [k for k in redis_client.scan_iter("hl:{rep}:*")]


def test_skip_and_cancel(loop, redis_client):
    app, twilio, outbox, _ = loop()
    message_text(twilio.sms(REPORTER, "REPORT"))
    assert message_text(twilio.sms(REPORTER, "SKIP")).startswith("Where?")
    message_text(twilio.sms(REPORTER, WHERE))
    assert list(redis_client.scan_iter("hl:*:r"))  # the draft, sealed
    stopped = message_text(twilio.sms(REPORTER, "0"))
    assert "Report stopped. Nothing was kept." in stopped and "Send 0 for the main menu" in stopped
    assert not list(redis_client.scan_iter("hl:*:r")) and outbox.sent == []
    # The menu's "Report agents nearby" (under More topics) starts the same questions.
    message_text(twilio.sms(REPORTER, "9"))
    assert "What do you see?" in message_text(twilio.sms(REPORTER, report_key(app)))


def test_twilio_retrying_a_report_answer_gets_the_same_reply_and_relays_once(loop):
    app, twilio, outbox, _ = loop()
    for body in ("REPORT", WHAT, WHERE, WHEN):
        message_text(twilio.sms(REPORTER, body))
    sid = {"MessageSid": "SM" + "7" * 32}
    first = message_text(twilio.sms(REPORTER, TAKEN, **sid))
    again = message_text(twilio.sms(REPORTER, TAKEN, **sid))
    assert first == again and "Trained volunteers will check" in again
    assert len(outbox.sent) == len(RESPONDERS)


def test_reports_per_caller_are_limited_and_a_flood_reaches_responders_as_a_digest(loop):
    app, twilio, outbox, dispatch = loop(per_day=2, digest_after=2)
    walk_report(twilio)
    walk_report(twilio)
    assert "several reports today" in message_text(twilio.sms(REPORTER, "REPORT"))
    for n in range(4):
        walk_report(twilio, number=f"+1607555030{n}")
    single = [body for _, body, _ in outbox.sent]
    assert len(single) == 2 * len(RESPONDERS)  # the first two, one SMS each; the rest wait
    dispatch.run_later()
    digests = [body for _, body, _ in outbox.sent[len(single):]]
    assert digests and all(len(d) <= 320 for d in digests)
    assert len(digests) < 4 * len(RESPONDERS)
    assert "4 reports at once" in digests[0]


def test_privacy_scan_after_the_whole_loop(loop, redis_client, caplog, figure, monkeypatch):
    """Redis holds no report words in the clear, none after delivery, and every key has a TTL;
    no log line holds the words or the reporter's number."""
    caplog.set_level(logging.DEBUG)
    app, twilio, outbox, _ = loop(languages=("en", "es"))
    message_text(twilio.sms(REPORTER, "REPORT"))
    message_text(twilio.sms(REPORTER, WHAT))
    message_text(twilio.sms(REPORTER, WHERE))
    during = {k: redis_client.get(k) for k in redis_client.scan_iter("*") if redis_client.type(k) == b"string"}
    drafts = [k for k in during if k.endswith(b":r")]
    assert drafts and all(redis_client.ttl(k) <= 2 * 3600 for k in drafts)
    message_text(twilio.sms(REPORTER, WHEN))
    message_text(twilio.sms(REPORTER, TAKEN))
    code = sent_code(outbox)
    confirm(twilio, RESPONDERS[0], f"CONFIRM {code} agents near the courthouse")
    confirm(twilio, RESPONDERS[1], f"CONFIRM {code} agents near the courthouse")
    message_text(twilio.sms("+16075550910", "hola"))
    keys = list(redis_client.scan_iter("*"))
    values = []
    for key in keys:
        kind = redis_client.type(key)
        if kind == b"string":
            values.append(redis_client.get(key))
        elif kind == b"hash":
            values.extend(k + b"=" + v for k, v in redis_client.hgetall(key).items())
        elif kind == b"list":
            values.extend(redis_client.lrange(key, 0, -1))
        ttl = redis_client.ttl(key)
        assert 0 < ttl, f"{key!r} has no TTL"
        if b"{rep}" in key and key.endswith(b":w") or key.endswith(b":r"):
            assert ttl <= 2 * 3600
    assert not [k for k in keys if k.endswith(b":w") or k.endswith(b":r")], "words kept after delivery"
    blob = b"\n".join(keys + values + list(during.values())).decode("utf-8", "replace").lower()
    logs = caplog.text.lower()
    digits = REPORTER.lstrip("+")
    for secret in SECRET_WORDS + (REPORTER, digits, digits[1:], digits[-7:]):
        assert secret not in blob, f"{secret!r} is in Redis"
        assert secret not in logs, f"{secret!r} is in the logs"
    figure("report loop privacy scan", f"{len(keys)} Redis keys and {len(values)} values after the loop, "
           f"{len(during)} during it, {len(caplog.records)} log records: 0 hold the report's words or the number")


def phone_loop(make_app, redis_url, hours):
    from calls import HOTLINE, PhoneCall
    from hotline.web.voice import PhoneSettings

    app = make_app(redis_url=redis_url, languages=("en",), HOTLINE_REPORTS=report_settings(hours=hours),
                   HOTLINE_PHONE=PhoneSettings(hotline_number=HOTLINE), HOTLINE_TEXT_SENDER=None,
                   HOTLINE_REPORT_DISPATCH=InlineDispatch())
    twilio = Twilio(app.test_client())
    return twilio, PhoneCall(twilio, number=REPORTER), report_key(app)


def test_by_phone_report_agents_nearby_rings_the_responders_on_shift_with_a_whisper(make_app, redis_url):
    twilio, call, key = phone_loop(make_app, redis_url, "mon-sun 00:00-24:00")
    # The phone's main menu says four choices and "more choices" (at most five a level).
    assert "More choices" in call.dial().text
    assert "More topics" in call.press("5").text
    call.press("9")
    assert "Report agents nearby" in call.press("5").text  # its second half
    heard = call.press(key)
    assert "trained volunteer who takes reports" in heard.text
    dial = heard.root.find("Dial")
    numbers = [n.text for n in dial.findall("Number")]
    assert numbers == list(RESPONDERS)
    whisper = dial.find("Number").get("url")
    # A whisper ends with its <Say>: then Twilio connects the two calls.
    said = ET.fromstring(twilio.post(whisper, {"CallSid": "CA" + "2" * 32, "From": "+16075550199",
                                             "To": RESPONDERS[0], "AccountSid": "AC" + "0" * 32}).data)
    assert " ".join(s.text for s in said.iter("Say")) == "Hotline report."
    # Nobody answered: how to report by text, then the main menu.
    after = call.dial_ended("no-answer").text
    assert "word REPORT" in after and "What is happening?" in after


def test_by_phone_outside_responder_hours_the_caller_is_told_to_text_report(make_app, redis_url):
    twilio, call, key = phone_loop(make_app, redis_url, "mon 01:00-02:00")
    call.dial()
    call.press("5")
    call.press("9")
    call.press("5")
    heard = call.press(key)
    assert heard.root.find("Dial") is None
    assert "send a text message with the word REPORT" in heard.text


def test_alerts_and_report_questions_ride_on_the_two_round_trips_of_a_turn(loop, redis_sends, figure):
    app, twilio, outbox, _ = loop()
    walk_report(twilio, number="+16075550920")
    code = sent_code(outbox)
    confirm(twilio, RESPONDERS[0], f"CONFIRM {code} agents at Court St")
    confirm(twilio, RESPONDERS[1], f"CONFIRM {code} agents at Court St")

    def trips(number, body):
        before = len(redis_sends)
        reply = message_text(twilio.sms(number, body))
        return len(redis_sends) - before, reply

    counted = [trips("+16075550921", "hello"), trips("+16075550921", "1"), trips("+16075550921", "0")]
    assert "agents at Court St" in counted[0][1] and "agents at Court St" in counted[2][1]
    questions = [trips(REPORTER, body) for body in ("REPORT", WHAT, WHERE, WHEN)]
    assert [n for n, _ in counted + questions] == [2] * 7
    sent, _ = trips(REPORTER, TAKEN)
    figure("Redis round trips: an ordinary turn with an alert, each report question", "2")
    figure("Redis round trips: the turn that completes a report (code, sealed words, relay, inline courier)", sent)


REPLIES = (("report_start", "report_what"), ("report_where",), ("report_when",), ("report_taken",),
           ("report_thanks", "leaf_hint"), ("report_closed", "leaf_hint"), ("report_cancelled", "leaf_hint"),
           ("report_limit", "leaf_hint"), ("alerts_none",))


def test_every_reply_of_the_loop_fits_in_320_characters_in_every_language(make_app, redis_url, figure):
    from hotline.channels import sms
    from hotline.core.engine import Alert, Notice, State, Turn
    from hotline.reports.relay import digest_texts, relay_text

    app = make_app(redis_url=redis_url, languages=tuple(__import__("hotline.content.catalogs.languages",
                                                                   fromlist=["LANGUAGES"]).LANGUAGES))
    content = app.extensions["hotline"].content
    longest = 0
    for lang in content.languages.codes:
        book = content.languages.book(lang)
        turns = [Turn(tuple(Notice(m) for m in ids), State(node="main_menu", lang=lang)) for ids in REPLIES]
        turns.append(Turn((Alert("R7K2", 1_790_000_000, "x" * 150),), State(lang=lang)))
        for message, values in (("report_confirmed", (("code", "R7K2"), ("count", "1"), ("needed", "2"))),
                                ("report_verified", (("code", "R7K2"), ("hours", "6"))),
                                ("report_refuted", (("code", "R7K2"),)), ("report_unknown", (("code", "R7K2"),))):
            turns.append(Turn((Notice(message, values),), State(lang=lang)))
        for turn in turns:
            text = sms.reply_text(content, turn, SATURDAY_AFTERNOON)
            assert len(text) <= 320, (lang, turn.outputs, len(text))
            assert book.code == lang and text
            longest = max(longest, len(text))
    report = {"a": {q: "w" * 160 for q in ("what", "where", "when", "taken")}, "lang": "fa_AF", "at": 1_790_000_000}
    assert len(relay_text(content, "R7K2", report)) <= 320
    assert all(len(d) <= 320 for d in digest_texts(content, [(f"R{n}AB", report) for n in range(2, 10)]))
    figure("longest reply of the report loop, any language (characters)", longest)


class HeldDispatch(InlineDispatch):
    """Holds the courier's jobs until the test lets them run (a queue whose worker is slow)."""

    def soon(self, job, *args):
        self.waiting.append((job, args))


def test_a_sent_report_waits_sealed_with_a_ttl_and_is_deleted_once_relayed(make_app, redis_url, redis_client, tmp_path):
    outbox, dispatch = Outbox(tmp_path), HeldDispatch()
    app = make_app(redis_url=redis_url, languages=("en",), HOTLINE_REPORTS=report_settings(),
                   HOTLINE_TEXT_SENDER=outbox.sender, HOTLINE_REPORT_DISPATCH=dispatch)
    walk_report(Twilio(app.test_client()))
    words = list(redis_client.scan_iter("hl:{rep}:*:w"))
    assert len(words) == 1 and outbox.sent == []
    sealed = redis_client.get(words[0])
    assert 0 < redis_client.ttl(words[0]) <= 2 * 3600
    assert sealed.startswith(b"gAAAA")  # a Fernet token
    assert not any(w.encode() in sealed.lower() for w in SECRET_WORDS)
    from hotline.reports.seal import Seal
    from conftest import SECRET
    assert Seal(SECRET.encode()).open(sealed)["a"]["what"] == WHAT  # only with the key
    assert Seal(b"another key of the same length, 0123456789").open(sealed) is None
    dispatch.run_later()
    assert len(outbox.sent) == len(RESPONDERS)
    assert not list(redis_client.scan_iter("hl:{rep}:*:w")) and not list(redis_client.scan_iter("hl:*:r"))
    record = next(k for k in redis_client.scan_iter("hl:{rep}:R*"))
    assert set(redis_client.hgetall(record)) == {b"status", b"lang", b"at"}  # code and status, no words


def test_through_the_rq_queue_redis_holds_no_words_and_the_worker_delivers_to_responders(make_app, redis_url, redis_client,
                                                                                          tmp_path, figure):
    """The production path: relays queued on RQ (sealed jobs), run by a worker, then gone."""
    from rq import Queue, SimpleWorker

    from conftest import SECRET
    from hotline.session import outbound

    outbox = Outbox(tmp_path)
    app = make_app(redis_url=redis_url, languages=("en",), HOTLINE_REPORTS=report_settings(),
                   HOTLINE_TEXT_SENDER=outbox.sender, HOTLINE_OUTBOUND_QUEUE="rq", HOTLINE_REPORT_DISPATCH=InlineDispatch())
    walk_report(Twilio(app.test_client()))
    jobs = list(redis_client.scan_iter("rq:job:*"))
    assert len(jobs) == len(RESPONDERS) and outbox.sent == []
    blob = b"".join(redis_client.dump(k) or b"" for k in redis_client.scan_iter("*")).lower()
    for secret in SECRET_WORDS + (REPORTER[1:],):
        assert secret.encode() not in blob, secret
    outbound.set_worker(outbound.WorkerContext(outbox.sender, outbound.fernet_for(SECRET.encode()), outbound.LocalRate(50)))
    try:
        queue = Queue(outbound.QUEUE_NAME, connection=app.extensions["hotline_outbound"].queue.connection)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        outbound.set_worker(None)
    assert sorted(to for to, _, _ in outbox.sent) == sorted(RESPONDERS)
    assert all("zorblax" in body and REPORTER[-7:] not in body for _, body, _ in outbox.sent)
    left = list(redis_client.scan_iter("*"))
    assert not list(redis_client.scan_iter("rq:job:*")) and not [k for k in left if k.endswith((b":w", b":r"))]
    blob = b"".join(redis_client.dump(k) or b"" for k in left).lower()
    assert not any(w.encode() in blob for w in SECRET_WORDS)
    figure("report loop through RQ", f"{len(jobs)} sealed jobs queued, delivered by a worker, 0 left; "
           f"{len(left)} Redis keys after, none holding the words or the number")


def test_a_false_after_verification_takes_the_alert_down(loop):
    app, twilio, outbox, _ = loop()
    walk_report(twilio)
    code = sent_code(outbox)
    confirm(twilio, RESPONDERS[0], f"CONFIRM {code} agents at Court St")
    confirm(twilio, RESPONDERS[1], f"CONFIRM {code} agents at Court St")
    assert "agents at Court St" in message_text(twilio.sms("+16075550930", "ALERTS"))
    assert "closed" in confirm(twilio, RESPONDERS[2], f"FALSE {code}")  # a responder found it was not ICE
    assert "no verified alerts" in message_text(twilio.sms("+16075550930", "ALERTS"))
    assert "No open report has the code" in confirm(twilio, RESPONDERS[0], "CONFIRM RZZZ something")
