"""A draft's catalogs edited in the console: read entry by entry, changed, uploaded, reviewed.

The draft is a dict of files (hotline/content/revisions.py); a catalog is its
translations/<lang>/LC_MESSAGES/messages.po. Everything here takes and returns file texts:
the views (hotline/staff/console/translators.py) save them in the draft, and publishing
checks them as it checks any change.

- `refreshed(files)` brings the draft's template and catalogs in line with its English, by
  the same path as `hotline translations extract` then `update` (maintenance.py): a string
  whose English changed keeps its translation, marked fuzzy, the old English kept as
  `#| msgid`. The translator's view always shows a catalog as that update leaves it.
- `behind_english(files)` says, per language, which strings that update leaves missing or
  stale: the draft page and publishing warn with it (publishing publishes the updated
  catalogs, so a changed string is fuzzy in the revision, never an old msgid kept silently).
- `rows()` lists every string: its English, its context, its status (missing, stale, done).
- `apply_edits()` writes translations into the catalog; a stale one stops being fuzzy only
  when the translator confirms it matches the new English. Placeholders are checked first:
  one wrong entry and nothing is written.
- `checked_upload()` checks a PO file from Poedit or Weblate as `msgfmt -c` would, plus the
  hotline's rules (placeholders, the template's strings, the language), with line numbers.
- The review status lives in the catalog's header comment (`# Review status: reviewed by
  NAME on DATE`), so the revision carries it and every gettext tool keeps it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polib

from hotline.content.catalogs import maintenance, pocheck
from hotline.content.catalogs.pocheck import Problem
from hotline.content.catalogs.languages import review_status
from hotline.content.revisions import ByFiles, write_files
from hotline.core import contract
from hotline.core.languages import ENGLISH, LANGUAGES

TEMPLATE = "translations/messages.pot"
STATUSES = ("missing", "stale", "done")


def po_name(code: str) -> str:
    return f"translations/{code}/LC_MESSAGES/messages.po"


def entry_key(msgctxt: str | None, msgid: str) -> str:
    """A short, stable name for one string in a form (its context and English, hashed)."""
    return hashlib.sha256(f"{msgctxt or ''}\x04{msgid}".encode()).hexdigest()[:16]


# ---- keeping the catalogs in step with the draft's English --------------------------------

def _strings(pot_text: str) -> list[tuple]:
    try:
        po = polib.pofile(pot_text) if pot_text else []
    except (OSError, ValueError):
        return []
    return sorted((e.msgctxt or "", e.msgid, e.comment) for e in po if e.msgid and not e.obsolete)


def _refresh(files: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """The files with the template and every catalog updated from the English, or the same
    files when the template already holds exactly the English of the flows."""
    with tempfile.TemporaryDirectory(prefix="hotline-catalogs-") as tmp:
        root = write_files(files, tmp)
        pot = maintenance.extract(root / "flows", root / "translations")
        template = pot.read_text(encoding="utf-8")
        out = files
        if _strings(template) != _strings(files.get(TEMPLATE, "")):
            maintenance.update(root / "translations", languages)
            out = dict(files)
            out[TEMPLATE] = template
            for code in languages:
                path = root / po_name(code)
                if code != ENGLISH and path.exists():
                    out[po_name(code)] = path.read_text(encoding="utf-8")
    return out


_refreshed = ByFiles(_refresh, keep=8)


def refreshed(files: dict[str, str], languages: tuple[str, ...] = LANGUAGES) -> dict[str, str]:
    """The files with the template and every catalog updated from the English, or the same
    files when the template already holds exactly the English of the flows (remembered)."""
    return _refreshed(files, tuple(languages))


# ---- the strings of a catalog ----------------------------------------------------------------

@dataclass
class Row:
    key: str
    context: str
    english: str
    translation: str
    status: str  # missing | stale | done
    previous: str  # the English it was translated from, when that changed since
    comment: str  # the template's note: where it is heard or read, what to keep
    where: str  # the context in words
    group: str
    line: int
    cost_kind: str | None  # "content" or "menu" for strings sent by SMS; None otherwise
    placeholders: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    was: str = ""  # the translation the page was shown with (the form sends it back)


def describe(context: str) -> tuple[str, str]:
    """(the group a string belongs to, where it is heard or read, in words)."""
    parts = context.split(":")
    if parts[0] in ("messages", "keywords", "card", "referrals"):
        kind = {"messages": "the hotline's own message", "keywords": "a keyword people send",
                "card": "the pocket card", "referrals": "a referral's offer"}[parts[0]]
        return parts[0], f"{kind}: {':'.join(parts[1:])}"
    if len(parts) >= 3:
        flow, node, what = parts[0], parts[1], parts[2]
        if what == "menu":
            return flow, f"topic {flow}, step {node}, menu choice {parts[3] if len(parts) > 3 else ''}"
        channel = {"text": "by SMS and by phone", "sms": "by SMS only", "voice": "on the phone line only"}.get(what, what)
        return flow, f"topic {flow}, step {node}, {channel}"
    return parts[0] or "other", context


def _cost_kind(context: str, node_kinds: dict[str, str]) -> str | None:
    parts = context.split(":")
    if parts[0] in ("messages", "referrals"):
        return "content"
    if len(parts) == 3 and parts[2] in ("text", "sms"):
        return node_kinds.get(parts[1], "content")
    return None


def node_kinds(nodes: dict[str, tuple[str, dict]]) -> dict[str, str]:
    """node id -> the SMS budget it is measured by, as the node editor decides it."""
    return {node_id: ("content" if node.get("legal") or node.get("referrals") or not node.get("menu") else "menu")
            for node_id, (_, node) in nodes.items()}


def _status(entry: polib.POEntry) -> str:
    if not entry.msgstr:
        return "missing"
    return "stale" if "fuzzy" in entry.flags else "done"


def read(po_text: str) -> polib.POFile:
    po, problems = pocheck.check(po_text)
    errors = [p for p in problems if p.severity == "error" and p.kind != "format"]
    if po is None or errors:
        first = errors[0] if errors else problems[0]
        raise ValueError(f"line {first.line}: {first.reason}")
    return po


def rows(po_text: str, kinds: dict[str, str] | None = None) -> list[Row]:
    po = read(po_text)
    out = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        context = entry.msgctxt or ""
        group, where = describe(context)
        status = _status(entry)
        out.append(Row(entry_key(entry.msgctxt, entry.msgid), context, entry.msgid, entry.msgstr, status,
                       entry.previous_msgid or "" if status == "stale" else "", entry.comment or "", where, group,
                       entry.linenum, _cost_kind(context, kinds or {}),
                       sorted(contract.placeholders(entry.msgid))))
    return out


def counts(all_rows: list[Row]) -> dict[str, int]:
    found = {status: 0 for status in STATUSES}
    for row in all_rows:
        found[row.status] += 1
    return found


@dataclass
class Behind:
    """One language's strings that the draft's English left behind: missing (new English) or
    stale (changed English), as `refreshed()` leaves them; callers get the English for them
    until a translator brings them up to date."""
    code: str
    missing: int
    stale: int
    contexts: list[str]


def _behind_english(files: dict[str, str], languages: tuple[str, ...]) -> list[Behind]:
    updated = refreshed(files, languages)
    found = []
    for code in languages:
        name = po_name(code)
        if code == ENGLISH or name not in updated or updated[name] == files.get(name):
            continue
        try:
            before = {r.key: r.status for r in rows(files[name])} if files.get(name) else {}
            after = rows(updated[name])
        except ValueError:
            continue  # a catalog that cannot be read: the check says so
        # Strings not done whose English (the key holds it) is new to this catalog: a string
        # that was missing and still is, for the same English, was not left behind by this change.
        left = [r for r in after if r.status != "done" and before.get(r.key) != r.status]
        if left:
            found.append(Behind(code, sum(r.status == "missing" for r in left),
                                sum(r.status == "stale" for r in left), [r.context for r in left]))
    return found


_behind = ByFiles(_behind_english, keep=8)


def behind_english(files: dict[str, str], languages: tuple[str, ...] = LANGUAGES) -> list[Behind]:
    """The languages whose strings the English of these files changed since their catalogs
    were last updated (empty when the catalogs follow the English; remembered). HotlineError
    when the English does not load."""
    return _behind(files, tuple(languages))


def describe_behind(behind: list[Behind]) -> str:
    """"es: 1 stale; fa_AF: 2 missing, 1 stale" (for the audit log and the command line)."""
    return "; ".join(f"{b.code}: " + ", ".join(f"{n} {what}" for n, what in ((b.missing, "missing"), (b.stale, "stale")) if n)
                     for b in behind)


# ---- writing translations --------------------------------------------------------------------

def placeholder_problems(english: str, translation: str) -> list[str]:
    if not translation:
        return []
    ours, theirs = contract.placeholders(english), contract.placeholders(translation)
    problems = []
    if "<unbalanced brace>" in theirs:
        return ["a { or } without its partner: placeholders are written {like_this}"]
    if ours - theirs:
        problems.append("keep the placeholder(s) " + ", ".join("{" + n + "}" for n in sorted(ours - theirs))
                        + " exactly as the English writes them")
    if theirs - ours:
        problems.append("the English has no " + ", ".join("{" + n + "}" for n in sorted(theirs - ours))
                        + ": the hotline cannot fill it in")
    return problems


def _tidy(english: str, text: str) -> str:
    """A textarea's text as the catalog keeps it: Unix line ends, no stray spaces around it,
    and the English's leading and trailing newlines (msgfmt -c requires them to match)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    return ("\n" if english.startswith("\n") else "") + text + ("\n" if english.endswith("\n") else "")


@dataclass
class Edit:
    text: str
    was: str  # the translation the page showed: someone else may have changed it since
    confirmed: bool = False  # a stale string checked against the new English


def apply_edits(po_text: str, edits: dict[str, Edit]) -> tuple[str, list[str], dict[str, list[str]]]:
    """(the catalog's new text, the contexts changed, problems per key). With any problem the
    text returned is the old one: nothing is written."""
    po = read(po_text)
    entries = {entry_key(e.msgctxt, e.msgid): e for e in po if not e.obsolete and e.msgid}
    problems: dict[str, list[str]] = {}
    changed = []
    for key, edit in edits.items():
        entry = entries.get(key)
        if entry is None:
            problems[key] = ["this string's English changed while you worked: reload the page"]
            continue
        text = _tidy(entry.msgid, edit.text)
        if text == entry.msgstr and not (edit.confirmed and "fuzzy" in entry.flags and text):
            continue
        if entry.msgstr != _tidy(entry.msgid, edit.was) and text != entry.msgstr:
            problems[key] = [f"someone else changed this translation meanwhile, to: {entry.msgstr}"]
            continue
        found = placeholder_problems(entry.msgid, text)
        if found:
            problems[key] = found
            continue
        was_missing = not entry.msgstr
        entry.msgstr = text
        if not text or edit.confirmed or was_missing:
            # Confirmed against the new English (or new): no longer fuzzy, the old English goes.
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        changed.append(entry.msgctxt or entry.msgid)
    if problems:
        return po_text, [], problems
    return _text(po), changed, {}


def _text(po: polib.POFile) -> str:
    po.wrapwidth = maintenance.WIDTH
    return str(po).rstrip("\n") + "\n"


def touched(po_text: str, who: str, now: dt.datetime) -> str:
    """The header says who changed the catalog last, and when (as Poedit writes it)."""
    po = read(po_text)
    po.metadata["Last-Translator"] = who
    po.metadata["PO-Revision-Date"] = now.strftime("%Y-%m-%d %H:%M+0000")
    return _text(po)


# ---- the review status -------------------------------------------------------------------------

_REVIEW_LINE = re.compile(r"^\s*Review status:", re.IGNORECASE)
DRAFT_NOTE = "draft (a native speaker must review it)"


def review_line(po_text: str) -> str:
    """The review status in full: "reviewed by ana on 2026-12-02", "draft (...)"."""
    found = re.search(r"^#\s*Review status:\s*(.*)$", po_text, re.MULTILINE | re.IGNORECASE)
    return found.group(1).strip() if found else "draft"


def is_reviewed(po_text: str) -> bool:
    return bool(po_text) and review_status(po_text) == "reviewed"


def reviewed_by(po_text: str) -> tuple[str, str] | None:
    """(who, when) of a reviewed catalog, else None."""
    found = re.match(r"reviewed by (\S+) on (\d{4}-\d{2}-\d{2})", review_line(po_text))
    return (found.group(1), found.group(2)) if found and review_status(po_text) == "reviewed" else None


def with_review(po_text: str, status: str) -> str:
    """The catalog with its header comment's review status replaced (every line of it)."""
    po = read(po_text)
    lines = (po.header or "").split("\n")
    kept, skipping = [], False
    for line in lines:
        if _REVIEW_LINE.match(line):
            skipping = True
            continue
        if skipping and line.strip() and not line.startswith(("Copyright", "This file", "FIRST AUTHOR")):
            continue  # the old status went on over several lines
        skipping = False
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    po.header = "\n".join(kept + [f"Review status: {status}", ""])
    return _text(po)


def mark_reviewed(po_text: str, who: str, day: dt.date) -> str:
    return with_review(po_text, f"reviewed by {who} on {day.isoformat()}")


# ---- a PO file uploaded from Poedit or Weblate ------------------------------------------------

# A problem with an uploaded file is msgfmt's kind of problem: a line and a reason
# (pocheck.Problem, imported above); the page says "line N: reason".


def checked_upload(raw: bytes, code: str, template_text: str) -> tuple[polib.POFile | None, list[Problem]]:
    """The uploaded catalog, or the reasons it is refused (each with its line): its syntax and
    entries as `msgfmt -c` checks them (and GNU msgfmt itself when it is installed), its header
    (UTF-8, this language), plural forms, placeholders, and only strings the template has."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(raw[: exc.start].count(b"\n") + 1, "this file is not UTF-8 text; save it as UTF-8")]
    if not text.strip():
        return None, [Problem(1, "the file is empty")]
    po, found = pocheck.check(text)
    problems = [Problem(p.line, p.reason) for p in found if p.severity == "error"]
    if po is None or problems:
        return None, problems
    problems += _gnu_msgfmt(text)
    if not po.metadata:
        problems.append(Problem(1, 'the header entry (msgid "") is missing: export the file again from your tool'))
    charset = re.search(r"charset=([\w-]+)", po.metadata.get("Content-Type", ""))
    if po.metadata and (not charset or charset.group(1).lower().replace("-", "") != "utf8"):
        problems.append(Problem(1, "the header must say Content-Type: text/plain; charset=UTF-8"))
    language = po.metadata.get("Language", "").strip()
    if language and language.replace("-", "_").lower() != code.lower():
        problems.append(Problem(1, f"this is a catalog for {language!r}, not for {code}"))
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    wanted = {(e.msgctxt, e.msgid) for e in polib.pofile(template_text) if e.msgid} if template_text else set()
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if (entry.msgctxt, entry.msgid) not in wanted:
            where = f" ({entry.msgctxt})" if entry.msgctxt else ""
            problems.append(Problem(entry.linenum, f"this string{where} is not in the draft's template: its English "
                                                   f"changed or it was removed; download the catalog again"))
            continue
        if entry.msgid_plural and nplurals and entry.msgstr_plural and len(entry.msgstr_plural) != int(nplurals.group(1)):
            problems.append(Problem(entry.linenum, f"{len(entry.msgstr_plural)} plural forms, but the header's "
                                                   f"Plural-Forms says nplurals={nplurals.group(1)}"))
        if "fuzzy" not in entry.flags:
            for reason in placeholder_problems(entry.msgid, entry.msgstr):
                problems.append(Problem(entry.linenum, reason))
    unique = list(dict.fromkeys(problems))
    return (None, sorted(unique, key=lambda p: p.line)) if unique else (po, [])


def _gnu_msgfmt(text: str) -> list[Problem]:
    """GNU msgfmt -c's own errors, when it is installed: what it refuses, Poedit and Weblate refuse."""
    from hotline.staff.translations import msgfmt_problems

    with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        return [Problem(p.line, f"msgfmt -c: {p.reason}") for p in msgfmt_problems(Path(handle.name))]
    finally:
        os.unlink(handle.name)


def merged_upload(po: polib.POFile, template_text: str, keep_review: str) -> str:
    """The uploaded catalog in the template's order, with the draft's review status."""
    template = polib.pofile(template_text)
    merged, _ = maintenance.merge(po, template)
    return with_review(_text(merged), keep_review)
