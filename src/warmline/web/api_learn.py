"""The REST API of the training curriculum under /api/v1/learn: modules, graded attempts,
assessments, your progress, and module assignments and team progress for coaches.

Same rules as the Learn pages: everyone answers and reads their own progress; coaches assign
to and follow the agents of their teams; admins everyone. Exercise answers go in the form the
library expects (sentence numbers as ``"2, 4"`` or ``"none"``, an emotion word, a reply).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from warmline.practice.curriculum import AgentProgress, list_modules
from warmline.store import curriculum
from warmline.store.access import require_role
from warmline.store.tables import User
from warmline.web.deps import Ctx, CurrentUser, Db

router = APIRouter(prefix="/api/v1/learn", tags=["learn"])


class AnswerIn(BaseModel):
    """An answer to one exercise."""

    model_config = ConfigDict(extra="forbid")
    answer: str = Field(max_length=curriculum.MAX_ANSWER)


class AnswersIn(BaseModel):
    """Answers to an assessment: item id → answer; items left out count as not passed."""

    model_config = ConfigDict(extra="forbid")
    answers: dict[str, str]


class AssignmentIn(BaseModel):
    """Assign a module to an agent by a date."""

    model_config = ConfigDict(extra="forbid")
    agent_email: str
    module_id: str
    due: date
    note: str = Field(default="", max_length=1000)


class AssignmentOut(BaseModel):
    """A module assignment and its status, derived from the agent's attempts."""

    id: int
    agent: str
    assigned_by: str | None
    module_id: str
    title: str
    due: date
    note: str
    created_at: datetime
    status: str
    completion: float
    completed_at: datetime | None
    late: bool


@router.get("/modules")
def modules(user: CurrentUser) -> list[dict[str, Any]]:
    """The modules in course order: id, title, summary, skills, lessons and exercises."""
    return list_modules()


@router.get("/modules/{module_id}")
def module(user: CurrentUser, module_id: str) -> dict[str, Any]:
    """One module with its lessons (markdown bodies) and exercises, without the answers."""
    found = curriculum.module(module_id)
    data = found.to_dict()
    data["lessons"] = [lesson.to_dict() for lesson in found.lessons]
    data["exercises"] = [e.to_dict(with_answers=False) for e in found.exercises]
    return data


@router.post(
    "/modules/{module_id}/exercises/{exercise_id}/attempts",
    status_code=status.HTTP_201_CREATED,
)
def attempt(
    ctx: Ctx, session: Db, user: CurrentUser, module_id: str, exercise_id: str, body: AnswerIn
) -> dict[str, Any]:
    """Grade your answer with the engine and store it: the grade, with the attempt's id."""
    row, result = curriculum.submit_exercise(
        session, user, module_id, exercise_id, body.answer, analyzer=ctx.analyzer
    )
    return {"attempt": row.id, **result.to_dict()}


@router.get("/assessment/{phase}")
def assessment(user: CurrentUser, phase: str) -> list[dict[str, Any]]:
    """The items of the pre- or post-assessment, without the answers, with their module."""
    return [
        {"module": m.id, **e.to_dict(with_answers=False)}
        for m, e in curriculum.assessment_exercises(phase)
    ]


@router.post("/assessment/{phase}")
def take_assessment(
    ctx: Ctx, session: Db, user: CurrentUser, phase: str, body: AnswersIn
) -> dict[str, Any]:
    """Grade the answers together and store them: percentage, per skill, each item's grade."""
    result = curriculum.submit_assessment(session, user, phase, body.answers, analyzer=ctx.analyzer)
    return result.to_dict()


@router.get("/progress")
def my_progress(session: Db, user: CurrentUser) -> dict[str, Any]:
    """Your progress: per module, per skill, and the pre- vs post-assessment."""
    return _progress(user, curriculum.progress_of(session, user))


@router.get("/team")
def team(session: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The progress of the agents of your teams (admin: every agent); coach or admin."""
    return [_progress(r.agent, r.progress) for r in curriculum.team_progress(session, user)]


@router.get("/assignments", response_model=list[AssignmentOut])
def assignments(session: Db, user: CurrentUser) -> list[AssignmentOut]:
    """Yours (agent); your teams' (coach); everyone's (admin), by due date."""
    return [_assignment(v) for v in curriculum.assignments(session, user)]


@router.post("/assignments", response_model=AssignmentOut, status_code=status.HTTP_201_CREATED)
def assign(session: Db, user: CurrentUser, body: AssignmentIn) -> AssignmentOut:
    """Assign a module (coach: to an agent of their teams, else 403; admin: anyone)."""
    require_role(user, "coach", "admin")
    row = curriculum.assign(
        session,
        user,
        module_id=body.module_id,
        agent_email=body.agent_email,
        due=body.due,
        note=body.note,
    )
    view = next(v for v in curriculum.assignments(session, user) if v.assignment.id == row.id)
    return _assignment(view)


def _progress(agent: User, report: AgentProgress) -> dict[str, Any]:
    return {**report.to_dict(), "agent": agent.email}


def _assignment(view: curriculum.AssignmentView) -> AssignmentOut:
    a, s = view.assignment, view.status
    return AssignmentOut(
        id=a.id,
        agent=a.agent.email,
        assigned_by=a.assigned_by.email if a.assigned_by else None,
        module_id=a.module_id,
        title=view.title,
        due=a.due,
        note=a.note,
        created_at=a.created_at,
        status=s.status,
        completion=round(s.completion, 3),
        completed_at=s.completed_at,
        late=s.late,
    )


__all__ = ["router"]
