"""Training events read from the curriculum's records: when each agent completed a module.

A module is completed on the day (UTC) its last exercise was first passed, the rule the
curriculum's assignments use (every exercise passed at least once). Before/after reports use
that day as each agent's own event (see :mod:`warmline.store.kpi_reports`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.curriculum import module as curriculum_module
from warmline.store.curriculum_tables import CurriculumAttempt
from warmline.store.tables import User


def module_completions(session: Session, module_id: str) -> dict[str, date]:
    """Agent id → the UTC day they completed *module_id*; NotFoundError for an unknown module."""
    needed = {e.id for e in curriculum_module(module_id).exercises}
    stmt = (
        select(User.agent_id, CurriculumAttempt.exercise_id, CurriculumAttempt.created_at)
        .join(User, User.id == CurriculumAttempt.user_id)
        .where(
            CurriculumAttempt.module_id == module_id,
            CurriculumAttempt.phase == "exercise",
            CurriculumAttempt.passed.is_(True),
            User.agent_id.is_not(None),
        )
    )
    first_pass: dict[str, dict[str, datetime]] = {}
    for agent_id, exercise_id, when in session.execute(stmt):
        if agent_id is None:
            continue
        passes = first_pass.setdefault(agent_id, {})
        if exercise_id not in passes or when < passes[exercise_id]:
            passes[exercise_id] = when
    return {
        agent: max(passes[e] for e in needed).astimezone(UTC).date()
        for agent, passes in first_pass.items()
        if needed and needed <= passes.keys()
    }


__all__ = ["module_completions"]
