"""The SMS budget: every reply a person can get, and what each one costs against the budget.

This is the one place that knows both. The test suite (tests/test_sms_budget.py), `hotline
check` (its "SMS cost" group, hotline/staff/smscost.py) and `hotline translations status`
(hotline/staff/coverage.py) all walk these replies and measure them with these rules, so the
three can never disagree about what a reply costs or whether it is too long.

Every reply a person can get, in one language (`replies`)
    Produced by the engine itself (hotline.core.engine.step) and rendered by the real SMS channel
    (hotline.channels.sms), so what is measured is exactly what Twilio would bill:
    - arriving at every node a person can arrive at (by a menu choice, BACK, `*`, HELP, 0,
      the welcome): the node, its `next` chain, its referrals, its menu and the way back;
    - the re-prompt after a wrong key at every menu, and the hint on a page without a menu;
    - the notice, with the main menu, when a reload removed the page the person was on;
    - the language list (the LANGUAGE keyword) and, in English, the list a first message
      gets before any language is chosen (until then the hotline speaks English);
    - what the switchboard answers before the engine: Twilio's HELP word (who runs the line,
      then the help page), FORGET, and the notices sent alone (a picture, too many messages,
      the line over its limit).
    A reply that is word for word another one (two ways to the same page) is measured once.
    Not walked: the answers made without memory while Redis is down (hotline/session/switchboard.py
    `stateless`: the "unavailable" notice before whatever the main menu gives), a degraded
    mode where the notice rides on top of a full page.

The time of day
    Referral lines change with it ("Open now, until 8:00 PM", "Closed now. Opens Wednesday
    at 8:00 AM"), so a reply that lists referrals is rendered early, midday and late on every
    day of one week in the referrals' time zone (MOMENTS), and its dearest rendering counts.

What a reply costs (`billed`, `measure`)
    The segments of every message it is sent as (Twilio takes at most 1600 characters a
    body, so a very long reply goes as several; hotline.channels.sms.split), each counted by
    hotline.channels.sms.segments: GSM-7 fits 153 characters a segment, UCS-2 only 67.

The budget (`SmsBudget`; the lead's policy, also in README "The SMS budget")
    Every reply, in every language, is at most 320 characters: Twilio recommends staying
    under 320, and carriers may reject long UCS-2 messages (error 30019). That is at most 3
    segments in GSM-7 and 5 in UCS-2 (a UCS-2 segment holds 67 characters against GSM-7's
    153), and the segments are held to those numbers too:

                      GSM-7 reply      UCS-2 reply
        any reply     320 characters, 3 segments; 5 segments in UCS-2

    A reply is *content* when a node it shows is legal, lists referrals, or is a page that
    ends the path (no menu, no `next`): what a person came to read. Every other reply is a
    *menu*: the welcome with the main menu, a page of choices such as "More topics", a
    re-prompt after a wrong key, the language list, a notice. The reply's own encoding
    decides which column applies.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hotline.channels import sms
from hotline.channels.sms.segments import Cost, cost
from hotline.content.bundle import Content
from hotline.session import intake
from hotline.core.engine import Notice, Show, State, Turn, step
from hotline.core.words import Words
from hotline.core import contract
from hotline.content.model import Node
from hotline.session.switchboard import Switchboard

CONTENT, MENU = "content", "menu"
REPEAT = "*"  # the engine's "say this node again": arriving at a node without choosing it
NOT_A_CHOICE = "?"  # matches no key, keyword, digit or language: the wrong-key re-prompt
GONE = "removed-by-a-reload"  # cannot be a node id (ids have no '-'): the `moved` notice
# Characters outside GSM-7 that are fewer than this share of a reply are strays (a pasted
# accent or symbol): a finding says what the reply would cost without them. More means the
# language's own script, and nobody should be told to remove it.
STRAY_SHARE = 0.05


@dataclass(frozen=True)
class SmsBudget:
    """What one reply may cost. `hotline check`'s CheckLimits carries this; nothing copies it."""

    characters: int = 320  # Twilio's recommended most for one message, in any language
    content_segments: int = 3  # 320 characters in GSM-7
    menu_segments: int = 3
    ucs2_content_segments: int = 5  # 320 characters in UCS-2
    ucs2_menu_segments: int = 5

    def limit(self, kind: str, encoding: str) -> int:
        if encoding == "UCS-2":
            return self.ucs2_content_segments if kind == CONTENT else self.ucs2_menu_segments
        return self.content_segments if kind == CONTENT else self.menu_segments


SMS_BUDGET = SmsBudget()


def sample_times(zone: str = "America/New_York") -> tuple[dt.datetime, ...]:
    """Early, midday and late on each day of one week, in the referrals' time zone.

    Between them they give every kind of referral line: open now, opens later today, and
    opens on each day of the week (the day names differ in length).
    """
    monday = dt.date(2026, 11, 30)
    tz = ZoneInfo(zone)
    return tuple(dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(h), tzinfo=tz)
                 for d in range(7) for h in (3, 12, 21))


MOMENTS = sample_times()


# --- every reply ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    lang: str  # the language it is in (English for the list before a language is chosen)
    where: str  # how staff would name it: "door", "wrong key at door", "the language list", ...
    turn: Turn
    kind: str  # CONTENT or MENU
    anchor: str | None  # the node whose text is most of the reply: the text to shorten
    at: tuple[str, int]  # where the reply is written (file, line)

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(o.node for o in self.turn.outputs if isinstance(o, Show))


def is_content(node: Node) -> bool:
    return node.legal or bool(node.referrals) or (not node.menu and node.next is None)


def kind_of(content: Content, turn: Turn) -> str:
    """CONTENT when the turn shows a node that is legal, lists referrals or ends the path."""
    nodes = content.script.nodes
    return CONTENT if any(isinstance(o, Show) and is_content(nodes[o.node]) for o in turn.outputs) else MENU


def entry_nodes(content: Content) -> list[str]:
    """Nodes a person can arrive at: all but those only ever reached inside a `next` chain."""
    script = content.script
    chained = {node.next for node in script.nodes.values() if node.next}
    targets = {item.goto for node in script.nodes.values() for item in node.menu}
    return [n for n in script.nodes if n not in chained or n in targets or n in contract.REQUIRED_NODES]


def replies(content: Content, lang: str) -> list[Reply]:
    """Every distinct reply a person gets in `lang`, once each, in the order staff read a script."""
    script = content.script
    found: list[Reply] = []
    seen: set[tuple] = set()

    def add(where: str, turn: Turn, at: tuple[str, int] | None = None) -> None:
        if turn.outputs in seen:
            return
        seen.add(turn.outputs)
        shown = [o.node for o in turn.outputs if isinstance(o, Show)]
        anchor = None
        if at is None:  # a page: the node most of it is about is where to shorten it
            anchor = next((n for n in shown if is_content(script.nodes[n])), shown[-1])
            place = script.places[anchor]
            at = (place.file, place.line)
        found.append(Reply(lang, where, turn, kind_of(content, turn), anchor, at))

    def written(node_id: str) -> tuple[str, int]:
        place = script.places[node_id]
        return place.file, place.line

    def said(node_id: str | None, text: str) -> Turn:
        return step(content, State(node=node_id, lang=lang), Words(text))

    for node_id in entry_nodes(content):
        add(node_id, said(node_id, REPEAT))
    for node_id, node in script.nodes.items():
        if node.menu:
            add(f"wrong key at {node_id}", said(node_id, NOT_A_CHOICE), written(node_id))
    leaf = next((n for n, node in script.nodes.items() if not node.menu), None)
    if leaf:  # the same hint on every page without a menu
        add("a wrong key on a page without a menu", said(leaf, NOT_A_CHOICE), script.lines["messages:leaf_hint"])
    add("the 'moved' notice and main menu", said(GONE, "1"), script.lines["messages:moved"])
    if len(content.languages.codes) > 1:
        listed = script.lines.get("keywords:language", written(contract.MAIN_MENU))
        add("the language list", said(contract.MAIN_MENU, script.keywords["language"][0]), listed)
        if lang == content.languages.book(None).code:  # a first message in no known language
            add("the first-contact language list", step(content, State(), Words(NOT_A_CHOICE)), listed)
    if script.has_urgent and lang == content.languages.book(None).code:
        # a panic word as a first text, language unknown: the urgent page and how to choose one
        add("the urgent page as a first text", step(content, State(), Words(script.keywords[contract.URGENT][0])),
            script.lines.get(f"keywords:{contract.URGENT}", written(contract.URGENT)))
    # Before the engine, the switchboard answers Twilio's HELP word and FORGET itself, and
    # sends some notices alone: to a picture, to too many messages at once, when the whole
    # line is over its limit (hotline/session/switchboard.py).
    at_menu = State(node=contract.MAIN_MENU, lang=lang)
    add("HELP",
        Switchboard.reply(content, at_menu, Words("HELP"), intake.HELP)[0], script.lines["messages:line_info"])
    add("FORGET", Switchboard.reply(content, at_menu, Words(script.keywords["forget"][0]), None)[0],
        script.lines["messages:forgotten"])
    for message in ("media", "too_fast", "unavailable"):
        add(f"the '{message}' notice", Turn((Notice(message),), at_menu), script.lines[f"messages:{message}"])
    return found


def every_reply(content: Content) -> list[Reply]:
    """`replies` in every language `content` serves."""
    return [reply for code in content.languages.codes for reply in replies(content, code)]


def unshown(content: Content, lang: str) -> set[str]:
    """Nodes no reply shows (the walk is incomplete if this is not empty)."""
    shown = {node for reply in replies(content, lang) for node in reply.nodes}
    return set(content.script.nodes) - shown


# --- what a reply costs ------------------------------------------------------------------------

def billed(text: str) -> Cost:
    """The cost of a reply as Twilio bills it: every message it is split into, added up."""
    costs = [cost(chunk) for chunk in sms.split(text)]
    if len(costs) == 1:
        return costs[0]
    return Cost("UCS-2" if any(c.encoding == "UCS-2" for c in costs) else "GSM-7",
                sum(c.units for c in costs), sum(c.segments for c in costs),
                tuple(dict.fromkeys(ch for c in costs for ch in c.forced_ucs2_by)))


def moments(content: Content, turn: Turn, times: tuple[dt.datetime, ...] = MOMENTS) -> tuple[dt.datetime, ...]:
    """The times worth rendering a turn at: all of them when it lists referrals, else one."""
    nodes = content.script.nodes
    return times if any(isinstance(o, Show) and nodes[o.node].referrals for o in turn.outputs) else times[:1]


@dataclass(frozen=True)
class Measure:
    reply: Reply
    budget: SmsBudget
    cost: Cost  # the dearest rendering's
    text: str  # the reply at that moment

    @property
    def kind(self) -> str:
        return self.reply.kind

    @property
    def limit(self) -> int:
        return self.budget.limit(self.kind, self.cost.encoding)

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def over(self) -> bool:
        return self.characters > self.budget.characters or self.cost.segments > self.limit

    def without_strays(self) -> Cost | None:
        """The cost with the characters that forced UCS-2 gone, when they are a few strays."""
        forced = self.cost.forced_ucs2_by
        if not forced or sum(self.text.count(ch) for ch in forced) > STRAY_SHARE * len(self.text):
            return None
        return billed("".join("?" if ch in forced else ch for ch in self.text))

    def explain(self) -> str:
        """One line for `hotline check`, the status report and a failing test: what, where, why."""
        c = self.cost
        unit = "characters" if c.encoding == "GSM-7" else "UTF-16 units"
        line = (f"{self.reply.where} [{self.reply.lang}]: {self.characters} characters, {c.segments} SMS segments "
                f"({c.encoding}, {c.units} {unit}); a reply may have {self.budget.characters} characters "
                f"and cost {self.limit} segments in {c.encoding}")
        if c.forced_ucs2_by:
            line += f". UCS-2 because of {describe(c.forced_ucs2_by)}"
            without = self.without_strays()
            if without:
                line += (f"; without them it would cost {without.segments} "
                         f"({without.encoding}, budget {self.budget.limit(self.kind, without.encoding)})")
        return line


def describe(chars: tuple[str, ...], limit: int = 8) -> str:
    named = [f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" for ch in chars[:limit]]
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return ", ".join(named) + more


def measure(content: Content, reply: Reply, budget: SmsBudget = SMS_BUDGET,
            times: tuple[dt.datetime, ...] = MOMENTS) -> Measure:
    """The reply at its dearest moment, against `budget`."""
    dearest = None
    for now in moments(content, reply.turn, times):
        text = sms.reply_text(content, reply.turn, now)
        found = (billed(text), text)
        if dearest is None or (found[0].segments, found[0].units) > (dearest[0].segments, dearest[0].units):
            dearest = found
    return Measure(reply, budget, *dearest)
