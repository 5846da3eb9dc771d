"""Rubric work for the command line: show versions, publish one from a file, re-score.

Each function opens the deployment's database from :class:`~warmline.settings.Settings`,
requires the newest schema, calls one store function of :mod:`warmline.store.rubrics` and
returns plain data; the CLI (:mod:`warmline.cli_rubric`) formats it. The command line acts for
the operator, who holds the database itself, so it needs no admin login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store import db as store_db
from warmline.store import rubrics
from warmline.store.calibration_tables import Rubric
from warmline.store.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class RubricVersion:
    """A version as the command line shows it."""

    version: int
    active: bool
    note: str
    author: str | None
    created_at: datetime
    conversations: int
    weights: dict[str, Any]
    text: str


def _version(row: Rubric, active: int, counts: dict[int, int]) -> RubricVersion:
    author = (row.author.display_name or row.author.email) if row.author else None
    return RubricVersion(
        row.version, row.version == active, row.note, author, row.created_at,
        counts.get(row.version, 0), dict(row.weights), rubrics.rubric_yaml(row),
    )  # fmt: skip


def rubric_show(settings: Settings, version: int | None = None) -> list[RubricVersion]:
    """Every version, newest first; or only *version*."""
    db = store_db.Database(settings.resolved_database_url())
    try:
        store_db.require_current(db)
        with db.session() as session:
            active = rubrics.active_version(session)
            counts = rubrics.conversations_per_version(session)
            rows = (
                [rubrics.get_rubric(session, version)]
                if version is not None
                else rubrics.list_rubrics(session)
            )
            return [_version(r, active, counts) for r in rows]
    finally:
        db.dispose()


def rubric_import(settings: Settings, path: Path, *, note: str = "") -> RubricVersion:
    """Publish the weights of a YAML or JSON file as the next version."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc
    raw = rubrics.parse_rubric_text(text)
    db = store_db.Database(settings.resolved_database_url())
    try:
        store_db.require_current(db)
        with db.session() as session:
            row = rubrics.publish_rubric(session, None, raw, note=note or f"from {path.name}")
            return _version(row, row.version, {})
    finally:
        db.dispose()


def rubric_rescore(
    settings: Settings, *, analyzer: Analyzer | None = None, limit: int | None = None
) -> rubrics.RescoreResult:
    """Re-score the conversations made with an older version with the active one."""
    db = store_db.Database(settings.resolved_database_url())
    try:
        store_db.require_current(db)
        with db.session() as session:
            return rubrics.rescore(session, None, analyzer or Analyzer(), limit=limit)
    finally:
        db.dispose()


__all__ = ["RubricVersion", "rubric_import", "rubric_rescore", "rubric_show"]
