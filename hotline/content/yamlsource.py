"""YAML reading that remembers where every value came from.

Staff fix mistakes by line number, so the loader needs the line of every key and value.
PyYAML's composer gives us nodes with marks; we build plain Python values from them and
record the line of each path (('nodes', 'door', 'menu', 0, 'goto') -> 17) on the way.
PyYAML silently keeps the last of two duplicate keys; a staff member who pasted a node twice
must hear about it, so duplicates are findings here.
"""
from __future__ import annotations

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
        return self.constructor.construct_object(node, deep=True)

    def build_scalar_key(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.doc.findings.append(
                Finding(self.doc.file, node.start_mark.line + 1, "a key must be a plain word, not a list or mapping")
            )
            return f"<line {node.start_mark.line + 1}>"
        return self.constructor.construct_object(node)


def read_yaml(text: str, file: str) -> Document:
    """Parse `text`; syntax errors become a Finding with the line YAML stopped at."""
    doc = Document(file=file, value=None)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # Usually the problem mark is where to look; but an unclosed quote or bracket is only
        # noticed at the end of the file, and then the place it was opened is the useful one.
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context} that starts on line {exc.context_mark.line + 1})" if exc.context_mark else f"{problem} ({exc.context})"
        doc.findings.append(Finding(file, line, f"this is not valid YAML: {problem}"))
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
