"""The Script: every flow, referral, source, message and keyword, checked and ready to serve.

Built once by the loader and never changed; a reload builds a new one and swaps it in whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotline.content.model import Card, Node, Referral, Source
from hotline.core.contract import FIRST_MESSAGES, URGENT


@dataclass(frozen=True)
class Place:
    """Where a node was written: for findings, the staff check and diagrams."""

    file: str
    line: int
    flow: str
    doc: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Script:
    version: str  # a hash of the files' bytes: tells which scripts a server is serving
    nodes: dict[str, Node]
    places: dict[str, Place]
    flows: dict[str, tuple[str, str]]  # flow name -> (title, file)
    referrals: dict[str, Referral]
    sources: dict[str, Source]
    messages: dict[str, str]
    keywords: dict[str, tuple[str, ...]]
    card: Card | None = None
    # "messages:<id>", "keywords:<id>", "referrals:<id>", "sources:<id>", "card" -> (file, line)
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)

    def flow_of(self, node_id: str) -> str:
        return self.places[node_id].flow

    @property
    def has_urgent(self) -> bool:
        """The urgent page, its panic words and the first-reply messages are all there (the
        loader refuses scripts that have only some of them)."""
        return URGENT in self.nodes and URGENT in self.keywords and all(m in self.messages for m in FIRST_MESSAGES)
