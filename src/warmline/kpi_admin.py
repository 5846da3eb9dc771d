"""KPI work for the command line: import a file, report before vs after an event.

Each function opens the deployment's database from :class:`~warmline.settings.Settings`,
requires the newest schema, calls one store function and returns its data; the CLI
(:mod:`warmline.cli_kpi`) formats it. The command line acts for the operator, who holds the
database itself, so nothing is limited to a team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from warmline.settings import Settings
from warmline.store import db as store_db
from warmline.store.conversations import ConversationFilter
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_correlation import CsatCorrelation, csat_correlation
from warmline.store.kpi_reports import BeforeAfter, before_after
from warmline.store.kpis import KpiImportResult, import_kpis, parse_kpi_text


def kpi_import(settings: Settings, path: Path) -> KpiImportResult:
    """Import the KPIs of a CSV, JSON Lines or JSON file; all of it, or nothing on a bad row."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc
    records = parse_kpi_text(text, filename=path.name)
    with store_db.current_session(settings.resolved_database_url()) as session:
        return import_kpis(session, None, records, source=path.name)


def report_before_after(
    settings: Settings,
    *,
    event: date | None = None,
    module: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    metrics: Sequence[str] | None = None,
    window_days: int | None = None,
) -> BeforeAfter:
    """Each metric before vs after *event* (or each agent's completion of *module*)."""
    with store_db.current_session(settings.resolved_database_url()) as session:
        return before_after(
            session,
            None,
            event=event,
            module=module,
            team=team,
            agent=agent,
            metrics=metrics,
            window_days=window_days,
        )


def report_csat_correlation(
    settings: Settings,
    *,
    team: str | None = None,
    agent: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> CsatCorrelation:
    """Empathy score vs CSAT, and mean CSAT with vs without each behaviour (days inclusive)."""
    if since and until and since > until:
        raise InvalidInputError(f"--since ({since}) is after --until ({until})")
    flt = ConversationFilter(
        agent_id=agent,
        since=datetime.combine(since, time(), tzinfo=UTC) if since else None,
        until=datetime.combine(until, time.max, tzinfo=UTC) if until else None,
    )
    with store_db.current_session(settings.resolved_database_url()) as session:
        return csat_correlation(session, None, flt, team=team)


__all__ = ["kpi_import", "report_before_after", "report_csat_correlation"]
