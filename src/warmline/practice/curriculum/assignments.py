"""Assignments from coaches: a module or a role-play scenario, for an agent, by a date.

An :class:`Assignment` is plain data; its status is derived from the agent's attempts
(:class:`~warmline.practice.curriculum.progress.Attempt`), never stored, so it cannot drift
from what the agent actually did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from warmline.practice.curriculum.errors import AssignmentError
from warmline.practice.curriculum.loader import shipped_modules
from warmline.practice.curriculum.model import Module
from warmline.practice.curriculum.progress import ROLEPLAY, Attempt

STATUSES: Final[tuple[str, ...]] = ("not_started", "in_progress", "completed", "overdue")


@dataclass(frozen=True, slots=True)
class AssignmentStatus:
    """Where an assignment stands: status, completion (0-1), when it was completed, late or not."""

    status: str
    completion: float
    completed_at: datetime | None
    late: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "status": self.status,
            "completion": round(self.completion, 3),
            "completed_at": None if self.completed_at is None else self.completed_at.isoformat(),
            "late": self.late,
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    """A coach asks an agent to complete a module or play a scenario by ``due``.

    Exactly one of ``module`` and ``scenario`` is set. Only attempts at or after
    ``assigned_at`` (when given) count towards it.
    """

    coach: str
    agent: str
    due: date
    module: str | None = None
    scenario: str | None = None
    assigned_at: datetime | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.module is None) == (self.scenario is None):
            raise AssignmentError("an assignment needs exactly one of module or scenario")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assignment:
        """Build from plain data (dates as ISO 8601 strings); AssignmentError if malformed."""
        try:
            due, given = data["due"], data.get("assigned_at")
            return cls(
                coach=str(data["coach"]),
                agent=str(data["agent"]),
                due=due if isinstance(due, date) else date.fromisoformat(str(due)),
                module=data.get("module"),
                scenario=data.get("scenario"),
                assigned_at=given
                if given is None or isinstance(given, datetime)
                else datetime.fromisoformat(str(given)),
                note=str(data.get("note", "")),
            )
        except KeyError as exc:
            raise AssignmentError(f"assignment: the field {exc.args[0]!r} is missing") from None
        except (TypeError, ValueError) as exc:
            raise AssignmentError(f"assignment: {exc}") from None

    def status(
        self,
        attempts: Iterable[Attempt],
        *,
        today: date,
        modules: Sequence[Module] | None = None,
    ) -> AssignmentStatus:
        """The status on *today*, from the agent's *attempts* (modules default: the shipped)."""
        mine = sorted(
            (
                a
                for a in attempts
                if a.agent == self.agent and (self.assigned_at is None or a.at >= self.assigned_at)
            ),
            key=lambda a: a.at,
        )
        if self.scenario is not None:
            relevant = [a for a in mine if a.module == ROLEPLAY and a.exercise == self.scenario]
            needed = {self.scenario}
        else:
            known = shipped_modules() if modules is None else modules
            module = next((m for m in known if m.id == self.module), None)
            if module is None:
                raise AssignmentError(f"assignment: unknown module {self.module!r}")
            relevant = [a for a in mine if a.module == module.id]
            needed = {e.id for e in module.exercises}
        done: set[str] = set()
        completed_at = None
        for a in relevant:
            if a.passed and a.exercise in needed:
                done.add(a.exercise)
                if done == needed and completed_at is None:
                    completed_at = a.at
        completion = len(done) / len(needed) if needed else 0.0
        if completed_at is not None:
            return AssignmentStatus("completed", 1.0, completed_at, completed_at.date() > self.due)
        state = "overdue" if today > self.due else "in_progress" if relevant else "not_started"
        return AssignmentStatus(state, completion, None, state == "overdue")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO 8601)."""
        return {
            "coach": self.coach,
            "agent": self.agent,
            "due": self.due.isoformat(),
            "module": self.module,
            "scenario": self.scenario,
            "assigned_at": None if self.assigned_at is None else self.assigned_at.isoformat(),
            "note": self.note,
        }


__all__ = ["STATUSES", "Assignment", "AssignmentStatus"]
