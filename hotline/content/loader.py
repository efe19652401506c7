"""Load every file in `flows/`, check all of it, and build the Script the hotline serves.

Two passes, as goflow does it: each file is validated on its own against the models
(unknown keys, types), then the whole set is checked together (dangling `goto`s, duplicate
ids, unreachable nodes, ...). Every problem becomes a Finding with file and line; if there
is any, ScriptError carries them all, so a staff member fixes everything in one go.
"""
from __future__ import annotations

import hashlib
from collections import deque
from pathlib import Path

from pydantic import BaseModel, ValidationError

from hotline.errors import Finding, ScriptError
from hotline.core import contract
from hotline.content.model import CardFile, FlowFile, HotlineFile, ReferralFile, SourceFile
from hotline.content.script import Place, Script
from hotline.content.yamlsource import Document, read_yaml

_KINDS: dict[str, type[BaseModel]] = {
    "flow": FlowFile,
    "referrals": ReferralFile,
    "sources": SourceFile,
    "messages": HotlineFile,
    "card": CardFile,
}


def load_script(flows_dir: str | Path) -> Script:
    """Read and check every `*.yaml` in `flows_dir`. Raises ScriptError listing all findings."""
    flows_dir = Path(flows_dir)
    files = sorted(flows_dir.glob("*.yaml"))
    if not files:
        raise ScriptError([Finding(str(flows_dir), 0, "no .yaml flow files in this folder")])
    digest = hashlib.sha256()
    texts = {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        texts[path] = raw
    return _Assembler(flows_dir).assemble(texts, version=digest.hexdigest()[:12])


def _display(path: Path, flows_dir: Path) -> str:
    # Findings name files as staff see them in the repo: flows/door.yaml
    return f"{flows_dir.name}/{path.name}"


class _Assembler:
    def __init__(self, flows_dir: Path):
        self.flows_dir = flows_dir
        self.findings: list[Finding] = []

    def assemble(self, texts: dict[Path, bytes], version: str) -> Script:
        docs: list[tuple[Document, BaseModel]] = []
        for path, raw in texts.items():
            name = _display(path, self.flows_dir)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                self.findings.append(Finding(name, line, "this file is not UTF-8 text; save it as UTF-8"))
                continue
            doc = read_yaml(text, name)
            self.findings.extend(doc.findings)
            if doc.value is None:
                continue
            model = self._validate(doc)
            if model is not None:
                docs.append((doc, model))
        if self.findings:
            # Checking links between files that failed on their own would only add noise
            # ("no node 'welcome'" because main.yaml had a typo): fix these first.
            raise ScriptError(sorted(self.findings, key=lambda f: (f.file, f.line)))
        script = self._combine(docs, version)
        if self.findings:
            raise ScriptError(sorted(self.findings, key=lambda f: (f.file, f.line)))
        return script

    def _validate(self, doc: Document) -> BaseModel | None:
        if not isinstance(doc.value, dict):
            self.findings.append(Finding(doc.file, 1, "the file must be a mapping of keys to values"))
            return None
        kind = next((k for k in _KINDS if k in doc.value), None)
        if kind is None:
            self.findings.append(
                Finding(doc.file, 1, "unknown kind of file: it needs `flow:`, `referrals:`, `sources:`, `messages:` or `card:` at the top")
            )
            return None
        try:
            return _KINDS[kind].model_validate(doc.value)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                # pydantic appends the member of a union or a validator name to loc; the line
                # lookup walks back to the deepest path the YAML really has.
                where = ".".join(str(part) for part in loc if not str(part).startswith(("function-", "literal[", "tuple[")))
                self.findings.append(Finding(doc.file, doc.line_of(loc), _reason(error, where)))
            return None

    def _combine(self, docs: list[tuple[Document, BaseModel]], version: str) -> Script:
        nodes, places, flows = {}, {}, {}
        referrals, sources, messages, keywords = {}, {}, {}, {}
        card = None
        seen_kind: dict[str, str] = {}
        for doc, model in docs:
            if isinstance(model, FlowFile):
                if model.flow in flows:
                    self.findings.append(Finding(doc.file, doc.line_of(("flow",)), f"flow '{model.flow}' is also defined in {flows[model.flow][1]}"))
                flows[model.flow] = (model.title, doc.file)
                for node_id, node in model.nodes.items():
                    line = doc.line_of(("nodes", node_id))
                    if node_id in nodes:
                        first = places[node_id]
                        self.findings.append(Finding(doc.file, line, f"node '{node_id}' is also defined in {first.file} line {first.line}; node ids must be unique across all files"))
                        continue
                    nodes[node_id] = node
                    places[node_id] = Place(doc.file, line, model.flow, doc)
                continue
            kind = type(model).__name__
            if kind in seen_kind:
                self.findings.append(Finding(doc.file, 1, f"this repeats {seen_kind[kind]}; keep one such file"))
                continue
            seen_kind[kind] = doc.file
            if isinstance(model, ReferralFile):
                referrals = {k: (v, doc) for k, v in model.referrals.items()}
            elif isinstance(model, SourceFile):
                sources = {k: (v, doc) for k, v in model.sources.items()}
            elif isinstance(model, HotlineFile):
                messages = {k: (v, doc) for k, v in model.messages.items()}
                keywords = {k: (v, doc) for k, v in model.keywords.items()}
                self._check_hotline_file(doc, model)
            elif isinstance(model, CardFile):
                card = (model.card, doc)
        if "HotlineFile" not in seen_kind:
            self.findings.append(Finding(f"{self.flows_dir.name}/hotline.yaml", 0, "the hotline's own messages and keywords (`messages:` and `keywords:`) are missing"))
        lines = {}
        for kind, table in (("messages", messages), ("keywords", keywords), ("referrals", referrals), ("sources", sources)):
            for key, (_, doc) in table.items():
                lines[f"{kind}:{key}"] = (doc.file, doc.line_of((kind, key)))
        if card is not None:
            lines["card"] = (card[1].file, 1)
            self._check_card(card[0], card[1], nodes, referrals)
        self._check_references(nodes, places, referrals, sources)
        self._check_reachable(nodes, places)
        return Script(
            version=version,
            nodes=nodes,
            places={k: Place(p.file, p.line, p.flow) for k, p in places.items()},
            flows=flows,
            referrals={k: v for k, (v, _) in referrals.items()},
            sources={k: v for k, (v, _) in sources.items()},
            messages={k: v for k, (v, _) in messages.items()},
            keywords={k: v for k, (v, _) in keywords.items()},
            lines=lines,
            card=card[0] if card else None,
        )

    def _check_card(self, card, doc: Document, nodes, referrals) -> None:
        for i, point in enumerate(card.points):
            where = doc.line_of(("card", "points", i, "step"))
            if point.step not in nodes:
                self.findings.append(Finding(doc.file, where, f"card line {i + 1} sums up '{point.step}', but no node has that id"))
            elif not nodes[point.step].legal:
                self.findings.append(Finding(doc.file, where, f"card line {i + 1} sums up '{point.step}', which is not a legal step with sources"))
        for i, ref in enumerate(card.referrals):
            where = doc.line_of(("card", "referrals", i))
            if ref not in referrals:
                self.findings.append(Finding(doc.file, where, f"referral '{ref}' is not in referrals.yaml"))
            elif not referrals[ref][0].phone:
                self.findings.append(Finding(doc.file, where, f"referral '{ref}' has no phone number to print on the card"))
        if contract.placeholders(card.hotline) != {"phone"}:
            self.findings.append(Finding(doc.file, doc.line_of(("card", "hotline")), "the `hotline` line must contain {phone} (the hotline's own number) and no other placeholder"))

    def _check_hotline_file(self, doc: Document, model: HotlineFile) -> None:
        for message_id, allowed in contract.MESSAGES.items():
            if message_id not in model.messages:
                self.findings.append(Finding(doc.file, doc.line_of(("messages",)), f"message '{message_id}' is missing; the hotline needs it"))
        for message_id, text in model.messages.items():
            allowed = contract.MESSAGES.get(message_id, frozenset())
            extra = contract.placeholders(text) - allowed
            if extra:
                names = ", ".join("{" + n + "}" for n in sorted(extra))
                can = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
                self.findings.append(Finding(doc.file, doc.line_of(("messages", message_id)), f"message '{message_id}' uses {names}, which the hotline does not fill in (it can use: {can})"))
        for keyword_id in contract.KEYWORDS:
            if keyword_id not in model.keywords:
                self.findings.append(Finding(doc.file, doc.line_of(("keywords",)), f"keyword '{keyword_id}' is missing; the hotline needs it"))
        urgent_parts = [contract.URGENT in model.keywords] + [m in model.messages for m in contract.FIRST_MESSAGES]
        if any(urgent_parts) and not all(urgent_parts):
            self.findings.append(Finding(doc.file, doc.line_of(("keywords",)), "the panic words (keyword 'urgent') and the "
                                         f"messages {', '.join(contract.FIRST_MESSAGES)} go together: give all of them or none"))
        known = contract.KEYWORDS + contract.OPTIONAL_KEYWORDS
        unknown = set(model.keywords) - set(known)
        for keyword_id in sorted(unknown):
            self.findings.append(Finding(doc.file, doc.line_of(("keywords", keyword_id)), f"unknown keyword '{keyword_id}' (known: {', '.join(known)})"))

    def _check_references(self, nodes, places, referrals, sources) -> None:
        for node_id, node in nodes.items():
            doc = places[node_id].doc
            base = ("nodes", node_id)
            keys_seen: dict[int, int] = {}
            for i, item in enumerate(node.menu):
                if item.key in keys_seen:
                    self.findings.append(Finding(doc.file, doc.line_of(base + ("menu", i, "key")), f"menu key {item.key} is used twice in node '{node_id}' (first for item {keys_seen[item.key] + 1})"))
                keys_seen.setdefault(item.key, i)
                if item.goto not in nodes:
                    self.findings.append(Finding(doc.file, doc.line_of(base + ("menu", i, "goto")), f"menu item {item.key} goes to '{item.goto}', but no node has that id"))
            if node.next is not None and node.next not in nodes:
                self.findings.append(Finding(doc.file, doc.line_of(base + ("next",)), f"`next` names '{node.next}', but no node has that id"))
            if node.next is not None and node.menu:
                self.findings.append(Finding(doc.file, doc.line_of(base + ("next",)), "a node with a menu waits for a choice, so it cannot also have `next`"))
            for i, ref in enumerate(node.referrals):
                if ref not in referrals:
                    self.findings.append(Finding(doc.file, doc.line_of(base + ("referrals", i)), f"referral '{ref}' is not in referrals.yaml"))
            for i, src in enumerate(node.sources):
                if src not in sources:
                    self.findings.append(Finding(doc.file, doc.line_of(base + ("sources", i)), f"source '{src}' is not in sources.yaml"))
        for node_id in contract.REQUIRED_NODES:
            if node_id not in nodes:
                self.findings.append(Finding(f"{self.flows_dir.name}/main.yaml", 0, f"there is no node '{node_id}'; the hotline starts there"))
        # A `next` chain that loops would make one reply endless. Report each circle once.
        circles: set[frozenset[str]] = set()
        for start in nodes:
            seen, node_id = [], start
            while node_id in nodes and nodes[node_id].next is not None:
                if node_id in seen:
                    circle = frozenset(seen[seen.index(node_id):])
                    if circle in circles:
                        break
                    circles.add(circle)
                    place = places[start]
                    self.findings.append(Finding(place.file, place.line, f"`next` goes round in a circle: {' -> '.join(seen + [node_id])}"))
                    break
                seen.append(node_id)
                node_id = nodes[node_id].next

    def _check_reachable(self, nodes, places) -> None:
        roots = [n for n in contract.REQUIRED_NODES if n in nodes]
        reached, queue = set(roots), deque(roots)
        while queue:
            node = nodes[queue.popleft()]
            for target in [item.goto for item in node.menu] + ([node.next] if node.next else []):
                if target in nodes and target not in reached:
                    reached.add(target)
                    queue.append(target)
        for node_id in nodes.keys() - reached:
            place = places[node_id]
            self.findings.append(Finding(place.file, place.line, f"node '{node_id}' cannot be reached: no menu item or `next` leads to it"))


def _reason(error: dict, where: str) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{error['loc'][-1]}' (check the spelling; see flows/README.md for the keys)"
    if kind == "missing":
        return f"'{error['loc'][-1]}' is required here"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
