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
from hotline.errors import HotlineError, ScriptError


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
def chat(number: str) -> None:
    """Text the hotline from this terminal: the same engine and store as the SMS line."""
    from hotline.app import build_switchboard
    from hotline.channels import sms

    try:
        settings = Settings.from_env(dev=True)
        board = build_switchboard(settings)
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
        answer = board.turn(number, text, channel="sms")
        reply = sms.reply_text(board.content, answer.turn, dt.datetime.now(dt.timezone.utc))
        click.echo(click.style("hotline>\n", fg="green") + (reply or "(no reply: the SMS line stays silent here)") + "\n")


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
    app.run(host=host, port=port, threaded=True)


@main.command("check", with_appcontext=False)
def check() -> None:
    """Check the flow scripts and catalogs; exit 2 on any error."""
    from hotline.content import load_content

    settings = Settings.from_env(dev=True)
    try:
        content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
    except ScriptError as exc:
        for finding in exc.findings:
            click.secho(f"error  {finding}", fg="red")
        click.secho(f"{len(exc.findings)} error(s): the hotline will not start with these scripts.", fg="red")
        sys.exit(2)
    except HotlineError as exc:
        _fail(exc)
    script = content.script
    click.secho(f"ok: {len(script.nodes)} nodes in {len(script.flows)} flows, {len(script.referrals)} referrals, "
                f"{len(script.sources)} sources; languages {', '.join(content.languages.codes)}; version {content.version}",
                fg="green")


from hotline.fallback import command as _fallback  # noqa: E402  (its own module; registered here)

main.add_command(_fallback)

if __name__ == "__main__":  # pragma: no cover
    main()
