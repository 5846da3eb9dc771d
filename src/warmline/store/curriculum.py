"""The training curriculum on the server: graded attempts, progress, module assignments.

Grading, progress and assignment status are the curriculum library's
(:mod:`warmline.practice.curriculum`); this module stores what the agent answered and how it
was graded, and hands the library plain :class:`Attempt` records read back from the table
(``agent`` is the user id as text). An assignment's status is derived from those attempts on
every read, never stored.

Who sees what: everyone their own attempts and progress; coaches the progress and
assignments of the agents in their teams; admins everyone's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum import (
    AgentProgress,
    AnswerError,
    AssessmentResult,
    Assignment,
    AssignmentStatus,
    Attempt,
    Evidence,
    Exercise,
    Feedback,
    Grade,
    Module,
    UnknownModuleError,
    assess,
    assessment_items,
    get_module,
    grade,
    progress,
)
from warmline.store.access import assignable_agents, assignee, require_role, team_agents
from warmline.store.curriculum_tables import CurriculumAssignment, CurriculumAttempt
from warmline.store.errors import InvalidInputError, NotFoundError
from warmline.store.tables import User, utcnow

#: The longest answer accepted (a reply to a customer, not an essay).
MAX_ANSWER: Final = 4000


@dataclass(frozen=True, slots=True)
class BestResult:
    """A user's best go at one exercise: best score, passed at least once, how many tries."""

    score: int
    passed: bool
    attempts: int


@dataclass(frozen=True, slots=True)
class AssignmentView:
    """A stored assignment, its module's title and its status derived from the attempts."""

    assignment: CurriculumAssignment
    title: str
    status: AssignmentStatus


@dataclass(frozen=True, slots=True)
class AgentReport:
    """One agent's curriculum progress, for a coach's team view."""

    agent: User
    progress: AgentProgress


# ----------------------------------------------------------------- content lookups


def module(module_id: str) -> Module:
    """A shipped module; :class:`NotFoundError` names the module ids."""
    try:
        return get_module(module_id)
    except UnknownModuleError as exc:
        raise NotFoundError(str(exc)) from None


def exercise(module_id: str, exercise_id: str) -> tuple[Module, Exercise]:
    """A module and one of its exercises (not an assessment item); NotFoundError otherwise."""
    found = module(module_id)
    for item in found.exercises:
        if item.id == exercise_id:
            return found, item
    known = ", ".join(e.id for e in found.exercises)
    raise NotFoundError(f"no exercise {exercise_id!r} in {found.id}; the exercises are: {known}")


def _phase(phase: str) -> str:
    if phase not in ("pre", "post"):
        raise NotFoundError(f"no assessment {phase!r}; there is a pre and a post assessment")
    return phase


# ----------------------------------------------------------------- attempts


def _clean(answer: str) -> str:
    text = answer.strip()
    if not text:
        raise InvalidInputError("answer: write your answer before sending it")
    if len(text) > MAX_ANSWER:
        raise InvalidInputError(f"answer: {len(text)} characters; keep it under {MAX_ANSWER}")
    return text


def record_attempt(
    session: Session, user: User, module_id: str, result: Grade, answer: str, *, phase: str
) -> CurriculumAttempt:
    """Store one graded answer of *user* (phase ``exercise``, ``pre`` or ``post``)."""
    row = CurriculumAttempt(
        user_id=user.id,
        module_id=module_id,
        exercise_id=result.exercise,
        phase=phase,
        answer=answer,
        passed=result.passed,
        score=result.score,
        grade=result.to_dict(),
    )
    session.add(row)
    session.flush()
    return row


def submit_exercise(
    session: Session,
    user: User,
    module_id: str,
    exercise_id: str,
    answer: str,
    *,
    analyzer: Analyzer | None = None,
) -> tuple[CurriculumAttempt, Grade]:
    """Grade *user*'s answer to an exercise with the engine and store the attempt."""
    found, item = exercise(module_id, exercise_id)
    text = _clean(answer)
    try:
        result = grade(item, text, analyzer=analyzer)
    except AnswerError as exc:
        raise InvalidInputError(str(exc)) from None
    return record_attempt(session, user, found.id, result, text, phase="exercise"), result


def submit_assessment(
    session: Session,
    user: User,
    phase: str,
    answers: Mapping[str, str],
    *,
    analyzer: Analyzer | None = None,
) -> AssessmentResult:
    """Grade a whole assessment (item id → answer; blanks stay unanswered) and store each item."""
    given = {k: v.strip() for k, v in answers.items() if v.strip()}
    if not given:
        raise InvalidInputError("answers: answer at least one item before sending")
    for item_id, text in given.items():
        if len(text) > MAX_ANSWER:
            raise InvalidInputError(
                f"{item_id}: {len(text)} characters; keep it under {MAX_ANSWER}"
            )
    try:
        result = assess(_phase(phase), given, analyzer=analyzer)
    except UnknownModuleError as exc:
        raise InvalidInputError(str(exc)) from None
    except AnswerError as exc:
        raise InvalidInputError(str(exc)) from None
    for item_id, item_grade in result.grades.items():
        record_attempt(
            session, user, result.modules[item_id], item_grade, given[item_id], phase=phase
        )
    return result


def attempts(session: Session, user_ids: Iterable[int]) -> list[Attempt]:
    """The attempts of these users as the library's records, oldest first."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = session.scalars(
        select(CurriculumAttempt)
        .where(CurriculumAttempt.user_id.in_(ids))
        .order_by(CurriculumAttempt.created_at, CurriculumAttempt.id)
    )
    return [
        Attempt(str(r.user_id), r.module_id, r.exercise_id, r.passed, r.score, r.created_at)
        for r in rows
    ]


def progress_of(session: Session, user: User) -> AgentProgress:
    """*user*'s progress through the shipped modules and the assessments."""
    return progress(attempts(session, [user.id]), agent=str(user.id))


def module_mastery(
    records: Iterable[Attempt], modules: Sequence[Module]
) -> dict[str, float | None]:
    """Per module: the mean latest score (0-1) of its attempted exercises; None if none tried."""
    latest = {(a.module, a.exercise): a.score for a in sorted(records, key=lambda a: a.at)}
    out: dict[str, float | None] = {}
    for m in modules:
        scores = [latest[(m.id, e.id)] for e in m.exercises if (m.id, e.id) in latest]
        out[m.id] = sum(scores) / (100 * len(scores)) if scores else None
    return out


def best_results(session: Session, user: User, module_id: str) -> dict[str, BestResult]:
    """Per exercise of the module that *user* tried: best score, passed or not, tries."""
    rows = session.scalars(
        select(CurriculumAttempt).where(
            CurriculumAttempt.user_id == user.id,
            CurriculumAttempt.module_id == module_id,
            CurriculumAttempt.phase == "exercise",
        )
    )
    out: dict[str, BestResult] = {}
    for r in rows:
        old = out.get(r.exercise_id, BestResult(0, False, 0))
        out[r.exercise_id] = BestResult(
            max(old.score, r.score), old.passed or r.passed, old.attempts + 1
        )
    return out


def last_attempt(
    session: Session, user: User, module_id: str, exercise_id: str
) -> CurriculumAttempt | None:
    """*user*'s latest attempt at one exercise of a module, if any."""
    return session.scalars(
        select(CurriculumAttempt)
        .where(
            CurriculumAttempt.user_id == user.id,
            CurriculumAttempt.module_id == module_id,
            CurriculumAttempt.exercise_id == exercise_id,
            CurriculumAttempt.phase == "exercise",
        )
        .order_by(CurriculumAttempt.created_at.desc(), CurriculumAttempt.id.desc())
        .limit(1)
    ).first()


def stored_grade(row: CurriculumAttempt) -> Grade:
    """The Grade an attempt was given, rebuilt from its stored JSON."""
    data = row.grade
    return Grade(
        exercise=row.exercise_id,
        kind=str(data.get("kind", "")),
        passed=row.passed,
        score=row.score,
        found=tuple(data.get("found", ())),
        missing=tuple(data.get("missing", ())),
        feedback=tuple(Feedback(f["kind"], f["text"]) for f in data.get("feedback", ())),
        evidence=tuple(Evidence(e["label"], e["text"]) for e in data.get("evidence", ())),
        model_answer=str(data.get("model_answer", "")),
        engine_score=data.get("engine_score"),
    )


def latest_assessment(session: Session, user: User, phase: str) -> dict[str, CurriculumAttempt]:
    """*user*'s latest attempt at each item of the *phase* assessment."""
    rows = session.scalars(
        select(CurriculumAttempt)
        .where(CurriculumAttempt.user_id == user.id, CurriculumAttempt.phase == _phase(phase))
        .order_by(CurriculumAttempt.created_at, CurriculumAttempt.id)
    )
    return {r.exercise_id: r for r in rows}


def assessment_exercises(phase: str) -> list[tuple[Module, Exercise]]:
    """The items of the *phase* assessment with their modules, in course order."""
    return assessment_items(_phase(phase))


# ----------------------------------------------------------------- assignments and teams


def assign(
    session: Session,
    user: User,
    *,
    module_id: str,
    agent_email: str,
    due: date,
    note: str = "",
) -> CurriculumAssignment:
    """Assign a module to an agent by *due* (a coach only to the agents of their teams)."""
    require_role(user, "coach", "admin")
    try:
        found = get_module(module_id)
    except UnknownModuleError as exc:
        raise InvalidInputError(str(exc)) from None
    agent = assignee(session, user, agent_email)
    row = CurriculumAssignment(
        agent_id=agent.id,
        assigned_by_id=user.id,
        module_id=found.id,
        due=due,
        note=note.strip()[:1000],
    )
    session.add(row)
    session.flush()
    return row


def assignments(
    session: Session, user: User, *, mine: bool = False, today: date | None = None
) -> list[AssignmentView]:
    """Module assignments with their status: the caller's own, a coach's teams', or all."""
    stmt = select(CurriculumAssignment).order_by(CurriculumAssignment.due, CurriculumAssignment.id)
    if mine or user.role == "agent":
        stmt = stmt.where(CurriculumAssignment.agent_id == user.id)
    elif user.role == "coach":
        stmt = stmt.where(CurriculumAssignment.agent_id.in_(team_agents(user)))
    rows = list(session.scalars(stmt))
    records = attempts(session, {r.agent_id for r in rows})
    day = today if today is not None else utcnow().date()
    return [_view(r, records, day) for r in rows]


def _view(row: CurriculumAssignment, records: Sequence[Attempt], today: date) -> AssignmentView:
    job = Assignment(
        coach=str(row.assigned_by_id or ""),
        agent=str(row.agent_id),
        due=row.due,
        module=row.module_id,
        assigned_at=row.created_at,
        note=row.note,
    )
    try:
        title = get_module(row.module_id).title
    except UnknownModuleError:  # a module removed since: show the id, count nothing
        return AssignmentView(row, row.module_id, AssignmentStatus("not_started", 0.0, None, False))
    return AssignmentView(row, title, job.status(records, today=today))


def team_progress(session: Session, user: User) -> list[AgentReport]:
    """Progress of the agents a coach follows (their teams) or of every agent (admin)."""
    require_role(user, "coach", "admin")
    agents = assignable_agents(session, user)
    records = attempts(session, [a.id for a in agents])
    return [AgentReport(a, progress(records, agent=str(a.id))) for a in agents]


__all__ = [
    "MAX_ANSWER",
    "AgentReport",
    "AssignmentView",
    "BestResult",
    "assessment_exercises",
    "assign",
    "assignments",
    "attempts",
    "best_results",
    "exercise",
    "last_attempt",
    "latest_assessment",
    "module",
    "module_mastery",
    "progress_of",
    "record_attempt",
    "submit_assessment",
    "stored_grade",
    "submit_exercise",
    "team_progress",
]
