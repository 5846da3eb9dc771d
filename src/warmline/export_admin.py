"""Score exports for the command line: write one export level of the stored scores to a file.

Opens the deployment's database from :class:`~warmline.settings.Settings`, requires the newest
schema and writes what :func:`warmline.store.exports.score_rows` yields; the CLI
(:mod:`warmline.cli_export`) only parses options and reports. The operator holds the database
itself, so nothing is limited to a team.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any

from warmline.settings import Settings
from warmline.store import db as store_db
from warmline.store import exports
from warmline.store.conversations import ConversationFilter
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_reports import find_team


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    """Which conversations to export: the dashboards' filters, by name."""

    team: str | None = None
    agent: str | None = None
    channel: str | None = None
    since: date | None = None
    until: date | None = None


def export_scores(
    settings: Settings, output: Path | IO[str], *, level: str, fmt: str, where: ScoreFilter
) -> int:
    """Write the *level* rows matching *where* as *fmt* to *output* (a file path; CSV may also
    go to an open text stream); returns how many rows were written."""
    exports.table(level)
    exports.check_format(fmt)
    if fmt == "parquet" and not isinstance(output, Path):
        raise InvalidInputError("Parquet is written to a file: give -o FILE.parquet")
    if where.since and where.until and where.since > where.until:
        raise InvalidInputError(f"--since ({where.since}) is after --until ({where.until})")
    with store_db.current_session(settings.resolved_database_url()) as session:
        flt = ConversationFilter(
            team_id=find_team(session, where.team).id if where.team else None,
            agent_id=where.agent,
            channel=where.channel,
            since=datetime.combine(where.since, time.min, UTC) if where.since else None,
            until=datetime.combine(where.until, time.max, UTC) if where.until else None,
        )
        rows = exports.score_rows(session, None, flt, level=level)
        if isinstance(output, Path):
            if fmt == "parquet":
                return exports.write_parquet(rows, level, str(output))
            with output.open("w", encoding="utf-8", newline="") as handle:
                return _write_csv(rows, level, handle)
        return _write_csv(rows, level, output)


def _write_csv(rows: Iterable[Mapping[str, Any]], level: str, handle: IO[str]) -> int:
    lines = exports.csv_lines(rows, level)
    handle.write(next(lines))  # the header
    count = 0
    for line in lines:
        handle.write(line)
        count += 1
    return count


__all__ = ["ScoreFilter", "export_scores"]
