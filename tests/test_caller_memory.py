"""Redis memory per active caller, measured with MEMORY USAGE on a real server.

The budget is 256 bytes for everything kept about one caller (record with rate head, and the
language key when more than one language is served). Measured for a typical conversation and
for the longest record the engine can produce, with the longest language code; printed with
the measured figures, with INFO's used_memory growth per caller beside it (which also counts
Redis's own tables and the expiry index).
"""
from __future__ import annotations

from catalogs import spanish
from conftest import SECRET, Twilio, message_text
from hotline.session.callers import pseudonym
from hotline.content.loader import load_script
from hotline.config import ROOT
from hotline.session.record import Codebook
from hotline.session.store import Change, RedisStore
from test_record import longest_record

BUDGET = 256
CALLERS = 200


def caller_bytes(redis_client, caller: str) -> int:
    keys = list(redis_client.scan_iter(f"hl:{{{caller}}}:*"))
    assert keys
    return sum(redis_client.memory_usage(k, samples=0) for k in keys)


def test_a_typical_caller_fits_the_budget(make_app, redis_url, redis_client, tmp_path, figure):
    app = make_app(redis_url=redis_url, translations_dir=spanish(tmp_path), languages=("en", "es"))
    twilio = Twilio(app.test_client())
    redis_client.flushdb()
    before = redis_client.info("memory")["used_memory"]
    numbers = [f"+1607556{n:04d}" for n in range(CALLERS)]
    for number in numbers:
        for body in ("hi", "2", "1", "1"):  # language menu, Spanish, door, is the warrant valid?
            message_text(twilio.sms(number, body))
    for key in [*redis_client.scan_iter("hl:load:*"), *redis_client.scan_iter("hl:stats:*")]:
        redis_client.delete(key)  # the line's counters are not a caller's
    grown = (redis_client.info("memory")["used_memory"] - before) / CALLERS
    sizes = [caller_bytes(redis_client, pseudonym(SECRET.encode(), n)) for n in numbers]
    assert redis_client.exists(f"hl:{{{pseudonym(SECRET.encode(), numbers[0])}}}:l")  # the language is kept
    figure("Redis bytes per caller, typical (MEMORY USAGE, record + language)", f"{max(sizes)} (used_memory growth: {grown:.0f})")
    assert max(sizes) <= BUDGET


def test_the_longest_possible_record_fits_the_budget(redis_url, redis_client, figure):
    book = Codebook.of(tuple(load_script(ROOT / "flows").nodes))
    session = longest_record(book, "zh_Hans")
    store = RedisStore(redis_url, state_ttl=3 * 24 * 3600, lang_ttl=90 * 24 * 3600)
    for n in range(12):  # a rate count in double digits: the longest head
        seen = store.read("AAAAAAAAAAAAAAAAAAAA")
    assert store.write("AAAAAAAAAAAAAAAAAAAA", seen, Change(session=session, lang="zh_Hans")) is None
    size = caller_bytes(redis_client, "AAAAAAAAAAAAAAAAAAAA")
    figure("Redis bytes per caller, worst case (longest record, zh_Hans)", f"{size} ({len(session)}-byte record)")
    assert size <= BUDGET
