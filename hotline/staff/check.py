"""`hotline check`: everything a staff member should know about the scripts, as one Report.

The findings logic lives here and in the modules it calls; report_text.py and commands.py
only print. Each part reuses what the hotline itself runs: the loader's validation (the
errors), i18n's catalog reading (translations), hotline/staff/sms_budget.py (SMS cost: the replies,
their cost and the budget the tests and `hotline translations status` use too).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from hotline.content.bundle import Content, catalogs_digest
from hotline.errors import ScriptError
from hotline.content.loader import load_script
from hotline.content.script import Script
from hotline.core.languages import LANGUAGES
from hotline.content.catalogs.languages import load_languages
from hotline.staff.findings import Report
from hotline.staff.freshness import freshness_findings
from hotline.staff.limits import DEFAULT_LIMITS, CheckLimits
from hotline.staff.places import FlowLines
from hotline.staff.plain_language import plain_language_findings
from hotline.staff.smscost import sms_findings
from hotline.staff.structure import closed_loops, load_findings, menu_size_findings
from hotline.staff.translations import quiet_catalog_log, review_catalogs
from hotline.staff.voiceready import MissingRecordings, voice_readiness


def run_check(flows_dir: str | Path, translations_dir: str | Path, languages: tuple[str, ...] = LANGUAGES,
              today: dt.date | None = None, limits: CheckLimits = DEFAULT_LIMITS,
              missing_recordings: MissingRecordings | None = None) -> Report:
    report = Report(today=today or dt.date.today(), limits=limits)
    lines = FlowLines(flows_dir)
    report.add(menu_size_findings(lines, limits))
    try:
        script = load_script(flows_dir)
    except ScriptError as exc:
        # Nothing else can be judged on scripts that do not load: fix these first.
        report.add(load_findings(exc.findings))
        return report
    report.totals = _totals(script)
    review = review_catalogs(script, translations_dir, languages)
    report.languages = review.statuses
    report.add(review.findings)
    # Every catalog that loads, however incomplete: a language's SMS cost and voice are worth
    # knowing before callers are offered it (those findings are notes, not warnings).
    with quiet_catalog_log():
        preview = Content(script, load_languages(script, translations_dir, review.loadable, min_coverage=0))
    report.version = Content(script, preview.languages, catalogs_digest(translations_dir, languages)).version
    catalog_files = {status.code: status.file for status in review.statuses if status.code != "en"}
    report.add(sms_findings(preview, review.offered, limits, review.entry_lines, catalog_files))
    report.voice, voice_findings = voice_readiness(preview, review.offered, catalog_files, missing_recordings)
    report.add(voice_findings)
    report.add(freshness_findings(script, lines, report.today, limits))
    report.add(plain_language_findings(script, limits))
    report.add(closed_loops(script))
    return report


def _totals(script: Script) -> dict[str, int]:
    return {"nodes": len(script.nodes), "flows": len(script.flows), "referrals": len(script.referrals),
            "sources": len(script.sources), "legal_nodes": sum(1 for n in script.nodes.values() if n.legal)}
