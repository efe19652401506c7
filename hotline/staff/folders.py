"""Which content a staff command reads: the folder you stand in, not the one it was installed from.

In order: `--flows`/`--translations` on the command line, then HOTLINE_FLOWS_DIR and
HOTLINE_TRANSLATIONS_DIR, then `flows/` and `translations/` in the current folder or the
nearest folder above it that has a `flows/` (so `hotline check` works from `flows/` itself).
A command run anywhere else stops and says so: checking some other copy silently is how an
edit was once published unchecked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from hotline.staff.failures import SetupFailed


@dataclass(frozen=True)
class Folders:
    flows: Path
    translations: Path

    def line(self) -> str:
        """The first line of every report: which folders were read."""
        return f"reading {self.flows} and {self.translations}"


def find(flows: str | os.PathLike | None = None, translations: str | os.PathLike | None = None,
         cwd: Path | None = None, env: dict | None = None) -> Folders:
    env = os.environ if env is None else env
    flows = flows or env.get("HOTLINE_FLOWS_DIR") or None
    translations = translations or env.get("HOTLINE_TRANSLATIONS_DIR") or None
    here = Path.cwd() if cwd is None else cwd
    if flows is None:
        base = next((p for p in (here, *here.parents) if (p / "flows").is_dir()), None)
        if base is None:
            raise SetupFailed(f"there is no flows/ folder in {here} (or above it): go to your copy of the hotline "
                              "(the folder with flows/ and translations/), or pass --flows FOLDER")
        flows_dir = base / "flows"
        translations_dir = Path(translations) if translations else base / "translations"
    else:
        flows_dir = Path(flows)
        translations_dir = Path(translations) if translations else flows_dir.parent / "translations"
    if not flows_dir.is_dir():
        raise SetupFailed(f"the flows folder {flows_dir} does not exist")
    return Folders(flows_dir.resolve(), translations_dir.resolve())


def options(command):
    """--flows and --translations, for every command that reads the content."""
    command = click.option("--translations", "translations_dir", type=click.Path(file_okay=False), default=None,
                           help="Catalogs folder (default: HOTLINE_TRANSLATIONS_DIR, else translations/ beside flows/).")(command)
    command = click.option("--flows", "flows_dir", type=click.Path(file_okay=False), default=None,
                           help="Flow scripts folder (default: HOTLINE_FLOWS_DIR, else flows/ in this folder or above).")(command)
    return command
