"""Usage statistics without people in them: what is counted, and how it may be shown.

The commission needs to know what the hotline does (how many people, which languages, which
topics); nobody needs to know who. So a turn adds to aggregate counters only, kept per local
day (America/New_York) in one hash per day, `hl:stats:<YYYYMMDD>` (sharded on a cluster, see
hotline/session/store.py), each living 400 days. A counter's name says what, never who:

| field                          | counts                                                          |
|--------------------------------|-----------------------------------------------------------------|
| `v|<lang>|<channel>|<node>`    | a page shown (a node, or `@languages` for the language list)     |
| `o|<lang>|<channel>|<outcome>` | an outcome that matters (OUTCOMES below)                         |
| `n|<lang>|<channel>`           | a new conversation: a message from someone with nothing kept     |

`<lang>` is `-` while a caller has no language yet. No pseudonym, no time finer than a day, no
text: the counters cannot be joined back to a caller's keys. "New conversations" are counted
from what the turn already read (nothing kept about this caller yet), so nobody is remembered
in order to count them. The counters ride on the turn's write round trip (Change.counts).

Every export goes through `suppressed()`: a count below 5 is shown as `<5`, so a rare language
on a quiet day cannot point at someone. Totals over several days add only the day cells that
are themselves shown (each at least 5): otherwise the total over N days minus the total over
N-1 days would give back a suppressed day. How many days were `<5` is shown beside the total
(that says no more than the daily table does).

For the staff console: `usage_table(store, days)` returns the suppressed table, and
`svg_chart(table)` draws it as a self-contained SVG (no script, nothing fetched).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from html import escape

from hotline.content.bundle import Content
from hotline.core.engine import Alert, ChooseLanguage, Show, Turn
from hotline.session.store import LOCAL, Change, SessionStore, Snapshot

THRESHOLD = 5  # the smallest count ever shown
SMALL = "<5"
NO_LANGUAGE = "-"
LANGUAGE_LIST = "@languages"
# The outcomes that matter, each counted once per turn that reaches it.
OUTCOMES = {
    "legal": "reached a legal page",
    "volunteer": "put through to a volunteer",
    "ona": "given ONA's number when no volunteer could answer",
    "report": "made a report (by text: the questions answered and sent on)",
    "responders": "put through to the on-shift responders (a report by phone)",
    "alert": "was shown an alert",
    "opted_out": "opted out (STOP)",
    "forget": "asked to be forgotten (FORGET)",
}
KINDS = {"v": "page", "o": "outcome", "n": "new conversations"}


def page(lang: str | None, channel: str, node: str) -> str:
    return f"v|{lang or NO_LANGUAGE}|{channel}|{node}"


def outcome(lang: str | None, channel: str, name: str) -> str:
    if name not in OUTCOMES:
        raise ValueError(f"unknown outcome {name!r}")
    return f"o|{lang or NO_LANGUAGE}|{channel}|{name}"


def new_conversation(lang: str | None, channel: str) -> str:
    return f"n|{lang or NO_LANGUAGE}|{channel}"


def turn_counts(content: Content, seen: Snapshot, turn: Turn, change: Change | None, channel: str | None,
                kept: bool = True) -> dict[str, int]:
    """What one turn adds to the day's counters (field -> amount). Pure: the switchboard calls it.

    kept: False for a withheld number, whose turns keep nothing (no record, no opt-out mark):
    its pages and outcomes count, but it is never a "new conversation", an opt-out or a FORGET.
    """
    if change is None:  # nothing kept moved (a repeat, a limit, silence): nothing is counted
        return {}
    channel = channel or "voice"
    counts: dict[str, int] = {}
    codes = content.languages.codes
    only = codes[0] if len(codes) == 1 else None  # a line of one language speaks it to everyone
    if kept and change.opt_out is True:
        counts[outcome(seen.lang or only, channel, "opted_out")] = 1
        return counts
    lang = turn.state.lang or only
    if kept and change.session is None:  # the only other write without a record is FORGET
        counts[outcome(seen.lang or only, channel, "forget")] = 1
        return counts
    if kept and not seen.session:
        counts[new_conversation(lang, channel)] = 1
    nodes = content.script.nodes
    legal = alert = False
    for said in turn.outputs:
        if isinstance(said, Show):
            key = page(lang, channel, said.node)
            counts[key] = counts.get(key, 0) + 1
            legal = legal or bool(getattr(nodes.get(said.node), "legal", False))
        elif isinstance(said, ChooseLanguage):
            counts[page(lang, channel, LANGUAGE_LIST)] = 1
        elif isinstance(said, Alert):
            alert = True
    if legal:
        counts[outcome(lang, channel, "legal")] = 1
    if alert:  # once a turn, however many alerts it showed
        counts[outcome(lang, channel, "alert")] = 1
    if change.reported:  # the report loop's last answer: a report went to the responders
        counts[outcome(lang, channel, "report")] = 1
    return counts


def difference(now: dict[str, int], sent: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """What to send so the counters hold `now` for a turn whose earlier attempt sent `sent`."""
    if not sent:  # the first attempt, nearly always: a turn per message, on the hot path
        return tuple(now.items())
    return tuple((k, now.get(k, 0) - sent.get(k, 0)) for k in sorted(set(now) | set(sent))
                 if now.get(k, 0) != sent.get(k, 0))


# --- exports -------------------------------------------------------------------------------


def suppressed(count: int) -> int | str:
    """A count as it may be shown: below THRESHOLD it is `<5` (0 stays 0: nothing happened)."""
    return SMALL if 0 < count < THRESHOLD else count


def last_days(days: int, today: dt.date | None = None) -> list[str]:
    """The `days` local days ending today, oldest first, as the store names them."""
    today = today or dt.datetime.now(LOCAL).date()
    return [(today - dt.timedelta(days=n)).strftime("%Y%m%d") for n in range(days - 1, -1, -1)]


@dataclass(frozen=True)
class Row:
    kind: str  # "page", "outcome", "new conversations"
    lang: str
    channel: str
    name: str  # node id, outcome name, or "" for new conversations
    total: int | str  # the sum of the days shown (each >= 5), or "<5" when every day was small
    small_days: int  # days on which this cell was 1-4, shown as <5
    daily: dict[str, int | str] = field(default_factory=dict)  # day -> count or "<5"


@dataclass(frozen=True)
class UsageTable:
    """The suppressed usage table of some days: nothing in it is below 5 unless it says `<5`."""

    days: tuple[str, ...]
    rows: tuple[Row, ...]

    def as_json(self) -> str:
        return json.dumps({"days": list(self.days), "threshold": THRESHOLD, "rows": [
            {"kind": r.kind, "language": r.lang, "channel": r.channel, "name": r.name, "total": r.total,
             "days_below_threshold": r.small_days, "daily": r.daily} for r in self.rows]}, ensure_ascii=False, indent=1)

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["kind", "language", "channel", "name", "total", "days_below_5", *self.days])
        for r in self.rows:
            writer.writerow([r.kind, r.lang, r.channel, r.name, r.total, r.small_days,
                             *(r.daily.get(d, 0) for d in self.days)])
        return out.getvalue()

    def as_text(self) -> str:
        if not self.rows:
            return f"Nothing counted from {_show_day(self.days[0])} to {_show_day(self.days[-1])}.\n"
        lines = [f"Usage {_show_day(self.days[0])} to {_show_day(self.days[-1])} ({len(self.days)} days); "
                 f"counts below {THRESHOLD} are shown as {SMALL}.", ""]
        width = max(len(r.name) for r in self.rows) + 2
        lines.append(f"{'kind':<18} {'lang':<7} {'channel':<8} {'name':<{width}} {'total':>7}  days <5")
        for r in self.rows:
            small = str(r.small_days) if r.small_days else ""
            lines.append(f"{r.kind:<18} {r.lang:<7} {r.channel:<8} {r.name:<{width}} {str(r.total):>7}  {small}")
        return "\n".join(lines) + "\n"

    def totals(self, kind: str) -> dict[str, int | str]:
        """`kind` rows by language (pages shown, outcomes or new conversations): for a chart.

        Built from the shown totals only, so it reveals nothing the rows do not.
        """
        by_lang: dict[str, int] = {}
        small: set[str] = set()
        for r in self.rows:
            if r.kind != kind:
                continue
            if isinstance(r.total, int):
                by_lang[r.lang] = by_lang.get(r.lang, 0) + r.total
            else:
                small.add(r.lang)
        return {lang: by_lang.get(lang) or SMALL for lang in sorted(set(by_lang) | small)}


def _show_day(day: str) -> str:
    return f"{day[:4]}-{day[4:6]}-{day[6:]}"


def build_table(raw: dict[str, dict[str, int]], days: list[str]) -> UsageTable:
    """Raw counters (store.stats()) -> the suppressed table. Nothing raw leaves this function."""
    cells: dict[tuple[str, str, str, str], dict[str, int]] = {}
    for day in days:
        for name, count in raw.get(day, {}).items():
            parts = name.split("|")
            kind = KINDS.get(parts[0])
            if kind is None or count <= 0:
                continue
            lang, channel = (parts + ["", ""])[1:3]
            what = parts[3] if len(parts) > 3 else ""
            cells.setdefault((kind, lang, channel, what), {})[day] = count
    rows = []
    for (kind, lang, channel, what), by_day in sorted(cells.items()):
        shown = sum(n for n in by_day.values() if n >= THRESHOLD)
        small = sum(1 for n in by_day.values() if 0 < n < THRESHOLD)
        rows.append(Row(kind, lang, channel, what, shown if shown else SMALL, small,
                        {d: suppressed(n) for d, n in by_day.items()}))
    rows.sort(key=lambda r: (list(KINDS.values()).index(r.kind), -(r.total if isinstance(r.total, int) else 0),
                             r.lang, r.channel, r.name))
    return UsageTable(tuple(days), tuple(rows))


def usage_table(store: SessionStore, days: int = 30, today: dt.date | None = None) -> UsageTable:
    """The suppressed usage table of the last `days` local days (today included).

    For the staff console and `hotline stats`: one pipelined read of the day hashes. Raises
    StoreUnavailable when the store does not answer.
    """
    names = last_days(days, today)
    return build_table(store.stats(names), names)


def svg_chart(table: UsageTable, kind: str = "new conversations", title: str | None = None,
              width: int = 640, bar: int = 22) -> str:
    """A horizontal bar chart of `kind` by language, as a standalone SVG string.

    Drawn on the server from the suppressed totals: a `<5` bar is drawn as a short hatched
    stub labelled `<5`, never at a length that would tell its count. Safe to inline in a page.
    """
    totals = table.totals(kind)
    title = title or f"{kind.capitalize()} by language, {len(table.days)} days"
    numbers = [v for v in totals.values() if isinstance(v, int)]
    top = max(numbers, default=THRESHOLD)
    left, right, head = 70, 60, 34
    height = head + bar * max(len(totals), 1) + 10
    span = width - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="13">',
             '<defs><pattern id="small" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             '<rect width="3" height="6" fill="#9aa5b1"/></pattern></defs>',
             f'<text x="{left}" y="20" font-weight="bold">{escape(title)}</text>']
    if not totals:
        parts.append(f'<text x="{left}" y="{head + 14}">Nothing counted.</text>')
    for n, (lang, value) in enumerate(totals.items()):
        y = head + n * bar
        parts.append(f'<text x="{left - 8}" y="{y + bar * 0.7:.0f}" text-anchor="end">{escape(lang)}</text>')
        if isinstance(value, int):
            length = max(2, round(span * value / top))
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{length}" height="{bar - 6}" fill="#3b6ea8"/>')
        else:
            length = max(2, round(span * (THRESHOLD - 1) / max(top, THRESHOLD) / 2))
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{length}" height="{bar - 6}" fill="url(#small)"/>')
        parts.append(f'<text x="{left + length + 6}" y="{y + bar * 0.7:.0f}">{escape(str(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
