"""Idempotency and concurrency, against a real Redis and a real threaded HTTP server.

A repeated MessageSid (Twilio retrying, a proxy replaying) or a repeated voice action gets
the same reply and does not move the caller twice. Messages from one caller that arrive at
the same moment end as if they had come one after the other, in some order.
"""
from __future__ import annotations

import itertools
import threading
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from werkzeug.serving import make_server

from conftest import BASE_URL, SATURDAY_AFTERNOON, SECRET, Twilio, message_text
from hotline.session.callers import pseudonym
from hotline.core.words import Words
from hotline.channels import sms
from hotline.core.engine import State, step
from hotline.session.record import Codebook, Record
from hotline.session.store import Change, MemoryStore, RedisStore, _split, lang_key, state_key

NUMBER = "+16075550155"
CALLER = pseudonym(SECRET.encode(), NUMBER)


def stored_state(redis_client) -> State:
    from hotline.config import ROOT
    from hotline.content.loader import load_script

    _, body = _split(redis_client.get(state_key(CALLER)))
    lang = redis_client.get(lang_key(CALLER))
    book = Codebook.of(tuple(load_script(ROOT / "flows").nodes))
    return Record.decode(body, lang.decode() if lang else None, book).state


def test_a_repeated_message_sid_gets_the_same_reply_and_moves_nothing(twilio, redis_client):
    twilio.sms(NUMBER, "hi", MessageSid="SM" + "a" * 32)
    first = message_text(twilio.sms(NUMBER, "1", MessageSid="SM" + "b" * 32))
    after_first = stored_state(redis_client)
    assert after_first == State(node="door", back=("main_menu",))
    for _ in range(3):
        assert message_text(twilio.sms(NUMBER, "1", MessageSid="SM" + "b" * 32)) == first
    assert stored_state(redis_client) == after_first
    # a new message carries on from where the first "1" left the caller
    assert "Only a judicial warrant" in message_text(twilio.sms(NUMBER, "1", MessageSid="SM" + "c" * 32))


@pytest.mark.parametrize("first_steps,repeated", [
    ((), "hi"),  # the first contact
    (("hi", "9"), "HELP"),  # Twilio's help word, answered before the engine
    (("hi", "STOP"), "START"),  # opting back in
    (("hi", "1"), "BACK"),
    (("hi", "1", "1"), "0"),
])
def test_every_kind_of_turn_repeats_identically(twilio, redis_client, first_steps, repeated):
    for n, body in enumerate(first_steps):
        twilio.sms(NUMBER, body, MessageSid=f"SM{n:032d}")
    response = twilio.sms(NUMBER, repeated, MessageSid="SM" + "r" * 32)
    state = stored_state(redis_client)
    again = twilio.sms(NUMBER, repeated, MessageSid="SM" + "r" * 32)
    assert again.data == response.data
    assert stored_state(redis_client) == state


def test_a_repeated_voice_action_gets_the_same_turn(make_app, redis_url):
    """The voice line passes CallSid plus its step counter as the request id."""
    board = make_app(redis_url=redis_url, languages=("en",)).extensions["hotline"]
    board.turn(NUMBER, "", request_id="CA123:0")
    first = board.turn(NUMBER, "1", request_id="CA123:1")
    again = board.turn(NUMBER, "1", request_id="CA123:1")
    assert again.repeated and not first.repeated
    assert again.turn == first.turn
    assert board.turn(NUMBER, "1", request_id="CA123:2").turn.state.node == "door_warrant"


def test_request_ids_are_not_stored_as_they_are(twilio, redis_client):
    sid = "SM" + "7" * 32
    twilio.sms(NUMBER, "hi", MessageSid=sid)
    assert sid.encode() not in redis_client.get(state_key(CALLER))
    assert b"7777" not in redis_client.get(state_key(CALLER))


# --- real concurrency: a threaded server and simultaneous requests ------------------------


@pytest.fixture
def server(make_app, redis_url):
    app = make_app(redis_url=redis_url, languages=("en",))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", app
    httpd.shutdown()
    thread.join(5)


def post(base: str, params: dict) -> tuple[int, bytes]:
    signature = Twilio(None).sign(BASE_URL + "/sms", params)
    request = urllib.request.Request(base + "/sms", data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def at_once(base: str, messages: list[dict]) -> list[tuple[int, bytes]]:
    """Send every message in its own thread, released together."""
    barrier = threading.Barrier(len(messages))
    results: list = [None] * len(messages)

    def send(i: int):
        barrier.wait(5)
        results[i] = post(base, messages[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(messages))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return results


def params(body: str, sid: str) -> dict:
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": NUMBER, "To": "+16075550199",
            "Body": body, "NumMedia": "0"}


def reply_of(data: bytes) -> str:
    return "\n\n".join(m.text or "" for m in ET.fromstring(data))


def test_simultaneous_duplicates_are_answered_alike_and_applied_once(server, redis_client):
    base, _ = server
    post(base, params("hi", "SM" + "0" * 32))
    results = at_once(base, [params("1", "SM" + "d" * 32)] * 8)
    assert {status for status, _ in results} == {200}
    assert len({data for _, data in results}) == 1  # the very same reply, eight times
    assert "Keep the door closed" in reply_of(results[0][1])
    assert stored_state(redis_client) == State(node="door", back=("main_menu",))  # moved once


def test_racing_messages_from_one_caller_end_as_some_serial_order(server, redis_client):
    """Five different messages at once: the replies and the final state must be exactly those of
    one order of sending them one by one (checked against every order, with the pure engine)."""
    base, app = server
    content = app.extensions["hotline"].content
    post(base, params("hi", "SM" + "0" * 32))
    bodies = ["1", "2", "BACK", "9", "1"]
    results = at_once(base, [params(body, f"SM{n + 1:032d}") for n, body in enumerate(bodies)])
    assert {status for status, _ in results} == {200}
    got = [reply_of(data) for _, data in results]
    final = stored_state(redis_client)
    start = State(node="main_menu")
    orders = []
    for order in itertools.permutations(range(len(bodies))):
        state, replies = start, {}
        for i in order:
            turn = step(content, state, Words(bodies[i]))
            replies[i] = sms.reply_text(content, turn, SATURDAY_AFTERNOON)
            state = turn.state
        if state == final and all(replies[i] == got[i] for i in range(len(bodies))):
            orders.append(order)
    assert orders, "the replies and the stored state match no order of sending the messages one by one"


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_compare_and_set_loses_no_update_under_threads(kind, request):
    """Eight threads each move one caller forward 25 times; every move must land."""
    if kind == "memory":
        store = MemoryStore(600, 6000)
    else:
        store = RedisStore(request.getfixturevalue("redis_url"), 600, 6000)
    moves_per_thread, threads = 25, 8

    def move():
        for _ in range(moves_per_thread):
            seen = store.read("racer")
            while True:
                done = int(seen.session or b"0")
                fresh = store.write("racer", seen, Change(session=str(done + 1).encode()))
                if fresh is None:
                    break
                seen = fresh

    workers = [threading.Thread(target=move) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert int(store.read("racer").session) == moves_per_thread * threads


def test_a_turn_that_loses_the_race_is_thought_again_from_the_winners_state(make_app, redis_url):
    """Deterministic interleaving: between this turn's read and write, another message from the
    same caller is fully handled. The write must be refused and the turn recomputed from there."""
    board = make_app(redis_url=redis_url, languages=("en",)).extensions["hotline"]
    store = board.store
    board.turn(NUMBER, "hi", request_id="SM-first")

    class Interleaved:
        name = store.name

        def __init__(self):
            self.cut_in = False
            self.refused = 0

        def read(self, caller):
            return store.read(caller)

        def write(self, caller, seen, change):
            if not self.cut_in:
                self.cut_in = True
                other = type(board)(board.content, store, board.secret)
                assert other.turn(NUMBER, "1", request_id="SM-other").turn.state.node == "door"
            fresh = store.write(caller, seen, change)
            self.refused += fresh is not None
            return fresh

    wrapper = Interleaved()
    board.store = wrapper
    answer = board.turn(NUMBER, "2", request_id="SM-ours")
    assert wrapper.refused == 1
    # "2" read from the door menu (where the other message left the caller): What to say
    assert answer.turn.state == State(node="door_say", back=("main_menu", "door"))
    board.store = store
    assert board.turn(NUMBER, "BACK").turn.state.node == "door"
