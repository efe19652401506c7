"""Translations: per language, what is translated, missing, fuzzy or stale, and who reviewed it.

The numbers come from hotline.content.catalogs.languages (the same rules that decide what callers get); this module
adds what staff need to act on them: the catalog line of each fuzzy or stale entry, and the
placeholder mismatches that would stop a catalog from loading.

"Stale" means an entry in the catalog that no current string uses: the English it translates
was changed or removed (after `pybabel update` such entries become fuzzy or `#~` obsolete).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


from hotline.errors import CatalogError
from hotline.core import contract
from hotline.content.catalogs import pocheck
from hotline.content.script import Script
from hotline.content.catalogs.strings import Translatable, translatables
from hotline.core.languages import ENGLISH
from hotline.content.catalogs.languages import (MIN_COVERAGE, Language, catalog_path, CatalogFile, catalog_report, is_offered,
                                                read_catalog, review_status)
from hotline.staff.findings import CheckFinding, LanguageStatus

REVIEWED = "reviewed"


@dataclass
class CatalogReview:
    statuses: list[LanguageStatus] = field(default_factory=list)
    findings: list[CheckFinding] = field(default_factory=list)
    # code -> msgctxt -> line of that entry in the catalog: where a translation can be fixed
    entry_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    offered: tuple[str, ...] = (ENGLISH,)  # what callers are offered, in menu order
    loadable: tuple[str, ...] = (ENGLISH,)  # every catalog that loads, for previews


@contextmanager
def quiet_catalog_log():
    """i18n logs every incomplete catalog at start-up; the check reports the same, better."""
    logger = logging.getLogger("hotline.content.catalogs.languages")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def display_path(translations_dir: Path, code: str) -> str:
    return f"{translations_dir.name}/{catalog_path(Path(), code).as_posix()}"


def review_catalogs(script: Script, translations_dir: str | Path, wanted: tuple[str, ...]) -> CatalogReview:
    translations_dir = Path(translations_dir)
    strings = list(translatables(script))
    review = CatalogReview()
    review.statuses.append(LanguageStatus(ENGLISH, Language.of(ENGLISH).native_name, "flows/", "source", ENGLISH in wanted,
                                          total=len(strings), translated=len(strings)))
    offered, loadable = [ENGLISH], [ENGLISH]
    for code in wanted:
        if code == ENGLISH:
            continue
        if not catalog_path(translations_dir, code).exists():
            review.findings.append(CheckFinding(
                "translations", "note", display_path(translations_dir, code), 0,
                f"{Language.of(code).native_name} ({code}) has no catalog yet: "
                f"pybabel init -i translations/messages.pot -d translations -l {code}", code))
            continue
        status, findings, lines = _review_one(script, strings, translations_dir, code)
        review.statuses.append(status)
        review.findings.extend(findings)
        review.entry_lines[code] = lines
        if not status.broken:
            loadable.append(code)
            if status.offered:
                offered.append(code)
    review.offered, review.loadable = tuple(offered), tuple(loadable)
    return review


def _review_one(script: Script, strings: list[Translatable], translations_dir: Path, code: str):
    path = catalog_path(translations_dir, code)
    shown = display_path(translations_dir, code)
    name = Language.of(code).native_name
    gnu = msgfmt_problems(path)
    try:
        catalog = read_catalog(path, code)
    except CatalogError as exc:
        # read_catalog names the place as "<path>:<line>: <reason>" (the checks of msgfmt -c).
        own = re.match(rf"^{re.escape(str(path))}:(\d+): (.*)$", str(exc), re.S)
        line, why = (int(own.group(1)), own.group(2)) if own else (1, str(exc))
        findings = [CheckFinding("errors", "error", shown, line, f"this catalog cannot be read: {why}", code)]
        findings += [CheckFinding("errors", "error", shown, p.line, f"msgfmt -c: {p.reason}", code)
                     for p in gnu if p.line != line]
        return LanguageStatus(code, name, shown, "unreadable", False, broken=True), findings, {}
    lines = {message.msgctxt: message.linenum for message in catalog if message.msgctxt}
    lines[_HEADER] = _header_line(path)
    findings = _placeholder_errors(catalog, strings, shown, code)
    findings += [CheckFinding("translations", "warning", shown, p.line, f"gettext: {p.reason}", code)
                 for p in catalog.problems]
    # GNU msgfmt, when installed, has the last word: what it refuses, Poedit and Weblate refuse.
    # (Its placeholder errors are the ones found above, in plainer words: not said twice.)
    if not any(f.severity == "error" for f in findings):
        findings += [CheckFinding("errors", "error", shown, p.line, f"msgfmt -c: {p.reason}", code) for p in gnu]
    try:
        # What load_languages(script, translations_dir, (ENGLISH, code)) says of this catalog,
        # without building the phrasebooks it would (the preview builds them once, for all).
        with quiet_catalog_log():
            report, _ = catalog_report(script, path, code)
    except CatalogError as exc:
        if not findings:  # i18n refused it for a reason the line scan did not see: say so as it is
            findings.append(CheckFinding("errors", "error", shown, 1, str(exc), code))
        status = LanguageStatus(code, name, shown, review_status(path.read_text(encoding="utf-8", errors="replace")), False,
                                total=len(strings), broken=True)
        return status, findings, lines
    offered = is_offered(report)
    stale = _stale_entries(catalog, strings)
    status = LanguageStatus(code, name, shown, report.review_status, offered, total=report.total,
                            translated=report.translated, missing=len(report.missing), fuzzy=len(report.fuzzy),
                            stale=len(stale))
    findings.extend(_entry_findings(status, report.missing, report.fuzzy, stale, lines, shown))
    return status, findings, lines


def _placeholder_errors(catalog: CatalogFile, strings: list[Translatable], shown: str, code: str) -> list[CheckFinding]:
    """The {placeholders} rule of hotline.content.catalogs.languages, with the catalog line of each offending entry."""
    findings = []
    for item in strings:
        message = catalog.get(item.english, context=item.context)
        if message is None or not message.msgstr or message.fuzzy:
            continue
        theirs, ours = contract.placeholders(message.msgstr), contract.placeholders(item.english)
        if theirs != ours:
            findings.append(CheckFinding(
                "errors", "error", shown, message.linenum or 1,
                f"'{item.context}' has placeholders {_braced(theirs)} but the English has {_braced(ours)}: "
                "keep them exactly as in the English; the hotline will not load this catalog", code))
    return findings


def _braced(names: set[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "none"


_HEADER = "X-Review-Status"


def _header_line(path: Path) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if text.startswith(f'"{_HEADER}:'):
            return number
    return 1


@dataclass(frozen=True)
class _Stale:
    context: str
    line: int
    why: str


def _stale_entries(catalog: CatalogFile, strings: list[Translatable]) -> list[_Stale]:
    current = {(item.english, item.context) for item in strings}
    contexts = {item.context for item in strings}
    stale = []
    for message in catalog:
        if (message.msgid, message.msgctxt) in current:
            continue
        why = ("the English changed since this was translated" if message.msgctxt in contexts
               else "no string uses it any more")
        stale.append(_Stale(message.msgctxt or message.msgid, message.linenum or 1, why))
    for message in catalog.obsolete:
        stale.append(_Stale(message.msgctxt or message.msgid, message.linenum or 1, "kept as obsolete (#~): no string uses it"))
    return stale


def msgfmt_problems(path: Path) -> list[pocheck.Problem]:
    """GNU `msgfmt -c`'s own errors on this catalog; none when gettext is not installed."""
    program = shutil.which("msgfmt")
    if program is None:
        return []
    try:
        content = path.read_bytes()
    except OSError:
        content = None
    key = (program, content)
    if content is not None and key in _msgfmt_seen:
        return list(_msgfmt_seen[key])
    problems, by_line = _run_msgfmt(program, path)
    # msgfmt's answer depends on the file's bytes alone: kept for the next check of the same
    # catalog (the console checks every draft; the tests check the same catalogs again and
    # again), unless it had to be told in msgfmt's last line, which may name the path.
    if content is not None and by_line:
        if len(_msgfmt_seen) >= 64:
            _msgfmt_seen.pop(next(iter(_msgfmt_seen)))
        _msgfmt_seen[key] = tuple(problems)
    return problems


_msgfmt_seen: dict[tuple[str, bytes], tuple[pocheck.Problem, ...]] = {}


def _run_msgfmt(program: str, path: Path) -> tuple[list[pocheck.Problem], bool]:
    """msgfmt -c's errors, and whether each came from a line that names its place."""
    try:
        done = subprocess.run([program, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True,
                              timeout=30, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return [], False
    if done.returncode == 0:
        return [], True
    problems = []
    for text in done.stderr.splitlines():
        found = re.match(rf"^{re.escape(str(path))}:(\d+)(?::\d+)?: (?!warning)(.*)$", text)
        if found:
            problems.append(pocheck.Problem(int(found.group(1)), found.group(2)))
    if problems:
        return problems, True
    return [pocheck.Problem(1, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")], False


def _entry_findings(status: LanguageStatus, missing: list[str], fuzzy: list[str], stale: list[_Stale],
                    lines: dict[str, int], shown: str) -> list[CheckFinding]:
    code = status.code
    # Callers never see a language they are not offered: its gaps are progress, not problems.
    severity = "warning" if status.offered else "note"
    findings = []
    if missing or fuzzy or stale:
        first = min([lines[c] for c in missing + fuzzy if c in lines] + [s.line for s in stale], default=1)
        if status.offered:
            effect = "callers get these in English"
        else:
            effect = (f"not offered to callers until {MIN_COVERAGE:.0%} is translated "
                      f"(now {status.translated} of {status.total})")
        findings.append(CheckFinding(
            "translations", severity, shown, first,
            f"{status.name} ({code}): {len(missing)} missing, {len(fuzzy)} fuzzy, {len(stale)} stale; {effect}",
            code, {"missing": missing, "fuzzy": fuzzy, "stale": [s.context for s in stale]}))
    for context in fuzzy:
        findings.append(CheckFinding("translations", severity, shown, lines.get(context, 1),
                                f"fuzzy: '{context}' waits for a translator's check (then remove the fuzzy flag)", code))
    for entry in stale:
        findings.append(CheckFinding("translations", severity, shown, entry.line, f"stale: '{entry.context}': {entry.why}", code))
    if status.offered and status.review_status != REVIEWED:
        findings.append(CheckFinding(
            "translations", "warning", shown, lines.get(_HEADER, 1),
            f"{status.name} ({code}) is offered to callers but its review status is '{status.review_status}': "
            f"a native speaker should review it, then set X-Review-Status: {REVIEWED}", code))
    return findings
