"""`hotline import DIR`, `hotline export DIR` and `hotline staff add|set|disable|enable`: the staff database from
the command line. The files stay the exchange format: import publishes a folder (checked as
`hotline check` checks it), export writes the live revision out for git and review."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from hotline.config import Settings
from hotline.errors import HotlineError


def _open():
    from hotline.content.db import open_database

    settings = Settings.from_env(dev=True)
    if not settings.database_url:
        click.secho("HOTLINE_DATABASE_URL is off: there is no staff database", fg="red", err=True)
        sys.exit(2)
    return settings, open_database(settings.database_url)


def _folders(folder: Path) -> tuple[Path, Path]:
    """DIR may be a checkout (DIR/flows, DIR/translations) or the flows folder itself."""
    if (folder / "flows").is_dir():
        return folder / "flows", folder / "translations"
    return folder, folder.parent / "translations"


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--note", default="", help="Why: shown in the revision history.")
def import_command(folder: Path, note: str) -> None:
    """Publish a folder (flows/ and translations/) as a revision, after `hotline check`'s checks."""
    from hotline.content.revisions import Revisions, collect
    from hotline.staff.accounts import audit
    from hotline.staff.revision_publish import check_files, unreviewed_in_files

    settings, database = _open()
    flows, translations = _folders(folder)
    try:
        files = collect(flows, translations)
        report = check_files(files, settings.languages)
        if report.count("error"):
            for finding in report.findings:
                if finding.severity == "error":
                    click.secho(f"error  {finding.where}: {finding.reason}", fg="red", err=True)
            click.secho("not imported: fix the errors (`hotline check`)", fg="red", err=True)
            sys.exit(2)
        revisions = Revisions(database)
        unreviewed = unreviewed_in_files(revisions, files)
        if unreviewed:
            click.secho("not imported: legal steps changed without a new review date (set `reviewed` and "
                        "`reviewer` after the legal review, or sign them off in the console): "
                        + ", ".join(unreviewed), fg="red", err=True)
            sys.exit(2)
        was = revisions.live_id()
        revision = revisions.import_dir(flows, translations, by="command line", note=note)
    except HotlineError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    audit(database, "command line", "imported", f"revision {revision.id} (was {was}) from {folder}")
    click.echo(f"revision {revision.id} is live (was {was}); every worker serves it within "
               f"{settings.live_interval:g} s")


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--revision", "revision_id", default=None, help="A revision id (default: the live one).")
def export_command(folder: Path, revision_id: str | None) -> None:
    """Write the live revision (or another) out as flows/ and translations/ under FOLDER."""
    from hotline.content.review_trail import sources_markdown
    from hotline.content.revisions import Revisions, load_files

    _, database = _open()
    revisions = Revisions(database)
    try:
        revision = revisions.get(revision_id or revisions.live_id() or "")
        revisions.export(revision.id, folder)
        # The review trail, generated from the revision as `hotline sources --write` does.
        (folder / "flows" / "SOURCES.md").write_text(sources_markdown(load_files(revision.files).script),
                                                     encoding="utf-8")
    except HotlineError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    click.echo(f"wrote revision {revision.id} to {folder}/flows and {folder}/translations")


@click.group("staff")
def staff() -> None:
    """Staff accounts of the console (/staff/)."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "editor", "reviewer", "translator"]), required=True)
@click.option("--totp/--no-totp", default=None, help="A second factor (always for admins).")
@click.option("--languages", default="", metavar="CODES",
              help="The catalogs this account works on, e.g. fa_AF,ps (a translator needs them).")
@click.option("--reviews-translations", is_flag=True,
              help="A native speaker who may mark the catalogs of these languages reviewed.")
def staff_add(username: str, role: str, totp: bool | None, languages: str, reviews_translations: bool) -> None:
    """Create an account. The password is asked for, or read from standard input when that is
    not a terminal (so scripts can pipe it in)."""
    from hotline.staff.accounts import Accounts

    settings, database = _open()
    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        account, secret = Accounts(database, settings.secret, settings.password_cost).add(username, role, password, with_totp=totp,
                                                                  languages=languages,
                                                                  reviews_translations=reviews_translations)
    except HotlineError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    scope = f", languages {account.languages}" if account.languages else ""
    click.echo(f"account {account.username} ({account.role}{scope}) created")
    if secret:
        _show_secret(account.username, secret)


def _show_secret(username: str, secret: str) -> None:
    import pyotp

    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="hotline staff")
    click.echo("Add this to an authenticator app (shown once; keep it secret):")
    click.echo(f"  secret: {secret}")
    click.echo(f"  or the link: {uri}")


def _change(username: str, **change) -> None:
    from hotline.staff.accounts import Accounts

    settings, database = _open()
    try:
        account, secret = Accounts(database, settings.secret, settings.password_cost).change(username, by="command line", **change)
    except HotlineError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    extra = (f", languages {account.languages}" if account.languages else "") + \
            (", reviews translations" if account.reviews_translations else "")
    click.echo(f"account {account.username}: {account.role}{extra}, {'active' if account.active else 'disabled'}")
    if secret:
        click.echo(f"The role {account.role} needs a second factor: {account.username} signs in with a code from now on.")
        _show_secret(account.username, secret)


@staff.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "editor", "reviewer", "translator"]), default=None,
              help="The new role (an admin gets a second factor if they had none).")
@click.option("--languages", default=None, metavar="CODES",
              help="The catalogs this account works on from now on, e.g. es,ar (replaces the old list; '' for none).")
@click.option("--reviews-translations/--no-reviews-translations", default=None,
              help="Whether they may mark the catalogs of their languages reviewed.")
def staff_set(username: str, role: str | None, languages: str | None, reviews_translations: bool | None) -> None:
    """Change an account's role, languages or reviews-translations flag (what is not given stays)."""
    if role is None and languages is None and reviews_translations is None:
        click.secho("nothing to change: give --role, --languages or --reviews-translations", fg="red", err=True)
        sys.exit(2)
    _change(username, role=role, languages=languages, reviews_translations=reviews_translations)


@staff.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Stop an account signing in (its open session ends too); `hotline staff enable` undoes it."""
    _change(username, active=False)


@staff.command("enable")
@click.argument("username")
def staff_enable(username: str) -> None:
    """Let a disabled account sign in again."""
    _change(username, active=True)


def register(group: click.Group) -> None:
    group.add_command(import_command)
    group.add_command(export_command)
    group.add_command(staff)
