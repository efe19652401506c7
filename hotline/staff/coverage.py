"""Per-language figures for staff and release notes: coverage, review status and SMS cost.

    python -m hotline.staff.coverage            (the same table as `hotline translations status`)

Every catalog is measured as it would be served, even one below the coverage threshold, so
a translator sees the cost of a language before it is offered. The replies, their cost and
the budget come from hotline/staff/sms_budget.py, the same that `hotline check` and the tests use.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from hotline.content.bundle import Content
from hotline.content.loader import load_script
from hotline.core.languages import LANGUAGES
from hotline.content.catalogs.languages import MIN_COVERAGE, CatalogReport, load_languages
from hotline.staff.sms_budget import SMS_BUDGET, Measure, measure, replies


@dataclass(frozen=True)
class Row:
    """One language's line of the status table: its catalog, and what each of its replies costs."""

    catalog: CatalogReport
    measures: tuple[Measure, ...]

    @property
    def code(self) -> str:
        return self.catalog.code

    def dearest(self, kind: str) -> Measure | None:
        of_kind = [m for m in self.measures if m.kind == kind]
        return max(of_kind, key=lambda m: (m.cost.segments, m.cost.units)) if of_kind else None

    @property
    def over(self) -> list[Measure]:
        return [m for m in self.measures if m.over]


def report(flows_dir: Path, translations_dir: Path, languages: tuple[str, ...] = LANGUAGES) -> list[Row]:
    script = load_script(flows_dir)
    served = load_languages(script, translations_dir, languages)
    # Every catalog as it would be served, to measure languages not yet offered too (its
    # warnings would only repeat the first load's).
    i18n_log = logging.getLogger("hotline.content.catalogs.languages")
    level = i18n_log.level
    i18n_log.setLevel(logging.ERROR)
    try:
        every = load_languages(script, translations_dir, languages, min_coverage=0)
    finally:
        i18n_log.setLevel(level)
    content = Content(script=script, languages=every)
    rows = []
    for code in every.codes:
        measures = tuple(measure(content, reply) for reply in replies(content, code))
        rows.append(Row(served.reports[code], measures))
    return rows


def table(rows: list[Row]) -> str:
    b = SMS_BUDGET
    lines = [f"Budget: every reply at most {b.characters} characters ({b.content_segments} segments in GSM-7, "
             f"{b.ucs2_content_segments} in UCS-2); a language is offered from {MIN_COVERAGE:.0%} translated.", ""]
    header = ("lang", "offered", "translated", "fuzzy", "missing", "review", "content max", "menu max", "over budget", "dearest reply")
    body = []
    for row in rows:
        c = row.catalog
        content, menu = row.dearest("content"), row.dearest("menu")
        dearest = max(row.measures, key=lambda m: (m.cost.segments - m.limit, m.cost.segments))
        body.append((
            row.code,
            "yes" if c.served else "no",
            f"{c.translated}/{c.total} {c.coverage:.0%}",
            str(len(c.fuzzy)),
            str(len(c.missing)),
            c.review_status + (f" ({c.reviewed_by})" if c.reviewed_by else ""),
            f"{content.cost.segments} {content.cost.encoding}" if content else "-",
            f"{menu.cost.segments} {menu.cost.encoding}" if menu else "-",
            f"{len(row.over)}/{len(row.measures)}",
            f"{dearest.reply.where} ({dearest.cost.segments})",
        ))
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    for r in [header] + body:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(r, widths)).rstrip())
    problems = [(row.code, p) for row in rows for p in row.catalog.keyword_problems]
    if problems:
        lines += ["", "Keyword problems:"] + [f"  {code}: {p}" for code, p in problems]
    over = [m for row in rows for m in row.over]
    if over:
        lines += ["", f"Replies over budget ({len(over)}):"] + [f"  {m.explain()}" for m in over]
    return "\n".join(lines)


def main() -> None:
    from hotline.config import Settings
    from hotline.errors import HotlineError

    settings = Settings.from_env(dev=True)
    try:
        print(table(report(settings.flows_dir, settings.translations_dir, settings.languages)))
    except HotlineError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
