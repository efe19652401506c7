"""The `hotline` command: try, check and serve the hotline.

Built on Flask's click integration, so `hotline run`, `hotline routes` and `hotline shell`
work as they do for any Flask app; the commands below add the hotline's own. Failures are an
exit status and one clear message, never a traceback.
"""
from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import FlaskGroup

from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.staff.commands import register as register_staff_commands
from hotline.staff.translation_commands import translations


def _app_factory():
    from hotline.web.app import create_app

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
@click.option("--voice", is_flag=True, help="Call instead of texting: hear what a caller hears, press keys.")
@click.option("--lang", default=None, help="Start in this language (any with a catalog, even one not offered to callers yet).")
def chat(number: str, voice: bool = False, lang: str | None = None) -> None:
    """Text the hotline from this terminal: the same engine and store as the SMS line."""
    if voice:
        from hotline.staff.phone_chat import chat as call

        return call(number)
    from hotline.web.app import build_switchboard
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
        answer = board.turn(number, text, channel="sms")
        reply = sms.reply_text(board.content, answer.turn, dt.datetime.now(dt.timezone.utc))
        click.echo(click.style("hotline>\n", fg="green") + (reply or "(no reply: the SMS line stays silent here)") + "\n")


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev/--no-dev", default=None, help="Development mode: allowed without a Twilio token (says so loudly).")
def serve(host: str, port: int, dev: bool | None) -> None:
    """Run the webhook server for local use (production runs gunicorn, see the Procfile)."""
    from hotline.web.app import create_app

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


main.add_command(translations)


@main.command("sources", with_appcontext=False)
@click.option("--write", is_flag=True, help="Write flows/SOURCES.md instead of printing it.")
def sources(write: bool) -> None:
    """The review trail: every source, the legal steps using it, and open questions."""
    from hotline.content.loader import load_script
    from hotline.content.review_trail import sources_markdown

    settings = Settings.from_env(dev=True)
    try:
        text = sources_markdown(load_script(settings.flows_dir))
    except HotlineError as exc:
        _fail(exc)
    if write:
        target = settings.flows_dir / "SOURCES.md"
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")
    else:
        click.echo(text, nl=False)


@main.command("card", with_appcontext=False)
@click.option("--lang", default="en", show_default=True, help="Language code (en, es, uk, ru, ar, fa_AF, ps, ht, zh_Hans).")
@click.option("--number", envvar="HOTLINE_NUMBER", required=True,
              help="The hotline's own phone number as people should dial it (or HOTLINE_NUMBER).")
@click.option("--out", type=click.Path(dir_okay=False), help="Output PDF (default: card-<lang>.pdf).")
def card(lang: str, number: str, out: str | None) -> None:
    """Print the pocket card: the rights and the numbers, wallet-sized, as a PDF."""
    from hotline.staff.card import card_text, render_pdf
    from hotline.content.bundle import load_content

    settings = Settings.from_env(dev=True)
    try:
        content = load_content(settings.flows_dir, settings.translations_dir, settings.languages)
        pdf = render_pdf(card_text(content, lang, number), settings.fonts_dir)
    except HotlineError as exc:
        _fail(exc)
    target = out or f"card-{lang}.pdf"
    with open(target, "wb") as handle:
        handle.write(pdf)
    click.echo(f"wrote {target} (85.6 x 54 mm, 2 pages: print at actual size)")


from hotline.staff.fallback import command as _fallback  # noqa: E402  (its own module; registered here)

main.add_command(_fallback)

from hotline.staff.stats import command as _stats  # noqa: E402  (`hotline stats`, its own module)

main.add_command(_stats)

if __name__ == "__main__":  # pragma: no cover
    main()
