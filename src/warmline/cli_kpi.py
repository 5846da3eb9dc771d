"""The KPI commands: ``warmline kpi import FILE``, ``warmline report before-after`` and
``warmline report csat-correlation``.

Registered on the ``warmline`` group by :mod:`warmline.cli`; each wraps a function of
:mod:`warmline.kpi_admin` and only formats. A refused import exits 1 with every bad row. The
store and numpy are imported inside the commands, so other commands start without them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from warmline.cli_server import database_option, settings_for
from warmline.engine.errors import WarmlineError

if TYPE_CHECKING:  # the store and numpy load inside the commands, so other commands start fast
    from warmline.store.kpi_correlation import CsatCorrelation
    from warmline.store.kpi_reports import BeforeAfter, Comparison

#: How each verdict reads in the table.
VERDICT_WORDS = {
    "too_little_data": "too little data to conclude",
    "no_clear_change": "no clear change",
    "improved": "improved",
    "worsened": "worsened",
}


@click.group()
def kpi() -> None:
    """Business results: CSAT, first-contact resolution, repeat contact, NPS, engagement."""


@kpi.command("import")
@click.argument(
    "source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@database_option
def kpi_import(source: Path, database_url: str | None) -> None:
    """Import KPIs from a CSV, JSON Lines or JSON file (all or nothing; re-imports update)."""
    from warmline import kpi_admin
    from warmline.store.conversations import ImportRefused

    try:
        result = kpi_admin.kpi_import(settings_for(database_url), source)
    except ImportRefused as exc:
        lines = [str(exc)] + [
            f"  {source}:{e.line if e.line is not None else '#' + str(e.position)}: {e.message}"
            for e in exc.result.errors
        ]
        raise click.ClickException("\n".join(lines)) from None
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"imported KPIs from {source}: conversations {result.conversations_created} new, "
        f"{result.conversations_updated} updated; agent periods {result.periods_created} new, "
        f"{result.periods_updated} updated"
    )


@click.group()
def report() -> None:
    """Reports over the stored conversations and KPIs."""


@report.command("before-after")
@click.option("--team", metavar="NAME", help="The team (its agents are shown one by one too).")
@click.option("--agent", metavar="ID", help="Only this agent.")
@click.option(
    "--event",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The day of the training event: conversations from that day on count as after.",
)
@click.option(
    "--module",
    metavar="ID",
    help="Instead of --event: each agent's own day of completing this training module.",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="NAME",
    help="Only this metric (repeatable): empathy, csat, fcr, repeat_contact, nps, fcr_rate, "
    "retention_rate, engagement. Default: every metric with data.",
)
@click.option("--days", type=click.IntRange(1, 3650), help="Only this many days either side.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@database_option
def before_after(
    team: str | None,
    agent: str | None,
    event: datetime | None,
    module: str | None,
    metrics: tuple[str, ...],
    days: int | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Empathy score and each KPI before vs after a training event, with intervals and verdicts."""
    from warmline import kpi_admin

    if team is None and agent is None:
        raise click.UsageError("give --team NAME or --agent ID (or both)")
    if (event is None) == (module is None):
        raise click.UsageError("give the event as --event YYYY-MM-DD or --module ID")
    try:
        result = kpi_admin.report_before_after(
            settings_for(database_url),
            event=event.date() if event else None,
            module=module,
            team=team,
            agent=agent,
            metrics=list(metrics) or None,
            window_days=days,
        )
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(render_before_after(result))


def _num(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def _row(c: Comparison) -> str:
    f = c.figures
    ci = (
        f"[{_num(f.ci_low, signed=True)}, {_num(f.ci_high, signed=True)}]"
        if f.ci_low is not None
        else "-"
    )
    label = c.label if c.basis == "conversations" else f"{c.label} *"
    verdict = VERDICT_WORDS.get(c.verdict.kind, c.verdict.kind)
    return (
        f"  {label:<44} {f.n_before:>6} {f.n_after:>6} {_num(f.mean_before):>8} "
        f"{_num(f.mean_after):>8} {_num(f.difference, signed=True):>8}  {ci:<20} "
        f"{_num(f.effect_size, signed=True):>6}  {verdict}"
    )


def render_before_after(result: BeforeAfter) -> str:
    """The report as a readable table, one block per team or agent."""
    scope = f"team {result.team}" if result.team else f"agent {result.agent}"
    window = f", {result.window_days} days either side" if result.window_days else ""
    when = result.event.isoformat() if result.event else f"completing module {result.module}"
    lines = [
        f"Before vs after {when}: {scope}{window}",
        f"{int(result.confidence * 100)}% bootstrap intervals ({result.resamples} resamples); "
        f"a verdict needs at least {result.min_n} observations on each side.",
    ]
    header = (
        f"  {'metric':<44} {'n bef':>6} {'n aft':>6} {'before':>8} {'after':>8} {'change':>8}  "
        f"{'95% CI':<20} {'g':>6}  verdict"
    )
    for group in result.groups:
        done = f" (completed {group.event.isoformat()})" if group.event else ""
        lines += ["", f"{group.kind.capitalize()} {group.name}{done}", header]
        lines += [_row(c) for c in group.comparisons]
    if not result.groups:
        lines += ["", "no conversations or KPIs in scope"]
    if result.not_completed:
        lines += ["", f"left out, module not completed: {', '.join(result.not_completed)}"]
    lines += [
        "",
        "n: conversations (* rows: agent periods). change: after minus before. g: Hedges' g "
        "effect size (0.2 small, 0.5 medium, 0.8 large). NPS per conversation counts promoters "
        "(9-10) as +100, passives 0, detractors (0-6) -100.",
    ]
    return "\n".join(lines)


@report.command("csat-correlation")
@click.option("--team", metavar="NAME", help="Only this team.")
@click.option("--agent", metavar="ID", help="Only this agent.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@database_option
def csat_correlation(
    team: str | None,
    agent: str | None,
    since: datetime | None,
    until: datetime | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Empathy score vs CSAT with intervals, and which behaviours go with higher CSAT."""
    from warmline import kpi_admin

    try:
        result = kpi_admin.report_csat_correlation(
            settings_for(database_url),
            team=team,
            agent=agent,
            since=since.date() if since else None,
            until=until.date() if until else None,
        )
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(render_csat_correlation(result))


def render_csat_correlation(result: CsatCorrelation) -> str:
    """The correlation and the behaviours as readable lines."""
    lines = [f"Empathy score vs CSAT: {result.n} conversations with both"]
    for corr in (result.pearson, result.spearman):
        ci = f"[{_num(corr.ci_low, signed=True)}, {_num(corr.ci_high, signed=True)}]"
        lines.append(f"  {corr.method:<9} r {_num(corr.r, signed=True):>6}   95% CI {ci}")
    lines += [f"  {result.verdict.text}", "", "Mean CSAT with vs without each behaviour"]
    lines.append(
        f"  {'behaviour':<28} {'n with':>6} {'n w/o':>6} {'with':>6} {'w/o':>6} "
        f"{'change':>7}  {'95% CI':<16} {'g':>6}  verdict"
    )
    for b in result.behaviours:
        f = b.figures
        ci = f"[{_num(f.ci_low, signed=True)}, {_num(f.ci_high, signed=True)}]"
        name = b.label if b.kind == "behaviour" else f"{b.label} (anti-pattern)"
        lines.append(
            f"  {name:<28} {f.n_after:>6} {f.n_before:>6} {_num(f.mean_after):>6} "
            f"{_num(f.mean_before):>6} {_num(f.difference, signed=True):>7}  {ci:<16} "
            f"{_num(f.effect_size, signed=True):>6}  {b.verdict.kind.replace('_', ' ')}"
        )
    if not result.behaviours:
        lines.append("  no behaviours found in conversations with a CSAT")
    return "\n".join(lines)


def register(group: click.Group) -> None:
    """Add ``kpi`` and ``report`` to the ``warmline`` group."""
    group.add_command(kpi)
    group.add_command(report)


__all__ = ["register", "render_before_after", "render_csat_correlation"]
