"""Usage statistics: real conversations add up to day counters with no one in them, and every
export shows a count below 5 only as <5. Conversations run through the signed webhooks on a
real Redis, and on a real three-master Redis Cluster."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, Twilio, message_text
from hotline.session import stats
from hotline.session.callers import pseudonym
from hotline.session.store import Change, MemoryStore, stats_day
from hotline.session.switchboard import Switchboard

SPANISH = ("hola", "1", "1")  # welcome + main menu, at the door, is the warrant valid (legal)


def walk(app, callers: int, bodies=SPANISH, first: int = 0):
    twilio = Twilio(app.test_client())
    for n in range(first, first + callers):
        for body in bodies:
            message_text(twilio.sms(f"+1607558{n:04d}", body))


def today(store):
    day = stats_day(time.time())
    return store.stats([day]).get(day, {})


def test_a_conversation_is_counted_by_page_language_channel_and_outcome(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    walk(app, 6)
    walk(app, 2, ("hello", "2"), first=100)
    counted = today(app.extensions["hotline"].store)
    assert counted["n|es|sms"] == 6 and counted["n|en|sms"] == 2  # new conversations, nobody remembered
    assert counted["v|es|sms|welcome"] == counted["v|es|sms|main_menu"] == 6
    assert counted["v|es|sms|door"] == counted["v|es|sms|door_warrant"] == 6
    assert counted["o|es|sms|legal"] == 12  # door and door_warrant are legal content: one each turn
    assert counted["v|en|sms|welcome"] == 2
    assert not any(f.startswith("n|") and f != "n|es|sms" and f != "n|en|sms" for f in counted)


def test_stop_and_forget_are_outcomes_and_a_returning_caller_is_not_new(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    twilio = Twilio(app.test_client())
    message_text(twilio.sms("+16075580001", "hola"))
    message_text(twilio.sms("+16075580001", "1"))  # the same conversation: not new again
    message_text(twilio.sms("+16075580001", "OLVIDAR"))
    twilio.sms("+16075580002", "hola")
    twilio.sms("+16075580002", "STOP")
    counted = today(app.extensions["hotline"].store)
    assert counted["n|es|sms"] == 2
    assert counted["o|es|sms|forget"] == 1 and counted["o|es|sms|opted_out"] == 1


def test_no_counter_names_a_caller_or_a_time_finer_than_a_day(make_app, redis_url, redis_client):
    app = make_app(redis_url=redis_url)
    walk(app, 3)
    keys = [k.decode() for k in redis_client.scan_iter("hl:stats:*")]
    assert keys == [f"hl:stats:{stats_day(time.time())}"]
    assert 399 * 86400 < redis_client.ttl(keys[0]) <= 400 * 86400
    fields = [f.decode() for f in redis_client.hkeys(keys[0])]
    secret = app.config["HOTLINE_SETTINGS"].secret
    names = {pseudonym(secret, f"+1607558{n:04d}") for n in range(3)}
    assert fields and not any(name in f for f in fields for name in names)
    assert all(len(f.split("|")) in (3, 4) for f in fields)


class Interrupting(MemoryStore):
    """Before the first write of a turn, the same caller's other message lands (a race)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.interrupt = True

    def write(self, caller, seen, change):
        if self.interrupt:
            self.interrupt = False
            super().write(caller, seen, Change(session=b"= = |", counts=()))
        return super().write(caller, seen, change)


def test_a_turn_retried_after_a_race_is_counted_once(make_app):
    app = make_app(languages=("en",))
    board: Switchboard = app.extensions["hotline"]
    store = Interrupting(600, 6000)
    board.store = store
    board.turn("+16075580009", "hello", channel="sms")  # the first write is refused, then retried
    assert store.interrupt is False
    counted = today(store)
    # Both attempts added their counts; the retry sent the difference. The retry saw a record
    # (the other message's), so it is not a new conversation: the first attempt's +1 is undone.
    assert counted.get("n|en|sms", 0) == 0
    assert all(v >= 0 for v in counted.values())
    assert sum(1 for f, v in counted.items() if f.startswith("v|") and v) >= 1


def test_exports_show_small_counts_only_as_below_five():
    raw = {"20261130": {"v|es|sms|door": 7, "v|ps|sms|door": 2, "n|es|sms": 5, "o|es|voice|volunteer": 1},
           "20261201": {"v|es|sms|door": 3, "v|ps|sms|door": 1, "n|es|sms": 6}}
    table = stats.build_table(raw, ["20261130", "20261201"])
    rows = {(r.kind, r.lang, r.channel, r.name): r for r in table.rows}
    door = rows[("page", "es", "sms", "door")]
    # 7 is shown; 3 is not, and it is not added to the total either (or 10 - 7 would give it back)
    assert (door.total, door.small_days, door.daily) == (7, 1, {"20261130": 7, "20261201": "<5"})
    assert rows[("page", "ps", "sms", "door")].total == "<5"
    assert rows[("outcome", "es", "voice", "volunteer")].total == "<5"
    assert rows[("new conversations", "es", "sms", "")].total == 11
    exported = table.as_text() + table.as_csv() + table.as_json()
    lines = list(csv.reader(io.StringIO(table.as_csv())))[1:]
    counts = [c for line in lines for c in (line[4], *line[6:])]  # the totals and every day's cell
    assert not {"1", "2", "3"} & set(counts)  # no small number as a count, in any format
    assert "<5" in exported
    parsed = json.loads(table.as_json())
    assert {r["total"] for r in parsed["rows"]} == {7, "<5", 11}


def test_a_total_over_more_days_cannot_be_differenced_back_to_a_small_day():
    raw = {"20261129": {"v|ht|sms|car": 9}, "20261130": {"v|ht|sms|car": 2}}
    one = stats.build_table(raw, ["20261129"]).rows[0].total
    two = stats.build_table(raw, ["20261129", "20261130"]).rows[0].total
    assert one == two == 9


def test_the_chart_is_svg_and_draws_small_counts_as_below_five():
    raw = {"20261201": {"n|es|sms": 40, "n|ps|sms": 2, "n|en|voice": 12}}
    svg = stats.svg_chart(stats.build_table(raw, ["20261201"]))
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"es", "ps", "en", "40", "12", "<5"} <= set(labels) and "2" not in labels
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_hotline_stats_prints_the_suppressed_table(make_app, redis_url, tmp_path):
    app = make_app(redis_url=redis_url)
    walk(app, 6)
    walk(app, 1, ("hello",), first=50)
    env = {**os.environ, "REDIS_URL": redis_url, "HOTLINE_DEV": "1"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "hotline.staff.cli", "stats", *args], cwd=ROOT, env=env,
                                       capture_output=True, text=True, timeout=120)
    table = run("--days", "3", "--chart", str(tmp_path / "chart.svg"))
    assert table.returncode == 0, table.stderr
    assert "<5" in table.stdout and "door_warrant" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", "--days", "2").stdout)))
    by = {(r["kind"], r["language"], r["name"]): r["total"] for r in rows}
    assert by[("new conversations", "es", "")] == "6" and by[("new conversations", "en", "")] == "<5"
    data = json.loads(run("--format", "json").stdout)
    assert data["threshold"] == 5 and len(data["days"]) == 30
    ET.parse(tmp_path / "chart.svg")
    assert run("--format", "json").returncode == 0


def test_a_conversation_walk_on_a_redis_cluster(make_app, redis_cluster_url, figure):
    """The hotline's webhooks on a real three-master cluster: caller state, limits, counters."""
    app = make_app(redis_url=redis_cluster_url, redis_cluster=True)
    store = app.extensions["hotline"].store
    assert store.name == "redis-cluster"
    started = time.perf_counter()
    walk(app, 20)
    elapsed = time.perf_counter() - started
    twilio = Twilio(app.test_client())
    reply = message_text(twilio.sms("+16075580000", "0"))  # a caller's place is kept across masters' turns
    assert "1" in reply
    counted = today(store)
    assert counted["n|es|sms"] == 20 and counted["o|es|sms|legal"] == 40
    assert store.read("nobody-yet").load == 61  # 61 replies sent, summed over the shards
    assert app.test_client().get("/healthz").get_json()["store_ok"] is True
    figure("Redis Cluster (3 masters) webhook turns, in-process", f"{60 / elapsed:.0f} turns/s over 60 turns")


def test_a_call_counts_its_pages_and_the_volunteer_and_ona_outcomes(phone_app):
    from calls import PhoneCall, volunteers

    app = phone_app(volunteers=volunteers())
    phone = PhoneCall(Twilio(app.test_client()))
    phone.dial()
    phone.press("1")  # English: the main menu
    assert phone.press("0").root.find("Dial") is not None  # the volunteers are rung
    phone.dial_ended("no-answer")  # nobody answered: ONA's number instead
    counted = today(app.extensions["hotline"].store)
    assert counted.get("n|en|voice", 0) + counted.get("n|-|voice", 0) == 1
    assert counted["v|en|voice|main_menu"] >= 1
    assert counted["o|en|voice|volunteer"] == 1 and counted["o|en|voice|ona"] == 1
    assert not any("|sms" in f for f in counted)


def test_a_report_made_and_an_alert_shown_are_outcomes_on_either_redis(make_app, any_redis, tmp_path):
    """The report loop's keys and the counters in the same turns, on one server and a cluster."""
    from hotline.reports.relay import InlineDispatch
    from test_reports import RESPONDERS, Outbox, confirm, report_settings, sent_code, walk_report

    outbox = Outbox(tmp_path / "outbox")
    app = make_app(**any_redis, languages=("en",), HOTLINE_REPORTS=report_settings(),
                   HOTLINE_TEXT_SENDER=outbox.sender, HOTLINE_REPORT_DISPATCH=InlineDispatch())
    twilio = Twilio(app.test_client())
    walk_report(twilio)
    code = sent_code(outbox)
    confirm(twilio, RESPONDERS[0], f"CONFIRM {code} agents at Court St")
    assert "verified alert" in confirm(twilio, RESPONDERS[1], f"CONFIRM {code} agents at Court St")
    for n in range(3):
        assert "Court St" in message_text(twilio.sms(f"+1607558{n:04d}", "hello"))  # the alert first
    counted = today(app.extensions["hotline"].store)
    assert counted.get("o|en|sms|report") == 1, counted
    assert counted["o|en|sms|alert"] == 3 and counted["n|en|sms"] == 4
    assert not any(f.startswith(("v|", "n|", "o|")) and "|confirm" in f for f in counted)  # responders are not callers


def test_a_withheld_number_counts_its_pages_but_is_never_new_nor_forgotten(make_app, redis_url):
    app = make_app(redis_url=redis_url, languages=("en",))
    twilio = Twilio(app.test_client())
    for body in ("hello", "1", "FORGET"):
        message_text(twilio.sms("Anonymous", body))
    counted = today(app.extensions["hotline"].store)
    assert counted.get("v|en|sms|welcome", 0) >= 1
    assert not any(f.startswith("n|") or f.endswith(("|forget", "|opted_out")) for f in counted)


def test_a_report_by_phone_counts_the_responders_rung(make_app, redis_url):
    from test_reports import phone_loop

    twilio, call, key = phone_loop(make_app, redis_url, "mon-sun 00:00-24:00")
    call.dial()
    call.press("9")
    assert call.press(key).root.find("Dial") is not None
    counted = today(twilio.client.application.extensions["hotline"].store)
    assert counted["o|en|voice|responders"] == 1
