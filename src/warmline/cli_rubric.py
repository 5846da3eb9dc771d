"""The rubric commands: ``warmline rubric show [VERSION]``, ``warmline rubric import FILE``
and ``warmline rubric rescore``.

Registered on the ``warmline`` group by :mod:`warmline.cli`; each wraps a function of
:mod:`warmline.rubric_admin` and only formats. A refused rubric exits 1 with one line per
problem (``path: expected ...``).
"""

from __future__ import annotations

from pathlib import Path

import click

from warmline.cli_server import database_option, settings_for
from warmline.engine.errors import WarmlineError


@click.group()
def rubric() -> None:
    """Versions of the scoring rubric: old scores keep the version they were made with."""


@rubric.command("show")
@click.argument("version", type=int, required=False)
@database_option
def rubric_show(version: int | None, database_url: str | None) -> None:
    """List every version, or print VERSION's weights as YAML."""
    from warmline import rubric_admin

    try:
        rows = rubric_admin.rubric_show(settings_for(database_url), version)
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    if version is not None:
        click.echo(f"# rubric version {rows[0].version}: {rows[0].note or 'no note'}")
        click.echo(rows[0].text, nl=False)
        return
    for r in rows:
        mark = "*" if r.active else " "
        when = r.created_at.strftime("%Y-%m-%d")
        click.echo(
            f"{mark} v{r.version:<3} {when}  {r.conversations:>6} conversations  "
            f"{r.author or 'Warmline'}: {r.note or '-'}"
        )
    click.echo("(* = active; `warmline rubric show N` prints a version's weights)")


@rubric.command("import")
@click.argument(
    "source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--note", default="", help="What changed and why.")
@database_option
def rubric_import(source: Path, note: str, database_url: str | None) -> None:
    """Publish the weights in FILE (YAML or JSON, the shipped structure) as the next version."""
    from warmline import rubric_admin
    from warmline.store.rubrics import RubricError

    try:
        row = rubric_admin.rubric_import(settings_for(database_url), source, note=note)
    except RubricError as exc:
        lines = ["the rubric was not published:"] + [f"  {source}: {p}" for p in exc.problems]
        raise click.ClickException("\n".join(lines)) from None
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"published rubric version {row.version}; new imports are scored with it")


@rubric.command("rescore")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@database_option
def rubric_rescore(limit: int | None, database_url: str | None) -> None:
    """Re-score conversations made with an older version with the active one."""
    from warmline import rubric_admin

    try:
        result = rubric_admin.rubric_rescore(settings_for(database_url), limit=limit)
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"re-scored {result.rescored} conversations with rubric version {result.version}; "
        f"{result.remaining} still on an older version"
    )


def register(group: click.Group) -> None:
    """Add the rubric commands to the ``warmline`` group."""
    group.add_command(rubric)


__all__ = ["register", "rubric"]
