"""Structure: unreachable parts, menus too long for a keypad, and loops with no way on.

"No way back", as the check means it. The engine offers 0 (main menu) and BACK on every node
and the SMS reply says so, so nobody is ever stuck in the strict sense. What a script can
still get wrong:
- a `next` chain that comes back to itself: one reply that never ends. The loader refuses it
  (an error, shown here under structure);
- a closed loop: a group of nodes whose menus only lead to each other and never out, so the
  only exit is a keyword the caller must remember (on the phone line it is said only after
  every choice). Reported as a warning, naming the nodes;
- unreachable nodes, which the loader refuses too (shown here under structure).
"""
from __future__ import annotations

from hotline.errors import Finding as LoadFinding
from hotline.core import contract
from hotline.content.script import Script
from hotline.staff.findings import CheckFinding
from hotline.staff.limits import KEYPAD_DIGITS, CheckLimits
from hotline.staff.places import FlowLines

# Loader findings that are about the shape of the menus rather than a typo in one file.
_STRUCTURAL = ("cannot be reached", "goes round in a circle")


def load_findings(found: list[LoadFinding]) -> list[CheckFinding]:
    """The loader's errors, each in the group a staff member would look for it in."""
    return [CheckFinding("structure" if any(words in f.reason for words in _STRUCTURAL) else "errors",
                    "error", f.file, f.line, f.reason) for f in found]


def menu_size_findings(lines: FlowLines, limits: CheckLimits) -> list[CheckFinding]:
    """Counted in the YAML itself, so a ten-item menu is explained even when it stops loading."""
    findings = []
    for doc in lines.documents():
        nodes = doc.value.get("nodes")
        if not isinstance(nodes, dict):
            continue
        for node_id, node in nodes.items():
            menu = node.get("menu") if isinstance(node, dict) else None
            if not isinstance(menu, list) or len(menu) <= min(limits.menu_options, KEYPAD_DIGITS):
                continue
            if len(menu) > KEYPAD_DIGITS:
                severity, why = "error", (f"a keypad has {KEYPAD_DIGITS} digits for choices (0 is the main menu): "
                                          "move some choices into a sub-menu, like 'More topics'")
            else:
                severity, why = "warning", f"the limit set for the check is {limits.menu_options}"
            findings.append(CheckFinding("structure", severity, doc.file, doc.line_of(("nodes", node_id, "menu")),
                                    f"the menu of '{node_id}' has {len(menu)} choices: {why}",
                                    detail={"node": node_id, "choices": len(menu)}))
    return findings


def closed_loops(script: Script) -> list[CheckFinding]:
    edges = {node_id: {item.goto for item in node.menu} | ({node.next} if node.next else set())
             for node_id, node in script.nodes.items()}
    findings = []
    for group in _strongly_connected(edges):
        looped = len(group) > 1 or any(n in edges[n] for n in group)
        leaves = any(target not in group for n in group for target in edges[n])
        if not looped or leaves or contract.MAIN_MENU in group:
            continue
        first = min(group, key=lambda n: (script.places[n].file, script.places[n].line))
        place = script.places[first]
        names = ", ".join(sorted(group))
        findings.append(CheckFinding(
            "structure", "warning", place.file, place.line,
            f"closed loop: {names} only lead to each other, so the only way out is 0 or BACK; "
            "add a choice that leads on (e.g. to legal help) or back to the topic",
            detail={"nodes": sorted(group)}))
    return findings


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (a long chain must not hit the recursion limit)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups
