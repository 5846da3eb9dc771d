"""Assignments from coaches: status is derived from the agent's attempts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from warmline.practice.curriculum import ROLEPLAY, Assignment, AssignmentError, Attempt, get_module

DUE = date(2026, 3, 10)
MONDAY = datetime(2026, 3, 2, 9, 0)


def passed(exercise: str, day: int, module: str = "personalisation") -> Attempt:
    return Attempt("ana", module, exercise, True, 90, MONDAY + timedelta(days=day))


def test_module_assignment_moves_from_not_started_to_completed() -> None:
    job = Assignment(coach="kim", agent="ana", due=DUE, module="personalisation")
    exercises = [e.id for e in get_module("personalisation").exercises]
    assert job.status([], today=date(2026, 3, 3)).status == "not_started"
    some = [passed(exercises[0], 1)]
    status = job.status(some, today=date(2026, 3, 3))
    assert (status.status, status.completion) == ("in_progress", 0.25)
    assert job.status(some, today=date(2026, 3, 11)).status == "overdue"
    every = [passed(e, i) for i, e in enumerate(exercises)]
    done = job.status(every, today=date(2026, 3, 20))
    assert (done.status, done.late, done.completed_at) == (
        "completed",
        False,
        MONDAY + timedelta(3),
    )


def test_late_completion_and_attempts_before_the_assignment() -> None:
    exercises = [e.id for e in get_module("personalisation").exercises]
    job = Assignment(
        coach="kim", agent="ana", due=DUE, module="personalisation", assigned_at=MONDAY
    )
    late = [passed(e, 10 + i) for i, e in enumerate(exercises)]
    assert job.status(late, today=date(2026, 3, 20)).late
    before = [passed(e, -3) for e in exercises]
    assert job.status(before, today=date(2026, 3, 3)).status == "not_started"


def test_scenario_assignment_completes_on_a_resolved_session() -> None:
    job = Assignment(coach="kim", agent="ana", due=DUE, scenario="cannot-grant")
    failed = Attempt("ana", ROLEPLAY, "cannot-grant", False, 30, MONDAY)
    assert job.status([failed], today=date(2026, 3, 3)).status == "in_progress"
    won = Attempt("ana", ROLEPLAY, "cannot-grant", True, 80, MONDAY + timedelta(days=1))
    assert job.status([failed, won], today=date(2026, 3, 3)).status == "completed"


def test_assignment_needs_exactly_one_target_and_round_trips() -> None:
    with pytest.raises(AssignmentError, match="exactly one"):
        Assignment(coach="kim", agent="ana", due=DUE)
    with pytest.raises(AssignmentError, match="exactly one"):
        Assignment(coach="kim", agent="ana", due=DUE, module="x", scenario="y")
    job = Assignment(coach="kim", agent="ana", due=DUE, module="introduction", note="by Friday")
    assert Assignment.from_dict(json.loads(json.dumps(job.to_dict()))) == job
    with pytest.raises(AssignmentError, match="'due'"):
        Assignment.from_dict({"coach": "kim", "agent": "ana", "module": "introduction"})
    with pytest.raises(AssignmentError, match="unknown module"):
        Assignment(coach="k", agent="ana", due=DUE, module="nope").status([], today=DUE)
