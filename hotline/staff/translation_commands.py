"""`hotline translations extract|update|compile|status`: the catalogs' gettext round trip.

The operations themselves live in hotline/content/catalogs/maintenance.py; this is the command
line around them.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po

from hotline.config import Settings
from hotline.content.catalogs.languages import catalog_path
from hotline.content.catalogs.maintenance import compile_catalogs, extract, update
from hotline.errors import HotlineError, ScriptError


def _dirs(flows: str | None, translations: str | None) -> tuple[Path, Path, tuple[str, ...]]:
    settings = Settings.from_env(dev=True)
    return (Path(flows) if flows else settings.flows_dir,
            Path(translations) if translations else settings.translations_dir, settings.languages)


_flows_option = click.option("--flows", "flows", type=click.Path(file_okay=False), help="Flow scripts folder (default HOTLINE_FLOWS_DIR or flows/).")
_translations_option = click.option("--translations", "translations", type=click.Path(file_okay=False),
                                    help="Catalogs folder (default HOTLINE_TRANSLATIONS_DIR or translations/).")


def _fail(exc: HotlineError) -> None:
    if isinstance(exc, ScriptError):
        for finding in exc.findings:
            click.secho(f"error  {finding}", fg="red", err=True)
    click.secho(str(exc) if not isinstance(exc, ScriptError) else f"{len(exc.findings)} error(s) in the flow scripts",
                fg="red", err=True)
    sys.exit(2)


@click.group("translations")
def translations() -> None:
    """Keep the catalogs in step with the English scripts (gettext, through pybabel)."""
    logging.getLogger("babel").setLevel(logging.WARNING)


@translations.command("extract")
@_flows_option
@_translations_option
def extract_command(flows: str | None, translations: str | None) -> None:
    """Write translations/messages.pot from the flow scripts."""
    flows_dir, translations_dir, _ = _dirs(flows, translations)
    try:
        pot = extract(flows_dir, translations_dir)
    except HotlineError as exc:
        _fail(exc)
    with pot.open("rb") as handle:
        count = sum(1 for m in read_po(handle) if m.id)
    click.echo(f"{pot}: {count} strings")


@translations.command("update")
@_flows_option
@_translations_option
def update_command(flows: str | None, translations: str | None) -> None:
    """Update every catalog from the template; changed English becomes fuzzy."""
    _, translations_dir, languages = _dirs(flows, translations)
    try:
        changed = update(translations_dir, languages)
    except HotlineError as exc:
        _fail(exc)
    for code, contexts in changed.items():
        note = f"{len(contexts)} changed in English, now fuzzy" if contexts else "no English changes"
        click.echo(f"{catalog_path(translations_dir, code)}: {note}")
        for context in contexts:
            click.echo(f"  fuzzy  {context}")


@translations.command("compile")
@_flows_option
@_translations_option
def compile_command(flows: str | None, translations: str | None) -> None:
    """Compile the catalogs to .mo and check that each can be served."""
    from hotline.content.bundle import load_content

    flows_dir, translations_dir, languages = _dirs(flows, translations)
    try:
        status = compile_catalogs(translations_dir)
        load_content(flows_dir, translations_dir, languages)
    except HotlineError as exc:
        _fail(exc)
    if status:
        click.secho("pybabel compile reported errors (above)", fg="red", err=True)
        sys.exit(2)
    click.echo(f"compiled the catalogs in {translations_dir}; every one can be served")


@translations.command("status")
@_flows_option
@_translations_option
def status_command(flows: str | None, translations: str | None) -> None:
    """Per language: strings translated, fuzzy, missing, review status and SMS segments."""
    from hotline.staff.coverage import report, table

    flows_dir, translations_dir, languages = _dirs(flows, translations)
    try:
        rows = report(flows_dir, translations_dir, languages)
    except HotlineError as exc:
        _fail(exc)
    click.echo(table(rows))


if __name__ == "__main__":  # pragma: no cover
    translations()
