"""`hotline translations extract|update|compile|status`: the commands of the gettext round trip.

The work is done in hotline/content/catalogs/maintenance.py; these print and decide the
exit status (hotline/staff/failures.py). Each reads the folders of hotline/staff/folders.py.
"""
from __future__ import annotations

import functools
import logging

import click

from hotline.content.catalogs.languages import catalog_path
from hotline.staff import folders as places
from hotline.staff.failures import guarded


def _reads_catalogs(command):
    """--flows and --translations, resolved once for every translations command: the command
    gets the folders and the languages served, and runs inside the guard (a broken catalog or
    an unwritable file is one line and exit 2, hotline/staff/failures.py)."""

    @functools.wraps(command)
    def run(flows_dir=None, translations_dir=None) -> None:
        from hotline.config import Settings

        found = places.find(flows_dir, translations_dir)
        click.secho(found.line(), fg="cyan", err=True)
        with guarded():
            command(found, Settings.from_env(dev=True).languages)

    return places.options(run)


@click.group("translations")
def translations() -> None:
    """Keep the catalogs in step with the English scripts (gettext)."""
    logging.getLogger("babel").setLevel(logging.WARNING)


@translations.command("extract")
@_reads_catalogs
def extract_command(found: places.Folders, languages: tuple[str, ...]) -> None:
    """Write translations/messages.pot from the flow scripts."""
    from hotline.content.catalogs import maintenance

    pot = maintenance.extract(found.flows, found.translations)
    count = sum(1 for entry in maintenance.read_template(pot) if entry.msgid)
    click.echo(f"{pot}: {count} strings")


@translations.command("update")
@_reads_catalogs
def update_command(found: places.Folders, languages: tuple[str, ...]) -> None:
    """Update every catalog from the template; changed English becomes fuzzy (old English kept as #| msgid)."""
    from hotline.content.catalogs import maintenance

    changed = maintenance.update(found.translations, languages)
    for code, contexts in changed.items():
        note = f"{len(contexts)} changed in English, now fuzzy" if contexts else "no English changes"
        click.echo(f"{catalog_path(found.translations, code)}: {note}")
        for context in contexts:
            click.echo(f"  fuzzy  {context}")


@translations.command("compile")
@_reads_catalogs
def compile_command(found: places.Folders, languages: tuple[str, ...]) -> None:
    """Compile the catalogs to .mo and check that each can be served."""
    from hotline.content.bundle import load_content
    from hotline.content.catalogs import maintenance

    written = maintenance.compile_catalogs(found.translations, languages)
    load_content(found.flows, found.translations, languages)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"compiled the catalogs in {found.translations}; every one can be served")


@translations.command("status")
@_reads_catalogs
def status_command(found: places.Folders, languages: tuple[str, ...]) -> None:
    """Per language: strings translated, fuzzy, missing, review status and SMS segments."""
    from hotline.staff.coverage import report, table

    click.echo(table(report(found.flows, found.translations, languages)))
