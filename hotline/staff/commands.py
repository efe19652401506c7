"""The staff commands: `hotline check`, `schema`, `render` and `graph`.

Registered on the `hotline` command group in hotline/staff/cli.py. Each prints, and decides its
exit status; the work is done by the modules beside this one. Failures are one clear line
and an exit status, never a traceback.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from hotline.config import ROOT, Settings
from hotline.staff import folders as places
from hotline.staff.failures import FindingsFailed, guarded
from hotline.staff.limits import DEFAULT_LIMITS, CheckLimits


def _settings(flows_dir: str | None, translations_dir: str | None, say: bool = True) -> Settings:
    found = places.find(flows_dir, translations_dir)
    if say:
        click.secho(found.line(), fg="cyan", err=True)
    with guarded():
        return Settings.from_env(dev=True, flows_dir=found.flows, translations_dir=found.translations)


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-12-01") from None


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON, for CI and other programs.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings (errors always exit 2).")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD",
              help="Judge review and verification dates as of this day (default: today).")
@click.option("--review-days", type=click.IntRange(min=1), default=DEFAULT_LIMITS.review_days, show_default=True,
              help="Days before a legal node needs another review.")
@click.option("--verified-days", type=click.IntRange(min=1), default=DEFAULT_LIMITS.verified_days, show_default=True,
              help="Days before a referral needs another call to verify it.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: only in a terminal).")
@places.options
def check(as_json: bool, strict: bool, today: dt.date | None, review_days: int, verified_days: int,
          color: bool | None, flows_dir: str | None = None, translations_dir: str | None = None) -> None:
    """Check the flow scripts and catalogs: errors, translations, SMS cost, voice, freshness, structure.

    Exit status: 0 when the hotline can serve them (warnings are printed), 1 with --strict when
    there are warnings, 2 when there are errors.
    """
    from hotline.staff.check import run_check
    from hotline.staff.report_text import render
    from hotline.staff.voiceready import recordings_missing

    settings = _settings(flows_dir, translations_dir, say=False)
    limits = CheckLimits(review_days=review_days, verified_days=verified_days)
    phone = settings.phone
    missing = recordings_missing(phone.recordings_dir, phone.volunteers is not None,
                                 phone.volunteers.referrals if phone.volunteers else ())
    report = run_check(settings.flows_dir, settings.translations_dir, settings.languages, today=today, limits=limits,
                       missing_recordings=missing)
    read = places.Folders(Path(settings.flows_dir), Path(settings.translations_dir))
    if as_json:
        data = {"flows": str(read.flows), "translations": str(read.translations), **report.as_json(strict)}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(read.line(), color=color)
        for line in render(report):
            click.echo(line, color=color)
    sys.exit(report.exit_status(strict))


@click.command("schema")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "schema", show_default="schema/",
              help="Folder for the .schema.json files.")
@click.option("--check", "only_check", is_flag=True, help="Write nothing; exit 1 if the files differ from the models.")
def schema(out: Path, only_check: bool) -> None:
    """Write the JSON Schema of the flow, referral, source and hotline files (for editors)."""
    from hotline.staff import schema as schemas

    if only_check:
        drifted = schemas.drifted(out)
        if drifted:
            raise FindingsFailed(f"out of date: {', '.join(drifted)}; run `hotline schema` and commit the result")
        click.secho("the schema files match the models", fg="green")
        return
    for path in schemas.write(out):
        click.echo(f"wrote {path}")


@click.command("render")
@click.argument("node")
@click.option("--lang", default="en", show_default=True, help="Language code, e.g. es, uk, ar.")
@click.option("--channel", type=click.Choice(["sms", "voice"]), default="sms", show_default=True)
@click.option("--at", "at", metavar="DATETIME", help="The time in Binghamton, e.g. 2026-12-01T21:00 (referral hours depend on it).")
@places.options
def render_node(node: str, lang: str, channel: str, at: str | None, flows_dir=None, translations_dir=None) -> None:
    """Print exactly what a person gets on arriving at NODE (by SMS, or what the phone line says)."""
    from hotline.channels import sms
    from hotline.staff.sms_budget import billed
    from hotline.staff import preview
    from hotline.staff.voiceready import TTS

    settings = _settings(flows_dir, translations_dir)
    with guarded():
        content = preview.preview_content(settings)
        when = preview.parse_when(at)
        turn = preview.arrival(content, node, lang)
    if channel == "sms":
        text = sms.reply_text(content, turn, when)
        click.echo(text)
        cost = billed(text)
        click.secho(f"-- {cost.segments} SMS segment(s), {cost.encoding}, {len(text)} characters", err=True, fg="cyan")
    else:
        click.echo(preview.heard(content, turn, when))
        voice = TTS.get(lang)
        note = f"spoken by Twilio text-to-speech ({voice})" if voice else "no Twilio voice for this language: needs recordings"
        click.secho(f"-- {note}", err=True, fg="cyan")


@click.command("graph")
@click.option("--lang", default="en", show_default=True, help="Language of the labels.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("diagrams"), show_default=True)
@click.option("--svg/--no-svg", default=True, help="Also draw SVG with Graphviz's `dot`, when it is installed.")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD", help="Judge review dates as of this day.")
@click.option("--review-days", type=click.IntRange(min=1), default=DEFAULT_LIMITS.review_days, show_default=True)
@places.options
def graph(lang: str, out: Path, svg: bool, today: dt.date | None, review_days: int, flows_dir=None,
          translations_dir=None) -> None:
    """Draw each flow as a diagram: Mermaid (.mmd, .md) and, with Graphviz, SVG."""
    from hotline.staff import graph as graphs
    from hotline.staff import preview

    settings = _settings(flows_dir, translations_dir)
    with guarded():
        content = preview.preview_content(settings)
        preview.checked_language(content, lang)
        written = graphs.write(content, out, lang, today or dt.date.today(), CheckLimits(review_days=review_days), svg)
    for path in written:
        click.echo(f"wrote {path}")
    if svg and graphs.graphviz() is None:
        click.secho("Graphviz (`dot`) is not installed: wrote Mermaid only. "
                    "Install it (e.g. `apt-get install graphviz`) for SVG.", fg="yellow", err=True)


def register(group: click.Group) -> None:
    from hotline.staff.publish import command as publish

    for command in (check, schema, render_node, graph, publish):
        group.add_command(command)
