"""Progress from plain attempt records: completion, mastery per skill, pre vs post delta."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from warmline.practice.curriculum import (
    AssignmentError,
    Attempt,
    get_module,
    progress,
    shipped_modules,
    team_progress,
)

START = datetime(2026, 3, 2, 9, 0)


def attempt(exercise: str, passed: bool, score: int, minutes: int = 0, **other: str) -> Attempt:
    return Attempt(
        agent=other.get("agent", "ana"),
        module=other.get("module", "introduction"),
        exercise=exercise,
        passed=passed,
        score=score,
        at=START + timedelta(minutes=minutes),
    )


def test_no_attempts_is_an_empty_start() -> None:
    result = progress([], agent="ana")
    assert [m.completion for m in result.modules] == [0.0] * 6
    assert all(s.level == "not_started" for s in result.skills)
    assert result.pre.percentage is None and result.delta is None


def test_completion_counts_exercises_passed_at_least_once() -> None:
    intro = get_module("introduction")
    attempts = [attempt(e.id, True, 90, i) for i, e in enumerate(intro.exercises)]
    attempts.append(attempt(intro.exercises[0].id, False, 20, 99))  # a later slip keeps the pass
    attempts.append(attempt("reflect-worried-parent", True, 80, 5, module="active-listening"))
    attempts.append(attempt("name-the-feeling-hold", True, 90, 5, agent="bo"))
    result = progress(attempts, agent="ana")
    first, second = result.modules[0], result.modules[1]
    assert (first.completed, first.passed, first.attempts) == (True, 5, 6)
    assert first.last_at == START + timedelta(minutes=99)
    assert (second.passed, round(second.completion, 3), second.completed) == (1, 0.167, False)


def test_mastery_uses_the_latest_score_of_each_exercise() -> None:
    attempts = [
        attempt("name-the-feeling-hold", False, 40, 0),
        attempt("name-the-feeling-hold", True, 100, 5),
        attempt("name-the-feeling-deadline", True, 70, 6),
    ]
    skills = {s.skill: s for s in progress(attempts, agent="ana").skills}
    emotion = skills["recognising_emotion"]
    assert (emotion.attempted, emotion.passed, emotion.mastery) == (2, 2, 0.85)
    assert emotion.level == "mastered"
    assert skills["paraphrasing"].level == "not_started"


def test_pre_and_post_assessment_delta_with_a_skill_breakdown() -> None:
    modules = shipped_modules()
    pre = [(m.id, e) for m in modules for e in m.pre]
    post = [(m.id, e) for m in modules for e in m.post]
    attempts = [
        attempt(e.id, i < 2, 80 if i < 2 else 30, i, module=mid) for i, (mid, e) in enumerate(pre)
    ]
    attempts += [attempt(e.id, True, 85, 100 + i, module=mid) for i, (mid, e) in enumerate(post)]
    result = progress(attempts, agent="ana")
    assert (result.pre.percentage, result.post.percentage, result.delta) == (25, 100, 75)
    assert result.skill_deltas()["recognising_emotion"] == 0
    assert result.skill_deltas()["graceful_no"] == 100
    data = json.loads(json.dumps(result.to_dict()))
    assert data["assessment"]["delta"] == 75
    assert data["assessment"]["pre"]["skills"]["paraphrasing"] == 100


def test_team_progress_has_one_entry_per_agent() -> None:
    attempts = [attempt("name-the-feeling-hold", True, 90, agent=a) for a in ("cy", "ana")]
    assert [p.agent for p in team_progress(attempts)] == ["ana", "cy"]


def test_attempts_round_trip_through_plain_data() -> None:
    record = attempt("name-the-feeling-hold", True, 90)
    assert Attempt.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    with pytest.raises(AssignmentError, match="'score'"):
        Attempt.from_dict({"agent": "a", "module": "m", "exercise": "e", "passed": True, "at": ""})
    with pytest.raises(AssignmentError):
        Attempt.from_dict({**record.to_dict(), "at": "yesterday"})
