"""What the hot path does once instead of every time must not change a single reply.

Only public behaviour is checked: a memo that missed would render again into an equal but new
document, so "served from the memo" is "the same object"; "a fresh rendering" is the same
content with an empty memo, which is what a reload starts with.

- Replies are rendered once per content version, language, outputs and referral moment and
  then served from the content's memo: the memoised document is the one a fresh rendering
  makes, at every moment of the week (open, closing, closed, opening another day).
- A reload starts with an empty memo.
- The signature check computes the HMAC of the URL as seen first, and the port variants only
  when that does not match: the same requests pass and fail as with RequestValidator.validate.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from twilio.request_validator import RequestValidator

from conftest import ROOT, SATURDAY_AFTERNOON
from hotline.channels import sms
from hotline.core.words import Words
from hotline.channels.compose import compose, referral_moment
from hotline.config import Settings
from hotline.content.bundle import Renders, load_content
from hotline.core.engine import Notice, Show, State, Turn, step
from hotline.web.signatures import port_variants


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


def nodes_with_referrals(content) -> list[str]:
    """Nodes that list referrals, those with opening hours first."""
    referrals = content.script.referrals

    def has_hours(node) -> bool:
        return any(referrals[r].hours is not None and referrals[r].hours.weekly for r in node.referrals)

    listed = [(node_id, node) for node_id, node in content.script.nodes.items() if node.referrals]
    return [node_id for node_id, node in sorted(listed, key=lambda item: not has_hours(item[1]))]


def week_of_moments():
    """Every two hours and a quarter through a week: every referral opens and closes in it."""
    start = SATURDAY_AFTERNOON
    return [start + dt.timedelta(minutes=135 * n) for n in range(75)]


def fresh_twiml(content, turn, now) -> str:
    """Rendering from scratch: the same content with an empty memo (as a reload starts)."""
    return sms.reply_twiml(dataclasses.replace(content), turn, now)


def test_memoised_replies_are_what_a_fresh_rendering_says_all_week(content):
    nodes = nodes_with_referrals(content)
    assert nodes, "the flows have referral pages: the moments matter"
    for lang in ("en", "es", "ar"):
        for node_id in nodes:
            turn = Turn((Show(node_id), Notice("leaf_hint")), State(node=node_id, lang=lang))
            for now in week_of_moments():
                assert sms.reply_twiml(content, turn, now) == fresh_twiml(content, turn, now), (lang, node_id, now)


def test_the_moment_tells_open_from_closed(content):
    node_id = nodes_with_referrals(content)[0]
    outputs = (Show(node_id),)
    moments = {referral_moment(content, outputs, now) for now in week_of_moments()}
    assert len(moments) > 1  # the statuses change through the week, so the memo keys do
    assert referral_moment(content, (Notice("hint"),), SATURDAY_AFTERNOON) == ()


def test_a_reply_is_rendered_once_then_served_from_the_memo(content):
    fresh = dataclasses.replace(content)  # an empty memo
    turn = step(fresh, State(node="main_menu", lang="uk"), Words("1"))
    first = sms.reply_twiml(fresh, turn, SATURDAY_AFTERNOON)
    kept = len(fresh.renders)
    again = sms.reply_twiml(fresh, turn, SATURDAY_AFTERNOON + dt.timedelta(seconds=1))
    # The very same document, not an equal one rendered again, and nothing new in the memo.
    assert again is first and len(fresh.renders) == kept > 0
    parts = compose(content, "uk", turn.outputs, "voice", SATURDAY_AFTERNOON)
    parts.append("a caller's own list")  # a copy: the memo is not changed by its users
    assert compose(content, "uk", turn.outputs, "voice", SATURDAY_AFTERNOON) == parts[:-1]


def test_a_new_content_starts_with_an_empty_memo(content):
    sms.reply_twiml(content, Turn((Notice("hint"),), State()), SATURDAY_AFTERNOON)
    assert len(content.renders) > 0
    assert len(dataclasses.replace(content).renders) == 0
    reloaded = load_content(ROOT / "flows", ROOT / "translations", ("en",))
    assert len(reloaded.renders) == 0 and reloaded.renders is not content.renders


def test_the_memo_starts_afresh_at_its_limit(monkeypatch):
    monkeypatch.setattr(Renders, "LIMIT", 3)
    memo = Renders()
    for n in range(3):
        assert memo.get(n, lambda n=n: n * 10) == n * 10
    assert len(memo) == 3
    assert memo.get("one more", lambda: "x") == "x" and len(memo) == 1
    assert memo.get("one more", lambda: "never rendered again") == "x"


# --- signatures ----------------------------------------------------------------------------


def test_port_variants_start_with_the_url_as_seen():
    assert list(port_variants("https://hotline.example.org/sms?x=1")) == [
        "https://hotline.example.org/sms?x=1", "https://hotline.example.org:443/sms?x=1"]
    assert list(port_variants("https://hotline.example.org:443/sms")) == [
        "https://hotline.example.org:443/sms", "https://hotline.example.org/sms"]
    assert list(port_variants("http://127.0.0.1:8000/voice/key?t=1&m=0")) == [
        "http://127.0.0.1:8000/voice/key?t=1&m=0", "http://127.0.0.1/voice/key?t=1&m=0"]


def test_a_good_signature_costs_one_hmac_and_a_port_variant_still_passes(make_app, redis_url, monkeypatch):
    from conftest import TOKEN, Twilio

    app = make_app(redis_url=redis_url, languages=("en",))
    twilio = Twilio(app.test_client())
    computed = []
    real = RequestValidator.compute_signature
    monkeypatch.setattr(RequestValidator, "compute_signature",
                        lambda self, uri, params, algorithm=None: computed.append(uri) or real(self, uri, params, algorithm))
    assert twilio.sms("+16075550123", "hi").status_code == 200
    checks = [uri for uri in computed if uri.startswith("https://hotline.example.org")]
    # The test helper signs (one computation); the app checks with exactly one more.
    assert len(checks) == 2 and checks[0] == checks[1]
    computed.clear()
    params = {"MessageSid": "SM" + "1" * 32, "From": "+16075550123", "To": "+16075550199", "Body": "hi"}
    signed_with_port = real(RequestValidator(TOKEN), "https://hotline.example.org:443/sms", params)
    assert twilio.post("/sms", params, signature=signed_with_port).status_code == 200
    assert len(computed) == 2  # the URL as seen did not match; its variant with the port did
    assert twilio.post("/sms", params, signature=signed_with_port[:-2] + "AA").status_code == 403


# --- the store's one-write round trips -------------------------------------------------------


def test_an_error_reply_mid_exchange_leaves_the_connection_clean(redis_url, redis_client):
    """Every reply is read before the connection returns to the pool: the next turn on it
    gets its own replies, not the leftovers of a failed exchange."""
    from hotline.errors import StoreUnavailable
    from hotline.session.store import Change, RedisStore

    store = RedisStore(redis_url, state_ttl=60, lang_ttl=600)
    store.client.connection_pool.max_connections = 1  # one connection: the next call reuses it
    redis_client.set("not-a-number", "x")
    with pytest.raises(StoreUnavailable):
        store._run([("INCR", "not-a-number"), ("GET", "not-a-number"), ("PING",)])
    seen = store.read("caller-a")
    assert seen.count == 1 and seen.session == b""
    assert store.write("caller-a", seen, Change(session=b"r = main|", lang="es", replied=True)) is None
    again = store.read("caller-a")
    assert (again.session, again.lang, again.count, again.load) == (b"r = main|", "es", 2, 1)


def test_a_connection_the_server_closed_is_replaced_at_once(redis_url, redis_client):
    from hotline.session.store import RedisStore

    store = RedisStore(redis_url, state_ttl=60, lang_ttl=600)
    store.client.connection_pool.max_connections = 1  # one connection, the one the store holds
    store.read("caller-b")
    # What a Redis restart does to the pool, to this store's connection only: the server is
    # shared by every pytest worker, and killing all its clients broke the others' tests.
    assert redis_client.client_kill_filter(_id=store.client.client_id()) == 1
    assert store.read("caller-b").count == 2


# --- the phone's memoised menus ---------------------------------------------------------------


def phone_line(content, recordings_dir):
    from hotline.channels.voice import PhoneLine
    from hotline.channels.voice.speech import Recordings, readiness

    recordings = Recordings(recordings_dir)
    return PhoneLine(content, recordings, readiness(content, recordings))


def links_for(call_sid: str):
    from hotline.channels.voice import Links

    # URLs as url_for makes them: '&' between parameters, which the XML must escape.
    return Links(key=lambda call, place: f"/voice/key?c={call_sid}&t={call.started}&m={call.misses}&at={place.at}&lang={place.lang}",
                 silence=lambda call, place: f"/voice/silence?c={call_sid}&t={call.started}&at={place.at}",
                 clip=lambda code, context: f"https://hotline.example.org/voice/recordings/{code}/{context}.mp3")


def test_memoised_menus_are_what_building_them_says(content):
    from hotline.channels.voice import LANGUAGE_MENU, Call, CallPlace

    line = phone_line(content, ROOT / "recordings")
    for lang in ("en", "es", "ar", "zh_Hans"):
        for node_id in content.script.nodes:
            parts = compose(content, lang, (Notice("voice_no_input"), Show(node_id)), "voice", SATURDAY_AFTERNOON)
            for place in (CallPlace(node_id, lang), CallPlace(LANGUAGE_MENU, lang, ("en", "es"))):
                for n, call in enumerate((Call(1_790_000_000), Call(1_790_000_500, misses=1, said="k"))):
                    links = links_for(f"CA{n}")
                    memoised = str(line.menu(parts, place, call, links))
                    assert memoised == str(line._menu(parts, place, call, links)), (lang, node_id, place, call)
                    assert "hotline-marker" not in memoised and "&amp;t=" in memoised


def test_a_menu_whose_words_hold_a_marker_is_built_each_time(content):
    from hotline.channels.compose import Line
    from hotline.channels.voice import Call, CallPlace

    line = phone_line(content, ROOT / "recordings")
    parts = [Line("Say hotline-marker:gather-action to nobody.", "en", "messages:hint")]
    first = str(line.menu(parts, CallPlace("main_menu", "en"), Call(1), links_for("CA1")))
    second = str(line.menu(parts, CallPlace("main_menu", "en"), Call(2), links_for("CA2")))
    assert "CA1" in first and "CA2" in second and "hotline-marker:gather-action to nobody" in second
    assert first == str(line._menu(parts, CallPlace("main_menu", "en"), Call(1), links_for("CA1")))


def test_recorded_parts_take_their_audio_urls_from_each_request(tmp_path):
    from calls import CATALOGS, FLOWS, RECORDINGS
    from hotline.channels.compose import Line
    from hotline.channels.voice import Call, Links, CallPlace

    small = load_content(FLOWS, CATALOGS, ("en", "es", "ht", "ps"))
    line = phone_line(small, RECORDINGS)
    parts = [Line("ignored: played", "ht", "messages:voice_keys")]
    hosts = []
    for host in ("https://a.example.org", "https://b.example.org"):
        links = Links(key=lambda call, place: "/voice/key", silence=lambda call, place: "/voice/silence",
                      clip=lambda code, context, host=host: f"{host}/voice/recordings/{code}/{context}.mp3")
        hosts.append(str(line.menu(parts, CallPlace("main_menu", "ht"), Call(1), links)))
    assert "a.example.org" in hosts[0] and "b.example.org" in hosts[1]


def test_the_phone_links_are_a_route_and_one_opaque_token(make_app, redis_url):
    """The phone's callback URLs are the route (as url_for makes it, under any prefix) and
    one sealed token: no time, topic or language in clear, and the token opens back to the
    same call and place only with the app's key."""
    from flask import url_for

    from hotline.channels.voice import Call, CallPlace, unpack
    from hotline.channels.voice.token import Sealer
    from hotline.web.voice import _links

    app = make_app(redis_url=redis_url, languages=("en",))
    sealer = app.extensions["hotline_phone"].sealer
    calls = [Call(1_790_000_000), Call(1_790_000_123, misses=2, said="kl")]
    places = [CallPlace("main_menu", "en"), CallPlace("@lang", "en", ("en", "es", "zh_Hans")), CallPlace("@volunteer", "fa_AF"),
              CallPlace("door_warrant", "zh_Hans", back=("main_menu", "door"), more=True)]
    for root in ("", "/hotline"):
        with app.test_request_context("/voice/key", method="POST", base_url=f"https://hotline.example.org{root}"):
            links = _links()
            for call in calls:
                for place in places:
                    url = links.key(call, place)
                    path, _, query = url.partition("?s=")
                    assert path == url_for("phone.key") and links.silence(call, place).startswith(url_for("phone.silence"))
                    for clear in ("1790000", "door", "zh_Hans", "fa_AF", "lang", "main_menu"):
                        assert clear not in query
                    assert unpack(sealer.open(query)) == (call, place)
                    assert links.key(call, place) == url  # the same state, the same URL
                    assert Sealer("another secret key of thirty-two characters").open(query) is None
                    assert sealer.open(query[:-2] + ("AA" if not query.endswith("AA") else "BB")) is None
