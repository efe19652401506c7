"""Lines inside the flow files, below the node level (a `reviewed:` key, a menu's tenth item).

The Script keeps the line of every node and referral; findings about one key of a node need
the YAML again. Each file is parsed once, on first use, with the loader's own reader.
"""
from __future__ import annotations

from pathlib import Path

from hotline.content.yamlsource import Document, read_yaml


class FlowLines:
    def __init__(self, flows_dir: str | Path):
        self.flows_dir = Path(flows_dir)
        self._docs: dict[str, Document | None] = {}

    def shown(self, path: Path) -> str:
        """How findings name a file: as staff see it in the repository (flows/door.yaml)."""
        return f"{self.flows_dir.name}/{path.name}"

    def documents(self) -> list[Document]:
        docs = [self.document(self.shown(path)) for path in sorted(self.flows_dir.glob("*.yaml"))]
        return [doc for doc in docs if doc is not None and isinstance(doc.value, dict)]

    def document(self, shown: str) -> Document | None:
        if shown not in self._docs:
            path = self.flows_dir / Path(shown).name
            try:
                doc = read_yaml(path.read_text(encoding="utf-8"), shown)
            except (OSError, UnicodeDecodeError):
                doc = None
            self._docs[shown] = doc if doc is not None and doc.value is not None else None
        return self._docs[shown]

    def line(self, shown: str, path: tuple, fallback: int) -> int:
        doc = self.document(shown)
        return doc.line_of(path) if doc is not None else fallback
