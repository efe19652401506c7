"""The `hotline` command: try, check, publish and serve the hotline.

Built on Flask's click integration, so `hotline run`, `hotline routes` and `hotline shell`
work as they do for any Flask app; the commands below add the hotline's own. Every command
answers `--help` (and the group `--version`) without any setting; failures are one clear
message and the exit status of hotline/staff/failures.py, never a traceback.

The content read is the copy you stand in (hotline/staff/folders.py), and each command says
which folders it read.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import os

import click
from flask.cli import FlaskGroup

from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.staff import folders as places
from hotline.staff.commands import register as register_staff_commands
from hotline.staff.failures import SetupFailed, guarded
from hotline.staff.translation_commands import translations


def _app_factory():
    from hotline.web.app import create_app

    with guarded():
        return create_app()


def version() -> str:
    try:
        return importlib.metadata.version("hotline")
    except importlib.metadata.PackageNotFoundError:  # a checkout run with python -m, not installed
        return "unknown (not installed)"


class HotlineGroup(FlaskGroup):
    """FlaskGroup loads the app to list or find commands, which needs the production settings
    and prints a traceback without them. The hotline adds no commands through the app, so
    listing and finding never load it: `hotline`, `--help` and a mistyped command need no setup."""

    def list_commands(self, ctx):
        return sorted(click.Group.list_commands(self, ctx))

    def get_command(self, ctx, name):
        return click.Group.get_command(self, ctx, name)


@click.group(cls=HotlineGroup, create_app=_app_factory, add_version_option=False, load_dotenv=False)
@click.version_option(version(), "--version", "-V", prog_name="hotline", message="%(prog)s %(version)s")
def main() -> None:
    """A know-your-rights SMS and voice hotline.

    Start with `hotline chat` to talk to it in this terminal. Commands read flows/ and
    translations/ in the folder you are in (or --flows / HOTLINE_FLOWS_DIR).

    Exit status: 0 done, 1 findings (e.g. `check --strict` warnings), 2 errors or setup problems.
    """


def staff_settings(found: places.Folders, **overrides) -> Settings:
    """Development settings for a staff command, reading the folders found."""
    with guarded():
        return Settings.from_env(dev=True, flows_dir=found.flows, translations_dir=found.translations, **overrides)


def say_folders(found: places.Folders) -> None:
    # stderr: the output of chat, render and sources stays exactly what a person gets.
    click.secho(found.line(), fg="cyan", err=True)


@main.command("chat", with_appcontext=False)
@click.option("--number", default="+15550100000", show_default=True, help="The phone number to pretend to be (it is hashed, as always).")
@click.option("--voice", is_flag=True, help="Call instead of texting: hear what a caller hears, press keys.")
@click.option("--lang", default=None, help="Start in this language (any with a catalog, even one not offered to callers yet).")
@places.options
def chat(number: str, voice: bool = False, lang: str | None = None, flows_dir=None, translations_dir=None) -> None:
    """Text the hotline from this terminal: the same engine and store as the SMS line."""
    found = places.find(flows_dir, translations_dir)
    say_folders(found)
    settings = staff_settings(found)
    if voice:
        from hotline.staff.phone_chat import chat as call

        with guarded():
            return call(number, settings, lang)
    from hotline.web.app import build_switchboard
    from hotline.staff import preview

    with guarded():
        board = build_switchboard(settings)
        if lang:
            preview.start_in(board, settings, number, lang)
    click.secho(f"hotline chat: scripts {board.content.version}, {board.store.name} store, "
                f"languages {', '.join(board.content.languages.codes)}.", fg="cyan")
    click.secho("Type what a person would text. Ctrl-D or an empty line twice to leave.", fg="cyan")
    preview.sms_chat(board, number, input, click.echo, dt.datetime.now)


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev/--no-dev", default=None, help="Development mode: allowed without a Twilio token (says so loudly).")
@places.options
def serve(host: str, port: int, dev: bool | None, flows_dir=None, translations_dir=None) -> None:
    """Run the webhook server for local use (production runs gunicorn, see the Procfile)."""
    from hotline.web.app import create_app

    from hotline.config import check_listen

    found = places.find(flows_dir, translations_dir)
    say_folders(found)
    overrides = {"flows_dir": found.flows, "translations_dir": found.translations}
    if dev is not None:
        overrides["dev"] = dev
    with guarded():
        app = create_app(overrides)
        check_listen(host, app.config["HOTLINE_SETTINGS"].dev)
    # Not app.run(): Flask ignores it inside its own command line (FLASK_RUN_FROM_CLI is set).
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


@main.command("worker", with_appcontext=False)
@click.option("--burst", is_flag=True, help="Send what is queued, then stop (for a test or a cron job).")
def worker(burst: bool) -> None:
    """Send the queued text messages (the Procfile's `worker:`): RQ on REDIS_URL.

    Every message was let through by the outbound guard when it was queued; here it is only
    opened, paced to HOTLINE_SEND_RATE and handed to Twilio (or, in development, written to
    HOTLINE_OUTBOX).
    """
    import redis
    from rq import Queue, Worker

    from hotline.session import outbound

    try:
        settings = Settings.from_env()
    except HotlineError as exc:
        raise SetupFailed.from_error(exc) from exc
    if not settings.redis_url:
        raise SetupFailed("hotline worker needs REDIS_URL: with the embedded store the server sends by itself")
    sender = outbound.sender_for(settings)
    if sender is None:
        raise SetupFailed("hotline worker cannot send: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and HOTLINE_NUMBER "
                           "(or, in development, HOTLINE_OUTBOX)")
    connection = redis.Redis.from_url(settings.redis_url)
    outbound.set_worker(outbound.WorkerContext(sender, outbound.fernet_for(settings.secret),
                                               outbound.RedisRate(connection, settings.send_rate)))
    queue = Queue(outbound.QUEUE_NAME, connection=connection)
    # The scheduler puts retried jobs back on the queue when their backoff is over.
    Worker([queue], connection=connection).work(burst=burst, with_scheduler=True)


def _run_on_loopback_in_dev(**options):
    """Flask's own `run`, refused on a network address in development mode (see check_listen)."""
    from flask.cli import run_command

    from hotline.config import _TRUE, check_listen

    try:
        check_listen(options["host"], os.environ.get("HOTLINE_DEV", "").strip().lower() in _TRUE)
    except HotlineError as exc:
        raise SetupFailed.from_error(exc) from exc
    click.get_current_context().invoke(run_command, **options)


def _checked_run_command() -> click.Command:
    from flask.cli import run_command

    return click.Command("run", params=run_command.params, callback=_run_on_loopback_in_dev, help=run_command.help,
                         short_help=run_command.short_help)


main.add_command(_checked_run_command())


# `hotline check`, `schema`, `render`, `graph` and `publish`: the staff tools (hotline/staff/).
register_staff_commands(main)

main.add_command(translations)

# `hotline import`, `export` and `staff add`: the staff database (hotline/staff/db_commands.py).
from hotline.staff.db_commands import register as _register_db_commands  # noqa: E402

_register_db_commands(main)


@main.command("sources", with_appcontext=False)
@click.option("--write", is_flag=True, help="Write flows/SOURCES.md instead of printing it.")
@places.options
def sources(write: bool, flows_dir=None, translations_dir=None) -> None:
    """The review trail: every source, the legal steps using it, and open questions."""
    from hotline.content.loader import load_script
    from hotline.content.review_trail import sources_markdown

    found = places.find(flows_dir, translations_dir)
    say_folders(found)
    with guarded():
        text = sources_markdown(load_script(found.flows))
        if write:
            target = found.flows / "SOURCES.md"
            target.write_text(text, encoding="utf-8")
    if write:
        click.echo(f"wrote {target}")
    else:
        click.echo(text, nl=False)


def _phone_number(ctx, param, value: str | None) -> str | None:
    from hotline.content.phones import PhoneProblem, display

    if value is None:
        return None
    try:
        return display(value)
    except PhoneProblem as exc:
        raise click.BadParameter(str(exc)) from None


@main.command("card", with_appcontext=False)
@click.option("--lang", default="en", show_default=True, help="Language code (en, es, uk, ru, ar, fa_AF, ps, ht, zh_Hans).")
@click.option("--number", envvar="HOTLINE_NUMBER", required=True, callback=_phone_number,
              help="The hotline's own phone number as people should dial it (or HOTLINE_NUMBER).")
@click.option("--out", type=click.Path(dir_okay=False), help="Output PDF (default: card-<lang>.pdf).")
@places.options
def card(lang: str, number: str, out: str | None, flows_dir=None, translations_dir=None) -> None:
    """Print the pocket card: the rights and the numbers, wallet-sized, as a PDF."""
    from hotline.staff.card import card_text, render_pdf
    from hotline.content.bundle import load_content

    found = places.find(flows_dir, translations_dir)
    say_folders(found)
    settings = staff_settings(found)
    target = out or f"card-{lang}.pdf"
    with guarded():
        content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
        pdf = render_pdf(card_text(content, lang, number), settings.fonts_dir)
        with open(target, "wb") as handle:
            handle.write(pdf)
    click.echo(f"wrote {target} (85.6 x 54 mm, 2 pages: print at actual size)")


from hotline.staff.fallback import command as _fallback  # noqa: E402  (its own module; registered here)

main.add_command(_fallback)

from hotline.staff.stats import command as _stats  # noqa: E402  (`hotline stats`, its own module)

main.add_command(_stats)

if __name__ == "__main__":  # pragma: no cover
    main()
