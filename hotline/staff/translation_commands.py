"""`hotline translations extract|update|compile|status`: the commands of the gettext round trip.

The work is done in hotline/content/catalogs/maintenance.py; these print and decide the
exit status (hotline/staff/failures.py). Each reads the folders of hotline/staff/folders.py.
"""
from __future__ import annotations

import logging

import click

from hotline.content.catalogs.languages import catalog_path
from hotline.staff import folders as places
from hotline.staff.failures import guarded


def _found(flows_dir, translations_dir) -> tuple[places.Folders, tuple[str, ...]]:
    from hotline.config import Settings

    found = places.find(flows_dir, translations_dir)
    click.secho(found.line(), fg="cyan", err=True)
    with guarded():
        languages = Settings.from_env(dev=True).languages
    return found, languages


@click.group("translations")
def translations() -> None:
    """Keep the catalogs in step with the English scripts (gettext)."""
    logging.getLogger("babel").setLevel(logging.WARNING)


@translations.command("extract")
@places.options
def extract_command(flows_dir=None, translations_dir=None) -> None:
    """Write translations/messages.pot from the flow scripts."""
    from hotline.content.catalogs import maintenance

    found, _ = _found(flows_dir, translations_dir)
    with guarded():
        pot = maintenance.extract(found.flows, found.translations)
        count = sum(1 for entry in maintenance.read_template(pot) if entry.msgid)
    click.echo(f"{pot}: {count} strings")


@translations.command("update")
@places.options
def update_command(flows_dir=None, translations_dir=None) -> None:
    """Update every catalog from the template; changed English becomes fuzzy (old English kept as #| msgid)."""
    from hotline.content.catalogs import maintenance

    found, languages = _found(flows_dir, translations_dir)
    with guarded():
        changed = maintenance.update(found.translations, languages)
    for code, contexts in changed.items():
        note = f"{len(contexts)} changed in English, now fuzzy" if contexts else "no English changes"
        click.echo(f"{catalog_path(found.translations, code)}: {note}")
        for context in contexts:
            click.echo(f"  fuzzy  {context}")


@translations.command("compile")
@places.options
def compile_command(flows_dir=None, translations_dir=None) -> None:
    """Compile the catalogs to .mo and check that each can be served."""
    from hotline.content.bundle import load_content
    from hotline.content.catalogs import maintenance

    found, languages = _found(flows_dir, translations_dir)
    with guarded():
        written = maintenance.compile_catalogs(found.translations, languages)
        load_content(found.flows, found.translations, languages)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"compiled the catalogs in {found.translations}; every one can be served")


@translations.command("status")
@places.options
def status_command(flows_dir=None, translations_dir=None) -> None:
    """Per language: strings translated, fuzzy, missing, review status and SMS segments."""
    from hotline.staff.coverage import report, table

    found, languages = _found(flows_dir, translations_dir)
    with guarded():
        rows = report(found.flows, found.translations, languages)
    click.echo(table(rows))
