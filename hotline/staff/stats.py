"""`hotline stats`: what people asked about, in which language, on which channel: no one in it.

Reads the day counters (hotline/session/stats.py) from the store the server uses (REDIS_URL,
HOTLINE_REDIS_CLUSTER) and prints the suppressed table: every count below 5 is `<5`.
"""
from __future__ import annotations

import sys

import click

from hotline.errors import HotlineError, StoreUnavailable


@click.command("stats")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 400),
              help="How many days back, today included (counters are kept 400 days).")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False), help="Also write an SVG chart of new conversations by language.")
def command(days: int, form: str, chart: str | None) -> None:
    """Usage counts per day, language, channel and page; counts below 5 shown as <5."""
    from hotline.config import Settings
    from hotline.session.stats import svg_chart, usage_table
    from hotline.web.app import make_store

    try:
        settings = Settings.from_env(dev=True)
        if not settings.redis_url:
            raise HotlineError("REDIS_URL is not set: the counters live in the server's Redis "
                               "(the embedded store keeps them only inside its own process)")
        table = usage_table(make_store(settings), days)
    except StoreUnavailable as exc:
        click.secho(f"Redis did not answer ({exc}); is REDIS_URL right?", fg="red", err=True)
        sys.exit(2)
    except HotlineError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    click.echo({"table": table.as_text, "csv": table.as_csv, "json": table.as_json}[form](), nl=form != "table")
    if chart:
        with open(chart, "w", encoding="utf-8") as handle:
            handle.write(svg_chart(table))
        click.echo(f"wrote {chart}", err=True)
