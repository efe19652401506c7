"""The `hotline` command: try, check and serve the hotline.

Built on Flask's click integration, so `hotline run`, `hotline routes` and `hotline shell`
work as they do for any Flask app; the commands below add the hotline's own. Failures are an
exit status and one clear message, never a traceback.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

import click
from flask.cli import FlaskGroup

from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.staff.commands import register as register_staff_commands


def _app_factory():
    from hotline.app import create_app

    return create_app()


def _fail(exc: HotlineError) -> None:
    click.secho(str(exc), fg="red", err=True)
    sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_app_factory, add_version_option=False)
def main() -> None:
    """A know-your-rights SMS and voice hotline.

    Start with `hotline chat` to talk to it in this terminal.
    """


@main.command("chat", with_appcontext=False)
@click.option("--number", default="+15550100000", show_default=True, help="The phone number to pretend to be (it is hashed, as always).")
@click.option("--lang", default=None, help="Start in this language (any with a catalog, even one not offered to callers yet).")
def chat(number: str, lang: str | None) -> None:
    """Text the hotline from this terminal: the same engine and store as the SMS line."""
    from hotline.app import build_switchboard
    from hotline.channels import sms

    try:
        settings = Settings.from_env(dev=True)
        board = build_switchboard(settings)
        if lang:
            from hotline.staff.preview import start_in

            start_in(board, settings, number, lang)
    except HotlineError as exc:
        _fail(exc)
    click.secho(f"hotline chat: scripts {board.content.version}, {board.store.name} store, "
                f"languages {', '.join(board.content.languages.codes)}.", fg="cyan")
    click.secho("Type what a person would text. Ctrl-D or an empty line twice to leave.", fg="cyan")
    blanks = 0
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        blanks = blanks + 1 if not text.strip() else 0
        if blanks >= 2:
            return
        answer = board.turn(number, text)
        reply = sms.reply_text(board.content, answer.turn, dt.datetime.now(dt.timezone.utc))
        click.echo(click.style("hotline>\n", fg="green") + reply + "\n")


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev/--no-dev", default=None, help="Development mode: allowed without a Twilio token (says so loudly).")
def serve(host: str, port: int, dev: bool | None) -> None:
    """Run the webhook server for local use (production runs gunicorn, see the Procfile)."""
    from hotline.app import create_app

    overrides = {} if dev is None else {"dev": dev}
    try:
        app = create_app(overrides)
    except HotlineError as exc:
        _fail(exc)
    # Not app.run(): Flask ignores it inside its own command line (FLASK_RUN_FROM_CLI is set).
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


# `hotline check`, `schema`, `render` and `graph`: the staff tools (hotline/staff/).
register_staff_commands(main)


if __name__ == "__main__":  # pragma: no cover
    main()
