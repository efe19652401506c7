"""The per-caller record: exact round trips for every state the engine can reach, and small."""
from __future__ import annotations

import random
from functools import lru_cache

import pytest

from hotline.config import Settings
from hotline.core.words import Words
from hotline.content.bundle import load_content
from hotline.core.engine import BACK_DEPTH, State, step
from hotline.session.record import VANISHED, Codebook, Record

INPUTS = [str(i) for i in range(1, 10)] + ["BACK", "0", "HELP", "*", "LANGUAGE", "what", "سلام", "привіт", "hola"]
DIGEST = "AbCdEf-_"  # the request digest is always 8 characters
# Every state with up to this many menus on its BACK stack is walked exhaustively; deeper ones
# (up to the engine's BACK_DEPTH) by seeded random walks. The full product of BACK stacks is
# 1.2 million distinct turns and took minutes; the codec treats each stack entry alike, so the
# shallow walk covers every kind of step and the deep walks every stack length.
EXHAUSTIVE_DEPTH = 4
DEEP_WALKS, DEEP_STEPS = 400, 40


@pytest.fixture(scope="module")
def content():
    return shipped_content()


def shipped_content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


@lru_cache(maxsize=1)
def every_turn() -> tuple[tuple[State, State], ...]:
    """(before, after) pairs the engine produces from the shipped scripts: every one from a
    state with a shallow BACK stack, and those of long random walks to the deepest stacks."""
    content = shipped_content()
    words = [Words(text) for text in INPUTS]
    start = step(content, State(), Words("hi")).state
    turns = {(State(), start)}
    seen, frontier = {start}, [start]
    while frontier:
        following = []
        for state in frontier:
            if len(state.back) > EXHAUSTIVE_DEPTH:
                continue
            for said in words:
                after = step(content, state, said).state
                turns.add((state, after))
                if after not in seen:
                    seen.add(after)
                    following.append(after)
        frontier = following
    chance = random.Random(20261201)
    for _ in range(DEEP_WALKS):
        state = start
        for _ in range(DEEP_STEPS):
            after = step(content, state, chance.choice(words[:9] if chance.random() < 0.8 else words)).state
            turns.add((state, after))
            state = after
    return tuple(turns)


def deepest_record(book: Codebook, lang: str) -> Record:
    """An upper bound on any record: the longest node token in every slot of a full BACK stack,
    and a `before` that changed the language, so it is written out whole."""
    longest = max(book.known, key=lambda node_id: len(book.code_of.get(node_id, node_id)))
    return Record(State(longest, (longest,) * BACK_DEPTH, lang), DIGEST, State(longest, (longest,) * (BACK_DEPTH - 1), "fa_AF"))


def longest_record(book: Codebook, lang: str | None = "fa_AF") -> bytes:
    observed = (Record(State(a.node, a.back, lang), DIGEST, State(b.node, b.back, lang)).encode(book)
                for b, a in every_turn())
    return max([*observed, deepest_record(book, lang or "fa_AF").encode(book)], key=len)


def test_every_reachable_turn_round_trips_and_the_longest_record_is_small(content, figure):
    book = Codebook.of(tuple(content.script.nodes))
    longest, turns, depths, nodes = b"", 0, set(), set()
    for before, after in every_turn():
        for lang in (None, "fa_AF"):
            record = Record(State(after.node, after.back, lang), DIGEST, State(before.node, before.back, lang))
            raw = record.encode(book)
            decoded = Record.decode(raw, lang, book)
            assert (decoded.state, decoded.before, decoded.request) == (record.state, record.before, DIGEST), raw
            longest = max(longest, raw, key=len)
        depths.add(len(after.back))
        nodes.add(after.node)
        turns += 1
    assert turns > 2_000
    # every node a caller can stand at (not those that pass straight on) was a place the walk reached
    assert {n for n, node in content.script.nodes.items() if node.next is None} <= nodes
    assert depths == set(range(BACK_DEPTH + 1))  # the random walks reached the deepest stacks
    bound = deepest_record(book, "zh_Hans")
    assert Record.decode(bound.encode(book), "zh_Hans", book) == bound
    longest = max(longest, bound.encode(book), key=len)
    figure("longest record over the walked turns and the full-stack bound", f"{len(longest)} bytes ({turns} turns)")
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
