"""Progress per agent, from plain attempt records; storage is the caller's business.

Give :func:`progress` the :class:`Attempt` records of one agent (from any store: a list of
dicts works through :meth:`Attempt.from_dict`) and it computes per-module completion,
mastery per skill and the pre- vs post-assessment delta. Role-play sessions can be recorded
as attempts too (module :data:`ROLEPLAY`, the scenario id as the exercise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from warmline.practice.curriculum.errors import AssignmentError
from warmline.practice.curriculum.loader import shipped_modules
from warmline.practice.curriculum.model import Exercise, Module

#: The ``module`` of an attempt that records a role-play session (``exercise``: scenario id).
ROLEPLAY: Final = "roleplay"
#: Mastery levels by the mean latest score (0-1) of the skill's attempted exercises.
LEVELS: Final[tuple[tuple[float, str], ...]] = ((0.8, "mastered"), (0.6, "practising"))


@dataclass(frozen=True, slots=True)
class Attempt:
    """One graded answer by one agent: which exercise, passed or not, the score, when."""

    agent: str
    module: str
    exercise: str
    passed: bool
    score: int
    at: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        """Build from plain data; ``at`` may be an ISO 8601 string. AssignmentError if malformed."""
        try:
            at = data["at"]
            return cls(
                agent=str(data["agent"]),
                module=str(data["module"]),
                exercise=str(data["exercise"]),
                passed=bool(data["passed"]),
                score=int(data["score"]),
                at=at if isinstance(at, datetime) else datetime.fromisoformat(str(at)),
            )
        except KeyError as exc:
            raise AssignmentError(f"attempt: the field {exc.args[0]!r} is missing") from None
        except (TypeError, ValueError) as exc:
            raise AssignmentError(f"attempt: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (``at`` as ISO 8601)."""
        return {
            "agent": self.agent,
            "module": self.module,
            "exercise": self.exercise,
            "passed": self.passed,
            "score": self.score,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class ModuleProgress:
    """How far an agent is through one module's exercises."""

    module: str
    title: str
    exercises: int
    passed: int
    attempts: int
    last_at: datetime | None

    @property
    def completion(self) -> float:
        """The share of the module's exercises passed at least once (0-1)."""
        return self.passed / self.exercises if self.exercises else 0.0

    @property
    def completed(self) -> bool:
        """True once every exercise of the module has been passed."""
        return self.exercises > 0 and self.passed == self.exercises

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "module": self.module,
            "title": self.title,
            "exercises": self.exercises,
            "passed": self.passed,
            "attempts": self.attempts,
            "completion": round(self.completion, 3),
            "completed": self.completed,
            "last_at": None if self.last_at is None else self.last_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class SkillMastery:
    """Mastery of one skill: the mean latest score over the skill's attempted exercises."""

    skill: str
    exercises: int
    attempted: int
    passed: int
    mastery: float

    @property
    def level(self) -> str:
        """``not_started``, ``learning``, ``practising`` or ``mastered``."""
        if not self.attempted:
            return "not_started"
        return next((name for low, name in LEVELS if self.mastery >= low), "learning")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "skill": self.skill,
            "exercises": self.exercises,
            "attempted": self.attempted,
            "passed": self.passed,
            "mastery": round(self.mastery, 3),
            "level": self.level,
        }


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    """An assessment phase summed up: items passed, percentage, and a per-skill breakdown."""

    phase: str
    total: int
    answered: int
    passed: int
    skills: Mapping[str, tuple[int, int]]

    @property
    def percentage(self) -> int | None:
        """Items passed out of all items, 0-100; None when nothing was answered."""
        return round(100 * self.passed / self.total) if self.answered and self.total else None

    def skill_percentages(self) -> dict[str, int]:
        """Per skill: items passed out of the skill's items, 0-100."""
        return {s: round(100 * p / n) for s, (p, n) in self.skills.items() if n}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "phase": self.phase,
            "total": self.total,
            "answered": self.answered,
            "passed": self.passed,
            "percentage": self.percentage,
            "skills": self.skill_percentages(),
        }


def summarise_phase(
    phase: str, items: Sequence[Exercise], results: Mapping[str, bool]
) -> PhaseSummary:
    """Sum up *items* of *phase* given which item ids passed (absent ids: unanswered)."""
    skills: dict[str, tuple[int, int]] = {}
    for item in items:
        passed, total = skills.get(item.skill, (0, 0))
        skills[item.skill] = (passed + results.get(item.id, False), total + 1)
    return PhaseSummary(
        phase=phase,
        total=len(items),
        answered=sum(item.id in results for item in items),
        passed=sum(results.get(item.id, False) for item in items),
        skills=skills,
    )


@dataclass(frozen=True, slots=True)
class AgentProgress:
    """One agent's progress through the curriculum."""

    agent: str
    modules: tuple[ModuleProgress, ...]
    skills: tuple[SkillMastery, ...]
    pre: PhaseSummary
    post: PhaseSummary

    @property
    def delta(self) -> int | None:
        """Post- minus pre-assessment percentage; None until both were taken."""
        if self.pre.percentage is None or self.post.percentage is None:
            return None
        return self.post.percentage - self.pre.percentage

    def skill_deltas(self) -> dict[str, int]:
        """Per skill assessed in both phases: post minus pre percentage."""
        if self.delta is None:
            return {}
        before, after = self.pre.skill_percentages(), self.post.skill_percentages()
        return {s: after[s] - before[s] for s in before if s in after}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "agent": self.agent,
            "modules": [m.to_dict() for m in self.modules],
            "skills": [s.to_dict() for s in self.skills],
            "assessment": {
                "pre": self.pre.to_dict(),
                "post": self.post.to_dict(),
                "delta": self.delta,
                "skills_delta": self.skill_deltas(),
            },
        }


def _latest(attempts: Iterable[Attempt]) -> dict[tuple[str, str], Attempt]:
    """The latest attempt per (module, exercise)."""
    out: dict[tuple[str, str], Attempt] = {}
    for a in sorted(attempts, key=lambda a: a.at):
        out[(a.module, a.exercise)] = a
    return out


def progress(
    attempts: Iterable[Attempt], *, agent: str, modules: Sequence[Module] | None = None
) -> AgentProgress:
    """*agent*'s progress through *modules* (default: the shipped ones), from their attempts.

    Attempts of other agents are ignored.
    """
    if modules is None:
        modules = shipped_modules()
    mine = [a for a in attempts if a.agent == agent]
    latest = _latest(mine)
    ever = {(a.module, a.exercise) for a in mine if a.passed}
    rows = []
    for m in modules:
        tried = [a for a in mine if a.module == m.id]
        rows.append(
            ModuleProgress(
                module=m.id,
                title=m.title,
                exercises=len(m.exercises),
                passed=sum((m.id, e.id) in ever for e in m.exercises),
                attempts=sum(1 for a in tried if a.exercise in {e.id for e in m.exercises}),
                last_at=max((a.at for a in tried), default=None),
            )
        )
    return AgentProgress(
        agent=agent,
        modules=tuple(rows),
        skills=_skills(modules, latest, ever),
        pre=_phase("pre", modules, latest),
        post=_phase("post", modules, latest),
    )


def _skills(
    modules: Sequence[Module], latest: Mapping[tuple[str, str], Attempt], ever: set[tuple[str, str]]
) -> tuple[SkillMastery, ...]:
    by_skill: dict[str, list[tuple[str, Exercise]]] = {}
    for m in modules:
        for e in m.exercises:
            by_skill.setdefault(e.skill, []).append((m.id, e))
    out = []
    for skill, items in by_skill.items():
        scores = [latest[(mid, e.id)].score for mid, e in items if (mid, e.id) in latest]
        out.append(
            SkillMastery(
                skill=skill,
                exercises=len(items),
                attempted=len(scores),
                passed=sum((mid, e.id) in ever for mid, e in items),
                mastery=sum(scores) / (100 * len(scores)) if scores else 0.0,
            )
        )
    return tuple(out)


def _phase(
    phase: str, modules: Sequence[Module], latest: Mapping[tuple[str, str], Attempt]
) -> PhaseSummary:
    items = [(m.id, e) for m in modules for e in (m.pre if phase == "pre" else m.post)]
    results = {e.id: latest[(mid, e.id)].passed for mid, e in items if (mid, e.id) in latest}
    return summarise_phase(phase, [e for _, e in items], results)


def team_progress(
    attempts: Iterable[Attempt], *, modules: Sequence[Module] | None = None
) -> list[AgentProgress]:
    """Progress of every agent that has attempts, sorted by agent."""
    records = list(attempts)
    return [progress(records, agent=a, modules=modules) for a in sorted({r.agent for r in records})]


__all__ = [
    "LEVELS",
    "ROLEPLAY",
    "AgentProgress",
    "Attempt",
    "ModuleProgress",
    "PhaseSummary",
    "SkillMastery",
    "progress",
    "summarise_phase",
    "team_progress",
]
