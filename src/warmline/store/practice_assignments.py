"""Practice assignments: a coach or admin asks an agent to practise a scenario, optionally by a
date; its status comes from the agent's sessions of that scenario started after it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.access import assignee, require_role, team_agents
from warmline.store.errors import NotFoundError
from warmline.store.practice_scenarios import shipped
from warmline.store.practice_tables import PracticeAssignment, PracticeSession
from warmline.store.tables import User, utcnow


@dataclass(frozen=True, slots=True)
class AssignmentStatus:
    """An assignment and how it stands, from the agent's sessions since it was made."""

    assignment: PracticeAssignment
    title: str
    status: str  # "not started", "attempted" or "resolved"
    attempts: int
    best_score: int | None
    overdue: bool


def assign(
    session: Session,
    user: User,
    *,
    scenario_id: str,
    agent_email: str,
    due: date | None = None,
    note: str = "",
) -> PracticeAssignment:
    """Assign a shipped scenario to an agent (a coach only to the agents of their teams)."""
    require_role(user, "coach", "admin")
    scenario = shipped(scenario_id)
    agent = assignee(session, user, agent_email)
    row = PracticeAssignment(
        agent_id=agent.id,
        assigned_by_id=user.id,
        scenario_id=scenario.id,
        due=due,
        note=note.strip()[:1000],
    )
    session.add(row)
    session.flush()
    return row


def assignments(session: Session, user: User, *, mine: bool = False) -> list[AssignmentStatus]:
    """Assignments with their status: the agent's own, a coach's teams', or all for admins."""
    stmt = select(PracticeAssignment).order_by(PracticeAssignment.id.desc())
    if mine or user.role == "agent":
        stmt = stmt.where(PracticeAssignment.agent_id == user.id)
    elif user.role == "coach":
        stmt = stmt.where(PracticeAssignment.agent_id.in_(team_agents(user)))
    return [_status(session, a) for a in session.scalars(stmt)]


def _status(session: Session, a: PracticeAssignment) -> AssignmentStatus:
    tries = [
        r
        for r in session.scalars(
            select(PracticeSession).where(
                PracticeSession.user_id == a.agent_id,
                PracticeSession.scenario_id == a.scenario_id,
            )
        )
        if r.created_at >= a.created_at and r.replies > 0
    ]
    resolved = any(r.outcome == "resolved" for r in tries)
    status = "resolved" if resolved else "attempted" if tries else "not started"
    scores = [r.score for r in tries if r.score is not None]
    overdue = a.due is not None and not resolved and a.due < utcnow().date()
    title = _title(a.scenario_id)
    return AssignmentStatus(a, title, status, len(tries), max(scores, default=None), overdue)


def _title(scenario_id: str) -> str:
    try:
        return shipped(scenario_id).title
    except NotFoundError:
        return scenario_id


__all__ = ["AssignmentStatus", "assign", "assignments"]
