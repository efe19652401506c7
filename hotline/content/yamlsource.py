"""YAML reading that remembers where every value came from.

Staff fix mistakes by line number, so the loader needs the line of every key and value.
PyYAML's composer gives us nodes with marks; we build plain Python values from them and
record the line of each path (('nodes', 'door', 'menu', 0, 'goto') -> 17) on the way.
PyYAML silently keeps the last of two duplicate keys; a staff member who pasted a node twice
must hear about it, so duplicates are findings here.
"""
from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from hotline.errors import Finding

Path = tuple[Any, ...]


@dataclass
class Document:
    """A parsed file: its value, and the line (1-based) of every path inside it."""

    file: str
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of the deepest known prefix of `path` (a validator error may point
        below the last node the YAML had, e.g. at a missing key)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


_SEXAGESIMAL = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        # Reuse SafeLoader's scalar resolution (dates, ints, bools) without its object graph.
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build_scalar_key(key_node)
                line = key_node.start_mark.line + 1
                if key in result:
                    first = self.doc.lines.get(path + (key,), "?")
                    self.doc.findings.append(
                        Finding(self.doc.file, line, f"'{key}' appears twice here (first on line {first})")
                    )
                    continue
                self.doc.lines[path + (key,)] = line
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag in _SEXAGESIMAL and ":" in str(node.value):
            # YAML 1.1 reads an unquoted 17:00 as the number 1020 (base 60), which no one
            # means; YAML 1.2 and every editor read the text "17:00". So does the hotline.
            return node.value
        return self.constructor.construct_object(node, deep=True)

    def build_scalar_key(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.doc.findings.append(
                Finding(self.doc.file, node.start_mark.line + 1, "a key must be a plain word, not a list or mapping")
            )
            return f"<line {node.start_mark.line + 1}>"
        return self.constructor.construct_object(node)


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, file: str) -> Document:
    """Parse `text`; syntax errors become a Finding with the line YAML stopped at."""
    doc = Document(file=file, value=None)
    try:
        # libyaml's parser when PyYAML has it (several times faster: every app built and every
        # reload reads all the flows); a file it refuses is read again by the pure-Python one,
        # whose messages and marks explain() knows how to put in plain words.
        root = yaml.compose(text, Loader=_FAST_LOADER)
        refused = False
    except yaml.YAMLError:
        refused = True
    try:
        if refused:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line, reason = explain(exc, text)
        doc.findings.append(Finding(file, line, reason))
        return doc
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        doc.findings.append(Finding(file, 1, f"this is not valid YAML: {exc}"))
        return doc
    if root is None:
        doc.findings.append(Finding(file, 1, "the file is empty"))
        return doc
    try:
        doc.value = _Builder(doc).build(root, ())
    except yaml.YAMLError as exc:  # a value YAML cannot construct, e.g. a bad date
        mark = getattr(exc, "problem_mark", None)
        doc.findings.append(Finding(file, mark.line + 1 if mark else 1, f"this value cannot be read: {exc}"))
    return doc


# --- YAML's errors, in the words of the person who wrote the file ---------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content_column(line: str) -> int:
    """Where a line's key starts: after the indentation and any "- " of a list item."""
    column = _indent(line)
    while line[column:column + 2] == "- ":
        column += 2
        while line[column:column + 1] == " ":
            column += 1
    return column


def _meaningful(lines: list[str], index: int) -> int | None:
    """The nearest line above `index` (0-based) with content: not blank, not a comment."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


_KEY = re.compile(r"^\s*(?:-\s+)*([A-Za-z_][\w-]*)\s*:(?:\s|$)")


def _open_quote(lines: list[str], first: int, last: int) -> int | None:
    """The first line in first..last (0-based) that opens a quote it does not close."""
    for i in range(first, min(last, len(lines) - 1) + 1):
        line = lines[i]
        key = _KEY.match(line)
        value = line[key.end():].strip() if key else line.strip().removeprefix("- ").strip()
        if value[:1] in "\"'" and value:
            quote = value[0]
            body = value[1:].replace("\\\\", "").replace('\\"', "") if quote == '"' else value[1:].replace("''", "")
            if quote not in body:
                return i
    return None


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(line, reason) for a YAML syntax error, said as the fix: which line, and what to change.

    PyYAML names its parser's state ("expected <block end>, but found '<block mapping
    start>'") and often the line where it gave up, several lines below the mistake. The
    common mistakes (a line indented wrongly, a colon in text, a quote left open, a tab) are
    recognised from the text around that place; anything else keeps PyYAML's words.
    """
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    at = mark.line if mark else 0
    problem = exc.problem or str(exc)
    start = exc.context_mark.line if exc.context_mark else 0
    if "\t" in problem or "found character '\\t'" in problem:
        tabbed = next((i for i in range(max(0, at - 1), min(len(lines), at + 1)) if "\t" in lines[i][:_indent(lines[i]) + 1]), at)
        return tabbed + 1, f"line {tabbed + 1} is indented with a tab: YAML allows only spaces; replace the tab with spaces"
    quote = _open_quote(lines, start, at)
    if quote is not None and ("end of stream" in problem or "found" in problem or "expected" in problem):
        return quote + 1, (f"line {quote + 1} opens a quote that is not closed on that line: "
                           "add the closing quote at the end of the text (or remove the opening one)")
    if problem.startswith("mapping values are not allowed"):
        line = lines[at] if at < len(lines) else ""
        key = _KEY.match(line)
        name = key.group(1) if key else "text"
        value = line[key.end():].strip() if key else line.strip()
        shown = value.replace('"', '\\"')
        return at + 1, (f"the {name} has a colon followed by a space, which YAML reads as a new key: "
                        f'put the {name} in quotes: {name}: "{shown}"')
    if problem.startswith(("expected <block end>", "did not find expected key", "expected <block mapping start>")) \
            or "could not find expected ':'" in problem:
        if at < len(lines):
            above = _meaningful(lines, at)
            mine = _indent(lines[at])
            if above is not None:
                theirs = _content_column(lines[above])
                if mine < theirs:
                    sibling = _sibling(lines, at, mine)
                    hint = (f"; line it up with `{sibling[1]}:` on line {sibling[0] + 1} ({sibling[2]} spaces)"
                            if sibling else "")
                    return at + 1, f"line {at + 1} is indented less than line {above + 1} above it{hint}"
                if mine > theirs:
                    return at + 1, f"line {at + 1} is indented more than line {above + 1} above it: line them up"
        if "could not find expected ':'" in problem:
            return (mark.line + 1 if mark else 1), (f"line {at + 1}: a key needs a colon after it (`key: value`); "
                                                    "or a text above it is missing its closing quote")
    where = f" ({exc.context} that starts on line {start + 1})" if exc.context and exc.context_mark else (
        f" ({exc.context})" if exc.context else "")
    line = at + 1
    if exc.context_mark and "end of stream" in problem:
        line = start + 1
    return line, f"this is not valid YAML: {problem}{where}"


def _sibling(lines: list[str], index: int, indent: int) -> tuple[int, str, int] | None:
    """The key above `index` that the mis-indented line most likely belongs with: the nearest
    key line whose key column is closest to the line's own indentation."""
    best = None
    for i in range(index - 1, max(-1, index - 40), -1):
        key = _KEY.match(lines[i])
        if not key:
            continue
        column = lines[i].index(key.group(1))
        if column == indent:
            continue
        distance = abs(column - indent)
        if best is None or distance < best[0]:
            best = (distance, i, key.group(1), column)
        if column < indent:  # a key further left opens the block this line is in: stop there
            break
    return (best[1], best[2], best[3]) if best else None


def plain_load(text: str) -> Any:
    """yaml.safe_load(text), each text parsed once: the caller gets its own copy of the result.

    The console reads every flow file of the live revision and of the draft plainly (nodes,
    diffs, reviews) on every page, mostly the same texts again; PyYAML's pure-Python parser,
    which decides what reads as {} here, takes 5-50 ms a file. Raises yaml.YAMLError as
    safe_load does (a refused text is not kept)."""
    return pickle.loads(_plain_pickled(text))


@functools.lru_cache(maxsize=256)
def _plain_pickled(text: str) -> bytes:
    return pickle.dumps(yaml.safe_load(text), protocol=pickle.HIGHEST_PROTOCOL)
