"""The checks GNU `msgfmt -c` makes on a catalog, in Python, so every host can make them.

polib reads and writes the catalogs (languages.py, maintenance.py), but like every PO library
it reads leniently: `msgid Hello` becomes "ell", an unterminated string is cut short, a broken
`#| msgid` (the previous English kept for a translator) becomes garbage without a word. GNU
msgfmt, Poedit and Weblate refuse such a file, so the hotline refuses it too, the same way:

    errors (msgfmt -c exits 1; the catalog is not served)
      - PO syntax, including the `#|` previous-msgid and `#~` obsolete lines:
        "end-of-line within string", an unknown keyword, an invalid escape
      - a message defined twice (same msgctxt and msgid)
      - a translated, non-fuzzy entry whose msgid and msgstr do not both begin, or both
        end, with a newline
      - an entry flagged python-format or python-brace-format whose msgstr does not use
        the same format arguments
      - plural translations without a Plural-Forms header
    warnings (msgfmt -c prints them and exits 0)
      - a header field missing or still at its template default

tests/test_catalog_check.py runs GNU msgfmt on the same broken catalogs (when it is
installed) and checks that both refuse exactly the same ones. `hotline check` also runs
msgfmt itself when it is installed (hotline/staff/translations.py).
"""
from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass

import polib

HEADER_FIELDS = ("Project-Id-Version", "PO-Revision-Date", "Last-Translator", "Language-Team",
                 "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Language")
# What `msginit`/`xgettext` leave in a fresh file: a field still like this was never filled in.
_DEFAULTS = {
    "Project-Id-Version": "PACKAGE VERSION",
    "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
    "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
    "Language-Team": "LANGUAGE <LL@li.org>",
    "Content-Type": "text/plain; charset=CHARSET",
    "Content-Transfer-Encoding": "ENCODING",
}
_KEYWORDS = re.compile(r"msgctxt|msgid_plural|msgid|msgstr\[\d+\]|msgstr")
_ESCAPES = set('ntbrfva"\\01234567x')


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str
    severity: str = "error"  # "error": msgfmt -c fails on it; "warning": msgfmt only warns
    # "format": a placeholder mismatch, which the hotline's own rule (languages.py) reports
    # in its own, plainer words; "file": everything else
    kind: str = "file"

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


def syntax_problems(text: str) -> list[Problem]:
    """The lexical and grammar checks: every string quoted and closed, keywords in order.
    (check() remembers its whole answer by text, this one included.)"""
    problems: list[Problem] = []
    streams: dict[str, list[tuple[int, str]]] = {"main": [], "obsolete": []}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        stream = "main"
        if line.startswith("#"):
            # Only these comments carry PO syntax; every other comment is free text.
            if line.startswith("#~|"):
                body, stream = line[3:], None
            elif line.startswith("#~"):
                body, stream = line[2:], "obsolete"
            elif line.startswith("#|"):
                body, stream = line[2:], None
            else:
                continue
            if not body.strip():
                continue
        else:
            body = line
        tokens, problem = _tokens(body)
        if problem:
            problems.append(Problem(number, problem if problem.startswith("not valid") else
                                    f"not valid gettext syntax (check the quotes): {problem}: {line[:60]!r}"))
            continue
        if stream is not None:
            streams[stream].extend((number, token) for token in tokens)
    for tokens in streams.values():
        problems.extend(_grammar(tokens))
    return problems


def _tokens(body: str) -> tuple[list[str], str | None]:
    tokens, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j = i + 1
            while j < len(body) and body[j] != '"':
                if body[j] == "\\":
                    if j + 1 >= len(body):
                        break
                    if body[j + 1] not in _ESCAPES:
                        return tokens, f"invalid control sequence \\{body[j + 1]}"
                    j += 1
                j += 1
            if j >= len(body):
                return tokens, "end-of-line within string"
            tokens.append('"')
            i = j + 1
        else:
            found = _KEYWORDS.match(body, i)
            if not found:
                return tokens, "not valid gettext syntax (check the quotes): " + repr(body.strip()[:60])
            keyword = found.group(0)
            tokens.append("msgstr[" if keyword.startswith("msgstr[") else keyword)
            i = found.end()
    return tokens, None


# After each keyword (or the start of an entry, None), what may follow it.
_NEXT = {
    None: ("msgctxt", "msgid"),
    "msgctxt": ("msgid",),
    "msgid": ("msgid_plural", "msgstr"),
    "msgid_plural": ("msgstr[",),
    "msgstr": ("msgctxt", "msgid"),
    "msgstr[": ("msgstr[", "msgctxt", "msgid"),
}


def _grammar(tokens: list[tuple[int, str]]) -> list[Problem]:
    previous, has_string = None, True
    for number, token in tokens:
        if token == '"':
            if previous is None:
                return [Problem(number, "not valid gettext syntax: a quoted string before any msgid")]
            has_string = True
            continue
        if not has_string:
            return [Problem(number, f"not valid gettext syntax: `{previous}` has no \"quoted string\"")]
        if token not in _NEXT[previous]:
            expected = " or ".join(k.rstrip("[") for k in _NEXT[previous])
            return [Problem(number, f"`{token.rstrip('[')}` here, but gettext expects {expected}")]
        previous, has_string = token, False
    if previous in ("msgctxt", "msgid", "msgid_plural"):
        return [Problem(tokens[-1][0], "the file ends in the middle of an entry (a msgstr is missing)")]
    if tokens and not has_string:
        return [Problem(tokens[-1][0], f"not valid gettext syntax: `{previous}` has no \"quoted string\"")]
    return []


_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_BRACE = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}(?!\})")


def entry_problems(po: polib.POFile) -> list[Problem]:
    """The checks msgfmt -c makes on the entries and the header of a syntactically valid file."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    plural = False
    for entry in po:
        key = (entry.msgctxt or "", entry.msgid)
        if entry.msgid or entry.msgctxt:
            if key in seen:
                where = entry.msgctxt or entry.msgid[:40]
                problems.append(Problem(entry.linenum, f"entry '{where}' appears twice (first at line {seen[key]}); keep one"))
                continue
            seen[key] = entry.linenum
        plural = plural or bool(entry.msgid_plural)
        if not entry.msgid or "fuzzy" in entry.flags:
            continue
        strings = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for string in strings:
            if not string:
                continue
            for end, test in (("begin", str.startswith), ("end", str.endswith)):
                if test(entry.msgid, "\n") != test(string, "\n"):
                    problems.append(Problem(entry.linenum, f"'msgid' and 'msgstr' entries do not both {end} with '\\n'"))
            problems.extend(_format_problems(entry, string))
    if plural and "nplurals=" not in po.metadata.get("Plural-Forms", ""):
        problems.append(Problem(1, "the catalog has plural translations but its header has no Plural-Forms"))
    if po.metadata:
        for name in HEADER_FIELDS:
            value = po.metadata.get(name)
            if value is None:
                problems.append(Problem(1, f"header field '{name}' missing in header", "warning"))
            elif _DEFAULTS.get(name) == value.strip():
                problems.append(Problem(1, f"header field '{name}' still has the initial default value", "warning"))
    return problems


def _format_problems(entry: polib.POEntry, string: str) -> list[Problem]:
    out = []
    if "python-brace-format" in entry.flags:
        ours = {m.group(1) for m in _BRACE.finditer(entry.msgid)}
        theirs = {m.group(1) for m in _BRACE.finditer(string)}
        for name in sorted(ours - theirs):
            out.append(Problem(entry.linenum, f"a format specification for argument '{name}' doesn't exist in 'msgstr'", kind="format"))
        for name in sorted(theirs - ours):
            out.append(Problem(entry.linenum, f"a format specification for argument '{name}', as in 'msgstr', doesn't exist in 'msgid'", kind="format"))
    if "python-format" in entry.flags:
        ours = [m.group(1) for m in _PERCENT.finditer(entry.msgid) if m.group(0) != "%%"]
        theirs = [m.group(1) for m in _PERCENT.finditer(string) if m.group(0) != "%%"]
        if any(ours) or any(theirs):
            if set(ours) != set(theirs):
                out.append(Problem(entry.linenum, "the named format specifications in 'msgid' and 'msgstr' differ", kind="format"))
        elif len(ours) != len(theirs):
            out.append(Problem(entry.linenum, "number of format specifications in 'msgid' and 'msgstr' does not match", kind="format"))
    return out


def parse(text: str) -> polib.POFile:
    """polib's reading of a file that passed syntax_problems (so nothing is silently garbled).

    Each entry's linenum is moved to its msgid line, the line msgfmt (and Babel) name: polib
    counts from the entry's first comment."""
    po = polib.pofile(text, wrapwidth=78)
    lines = text.splitlines()
    for entry in po:
        number = max(entry.linenum, 1)
        while number <= len(lines) and not lines[number - 1].lstrip("#~ ").startswith("msgid"):
            number += 1
        if number <= len(lines):
            entry.linenum = number
    return po


def check(text: str) -> tuple[polib.POFile | None, list[Problem]]:
    """Every problem msgfmt -c would report, and the parsed file when its syntax is valid.

    The POFile is the caller's own: `hotline translations update` and the console edit it."""
    parsed, problems = _checked(text)
    return (pickle.loads(parsed) if parsed is not None else None), list(problems)


# One `hotline check` reads each catalog three times, and every app built reads all of them
# again; the text decides the answer, so a text seen before is not parsed again. What is kept
# is the pickled POFile, and each caller gets its own copy of it (about 1 ms against 25-50 ms
# for polib's parse), so nothing one caller changes in its POFile reaches another.
@functools.lru_cache(maxsize=32)
def _checked(text: str) -> tuple[bytes | None, tuple[Problem, ...]]:
    po, problems = _check(text)
    return (pickle.dumps(po, protocol=pickle.HIGHEST_PROTOCOL) if po is not None else None), tuple(problems)


def _check(text: str) -> tuple[polib.POFile | None, list[Problem]]:
    problems = syntax_problems(text)
    if any(p.severity == "error" for p in problems):
        return None, problems
    try:
        po = parse(text)
    except (OSError, ValueError) as exc:  # polib's own refusal, e.g. a keyword out of order
        found = re.search(r"line (\d+)", str(exc))
        return None, [Problem(int(found.group(1)) if found else 1, f"not valid gettext syntax: {exc}")]
    return po, problems + entry_problems(po)
