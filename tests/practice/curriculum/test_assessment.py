"""The pre- and post-assessment: graded in one go, with a percentage and a skill breakdown."""

from __future__ import annotations

import json

import pytest

from warmline.practice.curriculum import (
    AnswerError,
    UnknownModuleError,
    assess,
    assessment_items,
)


def test_model_answers_score_full_marks_and_poor_ones_none() -> None:
    items = assessment_items("post")
    good = assess("post", {e.id: e.model_answer for _, e in items})
    assert (good.summary.percentage, good.summary.passed) == (100, 8)
    poor = assess("post", {e.id: e.poor_example for _, e in items})
    assert poor.summary.percentage == 0


def test_unanswered_items_fail_and_skills_are_broken_down() -> None:
    items = assessment_items("pre")
    answers = {e.id: e.model_answer for _, e in items if e.skill == "recognising_emotion"}
    result = assess("pre", answers)
    data = json.loads(json.dumps(result.to_dict()))
    assert (data["answered"], data["passed"], data["percentage"]) == (1, 1, 12)
    assert data["skills"]["recognising_emotion"] == 100
    assert data["skills"]["paraphrasing"] == 0
    assert [i["item"] for i in data["items"]] == ["pre-name-emotion"]
    assert len(data["unanswered"]) == 7 and "pre-reflect" in data["unanswered"]
    assert data["items"][0]["module"] == "introduction"


def test_answers_to_unknown_items_or_phases_are_refused() -> None:
    with pytest.raises(UnknownModuleError, match="post-reflect"):
        assess("pre", {"post-reflect": "hello"})
    with pytest.raises(UnknownModuleError):
        assessment_items("mid")
    with pytest.raises(AnswerError, match="pre-spot-stung"):
        assess("pre", {"pre-spot-stung": "the second one"})
