"""SMS cost: every reply a person can get, in every language, measured in segments.

Replies are produced by the engine itself (hotline.engine.step) and rendered by the real SMS
channel (hotline.channels.sms), so what is measured is exactly what Twilio would bill. A
reply is:
- arriving at a node (what `*`, "repeat", shows: the node, its `next` chain, referrals, menu);
- the re-prompt after a wrong key at each menu;
- the notice when a reload removed the caller's node, and the language menu.
A reply with referrals is rendered at several times of the week, because "Open now, until
8:00 PM" and "Closed now. Opens Wednesday at 8:00 AM" differ in length; the longest counts.

Budgets (hotline.staff.limits): a "content" reply may cost `content_segments`, a "menu" reply
`menu_segments`. A reply is content when any node it shows is legal, lists referrals, or is a
page without a menu; otherwise it is a menu (e.g. the main menu, or "More topics").
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hotline.channels import segments, sms
from hotline.content import Content
from hotline.engine import LANGUAGE_MENU, Show, State, Turn, step
from hotline.flows import contract
from hotline.flows.model import Node
from hotline.flows.strings import node_context
from hotline.staff.findings import Finding
from hotline.staff.limits import Limits

REPEAT = "*"  # the engine's "say this node again": arriving at a node without choosing it
NOT_A_CHOICE = "?"  # matches no key, keyword or digit: the wrong-key re-prompt
GONE = "removed-by-a-reload"  # cannot be a node id (ids have no '-'): the `moved` notice
# Characters fewer than this share of a reply are strays (a pasted accent or symbol) worth
# replacing; more means the language's own script, and the check does not suggest removing it.
STRAY_SHARE = 0.05


def sample_times(zone: str = "America/New_York") -> list[dt.datetime]:
    """Early, midday and late on each day of one week, in the referrals' time zone."""
    monday = dt.date(2026, 11, 30)
    tz = ZoneInfo(zone)
    return [dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(h), tzinfo=tz)
            for d in range(7) for h in (3, 12, 21)]


@dataclass(frozen=True)
class Reply:
    label: str  # how staff would name it: "door", "wrong key at door", ...
    turn: Turn
    kind: str  # "content" or "menu"
    anchor: str | None  # the node whose text is most of the reply, for the finding's place
    at: tuple[str, int]  # where the reply is written (file, line) when no better place is known


@dataclass(frozen=True)
class Measure:
    text: str
    segments: int
    encoding: str
    units: int
    forced_by: tuple[str, ...]


def is_content(node: Node) -> bool:
    return node.legal or bool(node.referrals) or (not node.menu and node.next is None)


def _kind(content: Content, turn: Turn) -> str:
    nodes = content.script.nodes
    shown = [o.node for o in turn.outputs if isinstance(o, Show)]
    return "content" if any(is_content(nodes[n]) for n in shown) else "menu"


def entry_nodes(content: Content) -> list[str]:
    """Nodes a person can arrive at: all but those only ever reached inside a `next` chain."""
    script = content.script
    chained = {node.next for node in script.nodes.values() if node.next}
    targets = {item.goto for node in script.nodes.values() for item in node.menu}
    return [n for n in script.nodes if n not in chained or n in targets or n in contract.REQUIRED_NODES]


def replies(content: Content, code: str) -> list[Reply]:
    script = content.script
    found = []
    for node_id in entry_nodes(content):
        turn = step(content, State(node=node_id, lang=code), REPEAT)
        shown = [o.node for o in turn.outputs if isinstance(o, Show)]
        anchor = next((n for n in shown if is_content(script.nodes[n])), shown[-1])
        place = script.places[anchor]
        found.append(Reply(node_id, turn, _kind(content, turn), anchor, (place.file, place.line)))
    for node_id, node in script.nodes.items():
        if node.menu:
            place = script.places[node_id]
            turn = step(content, State(node=node_id, lang=code), NOT_A_CHOICE)
            found.append(Reply(f"wrong key at {node_id}", turn, "menu", None, (place.file, place.line)))
    turn = step(content, State(node=GONE, lang=code), "1")
    found.append(Reply("the 'moved' notice and main menu", turn, "menu", None, script.lines["messages:moved"]))
    return found


def language_menu(content: Content) -> Reply | None:
    if len(content.languages.codes) < 2:
        return None
    turn = step(content, State(), NOT_A_CHOICE)
    if not turn.state.node or not turn.state.node.startswith(LANGUAGE_MENU):
        return None
    return Reply("the language menu", turn, "menu", None, content.script.lines.get("keywords:language", ("flows/hotline.yaml", 1)))


def measure(content: Content, turn: Turn, times: list[dt.datetime]) -> Measure:
    """The most expensive rendering of this turn over `times` (one time if it has no referrals)."""
    nodes = content.script.nodes
    has_hours = any(isinstance(o, Show) and nodes[o.node].referrals for o in turn.outputs)
    worst = None
    for now in times if has_hours else times[:1]:
        text = sms.reply_text(content, turn, now)
        costs = [segments.cost(chunk) for chunk in sms.split(text)]
        found = Measure(text, sum(c.segments for c in costs),
                        "UCS-2" if any(c.encoding == "UCS-2" for c in costs) else "GSM-7",
                        sum(c.units for c in costs),
                        tuple(dict.fromkeys(ch for c in costs for ch in c.forced_ucs2_by)))
        if worst is None or (found.segments, len(found.text)) > (worst.segments, len(worst.text)):
            worst = found
    return worst


def describe(chars: tuple[str, ...], limit: int = 8) -> str:
    named = [f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" for ch in chars[:limit]]
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return ", ".join(named) + more


def sms_findings(content: Content, offered: tuple[str, ...], limits: Limits,
                 entry_lines: dict[str, dict[str, int]], catalog_files: dict[str, str]) -> list[Finding]:
    """Every reply over its budget, in every language `content` has a phrasebook for."""
    times = sample_times()
    findings = []
    candidates = [(code, reply) for code in content.languages.codes for reply in replies(content, code)]
    menu = language_menu(content)
    if menu:
        candidates.append((None, menu))
    for code, reply in candidates:
        budget = limits.content_segments if reply.kind == "content" else limits.menu_segments
        cost = measure(content, reply.turn, times)
        if cost.segments <= budget:
            continue
        file, line = _place(content, code, reply, entry_lines, catalog_files)
        unit = "characters" if cost.encoding == "GSM-7" else "UTF-16 units"
        reason = (f"{reply.label}{f' [{code}]' if code else ''}: {cost.segments} SMS segments "
                  f"({cost.encoding}, {cost.units} {unit}); a {reply.kind} reply may cost {budget}")
        if cost.forced_by:
            reason += f". UCS-2 because of {describe(cost.forced_by)}"
            stray = sum(cost.text.count(ch) for ch in cost.forced_by)
            if stray <= STRAY_SHARE * len(cost.text):
                without = segments.cost("".join("?" if ch in cost.forced_by else ch for ch in cost.text))
                reason += f"; without them it would cost {without.segments}"
        severity = "warning" if code is None or code in offered else "note"
        findings.append(Finding("sms", severity, file, line, reason, code, {
            "reply": reply.label, "kind": reply.kind, "segments": cost.segments, "budget": budget,
            "encoding": cost.encoding, "units": cost.units, "forced_ucs2_by": list(cost.forced_by)}))
    return findings


def _place(content: Content, code: str | None, reply: Reply, entry_lines, catalog_files) -> tuple[str, int]:
    """A translation too long is fixed in its catalog; English, or an untranslated text, in the flow file."""
    if code and reply.anchor and code in entry_lines:
        flow = content.script.flow_of(reply.anchor)
        node = content.script.nodes[reply.anchor]
        book = content.languages.book(code)
        for field in ("sms", "text"):
            english = getattr(node, field)
            line = entry_lines[code].get(node_context(flow, reply.anchor, field))
            if english and line and book.texts.get((reply.anchor, field), english) != english:
                return catalog_files[code], line
    return reply.at
