"""The Babel extractor for flow, referral and hotline YAML files.

Registered as `hotline_yaml` under `babel.extractors` (pyproject.toml), used by `babel.cfg`:

    pybabel extract -F babel.cfg -o translations/messages.pot .

A string's context (msgctxt) says where it lives ("door:door_warrant:text"), so the same
English words in two places can be translated differently, and a translator comment says
what the text is for and which placeholders to keep. The whole flows folder is loaded (and
must be valid) because contexts need flow names and comments need the node's purpose.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator

from hotline.content.loader import load_script
from hotline.content.catalogs.strings import Translatable, translatables


@lru_cache(maxsize=4)
def _by_file(flows_dir: str, version_hint: float) -> dict[str, list[Translatable]]:
    script = load_script(flows_dir)
    grouped: dict[str, list[Translatable]] = {}
    for item in translatables(script):
        grouped.setdefault(Path(item.file).name, []).append(item)
    return grouped


def extract(fileobj: BinaryIO, keywords, comment_tags, options) -> Iterator[tuple]:
    path = Path(getattr(fileobj, "name", ""))
    flows_dir = path.resolve().parent
    newest = max((p.stat().st_mtime for p in flows_dir.glob("*.yaml")), default=0.0)
    for item in _by_file(str(flows_dir), newest).get(path.name, []):
        yield item.line, "pgettext", (item.context, item.english), [item.comment]
