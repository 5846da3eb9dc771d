"""The export command: ``warmline export scores`` writes the stored scores as CSV or Parquet.

Registered on the ``warmline`` group by :mod:`warmline.cli`; wraps
:func:`warmline.export_admin.export_scores` and only formats. The store is imported inside the
command, so other commands start without it.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from warmline.cli_server import database_option, settings_for
from warmline.engine.errors import WarmlineError


@click.group()
def export() -> None:
    """Export stored data for analysis elsewhere."""


@export.command("scores")
@click.option(
    "--level",
    type=click.Choice(["conversation", "turn", "behaviour"]),
    default="conversation",
    show_default=True,
    help="One row per conversation, per turn, or per annotation (behaviour, anti-pattern, emotion).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default=None,
    help="Default: from the -o file's extension, else csv.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (CSV goes to standard output without it).",
)  # fmt: skip
@click.option("--team", metavar="NAME", help="Only this team.")
@click.option("--agent", metavar="ID", help="Only this agent.")
@click.option("--channel", metavar="NAME", help="Only this channel (chat, email, phone...).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD")
@database_option
def scores(
    level: str,
    fmt: str | None,
    output: Path | None,
    team: str | None,
    agent: str | None,
    channel: str | None,
    since: datetime | None,
    until: datetime | None,
    database_url: str | None,
) -> None:
    """Write the empathy scores per conversation, turn or annotation as CSV or Parquet."""
    from warmline.export_admin import ScoreFilter, export_scores

    if fmt is None:
        fmt = "parquet" if output is not None and output.suffix.lower() == ".parquet" else "csv"
    if fmt == "parquet" and output is None:
        raise click.UsageError("Parquet is written to a file: give -o FILE.parquet")
    where = ScoreFilter(
        team=team,
        agent=agent,
        channel=channel,
        since=since.date() if since else None,
        until=until.date() if until else None,
    )
    try:
        count = export_scores(
            settings_for(database_url),
            output if output is not None else sys.stdout,
            level=level,
            fmt=fmt,
            where=where,
        )
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    if output is not None:
        click.echo(f"wrote {count} {level} row{'s' if count != 1 else ''} to {output} ({fmt})")


def register(group: click.Group) -> None:
    """Add ``export`` to the ``warmline`` group."""
    group.add_command(export)


__all__ = ["register"]
