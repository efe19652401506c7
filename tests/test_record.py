"""The per-caller record: exact round trips for every state the engine can reach, and small."""
from __future__ import annotations

from functools import lru_cache

import pytest

from hotline.config import Settings
from hotline.core.words import Words
from hotline.content.bundle import load_content
from hotline.core.engine import State, step
from hotline.session.record import VANISHED, Codebook, Record

INPUTS = [str(i) for i in range(1, 10)] + ["BACK", "0", "HELP", "*", "LANGUAGE", "what"]
DIGEST = "AbCdEf-_"  # the request digest is always 8 characters


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


@lru_cache(maxsize=1)
def every_turn() -> tuple[tuple[State, State], ...]:
    """Every (before, after) pair the engine can produce from the shipped scripts."""
    settings = Settings.from_env({}, dev=True)
    content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    start = step(content, State(), Words("hi")).state
    seen, frontier, turns = {start}, [start], [(State(), start)]
    while frontier:
        following = []
        for state in frontier:
            for text in INPUTS:
                after = step(content, state, Words(text)).state
                turns.append((state, after))
                if after not in seen:
                    seen.add(after)
                    following.append(after)
        frontier = following
    return tuple(turns)


def longest_record(book: Codebook, lang: str | None = "fa_AF") -> bytes:
    return max((Record(State(a.node, a.back, lang), DIGEST, State(b.node, b.back, lang)).encode(book)
                for b, a in every_turn()), key=len)


def test_every_reachable_turn_round_trips_and_the_longest_record_is_small(content, figure):
    book = Codebook.of(tuple(content.script.nodes))
    longest, turns = b"", 0
    for before, after in every_turn():
        for lang in (None, "fa_AF"):
            record = Record(State(after.node, after.back, lang), DIGEST, State(before.node, before.back, lang))
            raw = record.encode(book)
            decoded = Record.decode(raw, lang, book)
            assert (decoded.state, decoded.before, decoded.request) == (record.state, record.before, DIGEST), raw
            longest = max(longest, raw, key=len)
        turns += 1
    assert turns > 10_000
    figure("longest record over every reachable turn", f"{len(longest)} bytes ({turns} turns)")
    assert len(longest) <= 80, longest  # with the rate head and key overhead: within 256 bytes a caller


def test_a_language_change_is_kept_in_the_record(content):
    book = Codebook.of(tuple(content.script.nodes))
    record = Record(State("door", ("main_menu",), "es"), DIGEST, State("@lang:es,uk", (), None))
    assert Record.decode(record.encode(book), "es", book) == record


def test_codes_survive_a_reload_and_vanished_nodes_are_handled(content):
    ids = tuple(content.script.nodes)
    old = Codebook.of(ids)
    raw = Record(State("door_say", ("main_menu", "door")), DIGEST, State("door", ("main_menu",))).encode(old)
    assert b"door" not in raw  # codes, not ids
    new = Codebook.of(tuple(i for i in ids if i != "door"))  # a reload removed "door"
    decoded = Record.decode(raw, None, new)
    assert decoded.state == State("door_say", ("main_menu",))  # the vanished entry left the BACK stack
    gone = Record(State("door", ("main_menu",)), DIGEST, None).encode(old)
    assert Record.decode(gone, None, new).state.node == VANISHED  # the engine answers "moved"
    turn = step(content, Record.decode(gone, None, new).state, Words("1"))
    assert turn.state.node == "main_menu"


def test_colliding_codes_fall_back_to_ids():
    book = Codebook(("a", "b"))
    book2 = Codebook(tuple(f"node_{n}" for n in range(5000)))  # far more ids than codes can keep apart
    assert len(book2.code_of) < 5000
    for node_id in ("node_1", "node_2", "node_4999"):
        state = State(node_id, ("node_3",))
        assert book2.unpack(book2.pack(state), None) == state
    assert book.unpack(book.pack(State("a", ("b",))), None) == State("a", ("b",))


def test_states_saved_before_records_existed_still_read(content):
    book = Codebook.of(tuple(content.script.nodes))
    assert Record.decode(b"door|main_menu", "es", book).state == State("door", ("main_menu",), "es")
