"""The one shape of every key the hotline stores in Redis: `hl:` and parts joined by colons.

A part in braces is a Redis Cluster hash tag: every key of one caller (`hl:{<pseudonym>}:s`,
`...:l`, `...:o`) lands in the same slot, so one script can touch them all; the report loop's
keys share the tag `{rep}`; a counter split across the cluster's shards carries a shard's tag.
The letters after a caller's tag: s its place, l its language, o opted out, r a report being
written, n reports today, t texted today.
"""
from __future__ import annotations


def key(*parts: object) -> str:
    return "hl:" + ":".join(str(part) for part in parts)


def tag(value: str) -> str:
    """A Redis Cluster hash tag: only the part in braces decides a key's slot."""
    return "{" + value + "}"


def caller_key(kind: str, caller: str) -> str:
    """One of a caller's keys (kind: s, l, o, r, n, t), all in the caller's slot."""
    return key(tag(caller), kind)


def counter_key(kind: str, period: object, shard: str | None = None) -> str:
    """A line-wide counter for a window or a day: `hl:load:<window>`, or one shard's share
    of it on a cluster, `hl:load:{<shard>}:<window>`."""
    return key(kind, period) if shard is None else key(kind, tag(shard), period)
