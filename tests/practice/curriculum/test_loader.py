"""Reading module files: the shipped curriculum loads, and bad files are reported precisely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.practice.curriculum.helpers import exercise_data, module_data
from warmline.practice.curriculum import (
    KINDS,
    CurriculumError,
    UnknownModuleError,
    get_module,
    load_module,
    parse_module,
    shipped_modules,
)
from warmline.practice.curriculum.loader import check_curriculum

TOPICS = [
    "introduction",
    "active-listening",
    "emotional-intelligence",
    "personalisation",
    "problem-solving",
    "ongoing-evaluation",
]


def test_the_six_modules_ship_in_course_order() -> None:
    assert [m.id for m in shipped_modules()] == TOPICS


@pytest.mark.parametrize("module_id", TOPICS)
def test_each_module_has_short_lessons_and_enough_exercises(module_id: str) -> None:
    module = get_module(module_id)
    assert 2 <= len(module.lessons) <= 4
    assert 4 <= len(module.exercises) <= 8
    assert all(lesson.key_points for lesson in module.lessons)


def test_the_assessments_have_eight_items_each_covering_every_kind() -> None:
    modules = shipped_modules()
    pre = [e for m in modules for e in m.pre]
    post = [e for m in modules for e in m.post]
    assert len(pre) == len(post) == 8
    assert [e.kind for e in pre] == [e.kind for e in post]
    assert set(e.kind for e in pre) == set(KINDS)
    assert not {e.id for e in pre} & {e.id for e in post}


def test_every_kind_is_practised_somewhere() -> None:
    kinds = {e.kind for m in shipped_modules() for e in m.exercises}
    assert kinds == set(KINDS)


def test_an_unknown_module_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModuleError) as caught:
        get_module("juggling")
    assert "introduction" in str(caught.value)
    assert caught.value.known[0] == "introduction"


def test_lesson_and_exercise_lookups_name_what_exists() -> None:
    module = get_module("introduction")
    assert module.lesson("feeling-first").title
    assert module.exercise("pre-name-emotion").kind == "name_emotion"
    with pytest.raises(UnknownModuleError, match="what-empathy-is"):
        module.lesson("nope")


def _fails(data: Any, field: str, expected: str) -> None:
    with pytest.raises(CurriculumError) as caught:
        parse_module(data, file="m.yaml")
    assert caught.value.file == "m.yaml"
    assert caught.value.field == field
    assert expected in caught.value.expected
    assert str(caught.value).startswith(f"m.yaml: {field}: expected")


def test_a_valid_module_parses() -> None:
    module = parse_module(module_data(), file="m.yaml")
    assert module.id == "sample" and len(module.exercises) == 2


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"colour": "red"}, "colour", "one of the fields"),
        ({"title": None}, "title", "present"),
        ({"id": "Bad Id"}, "id", "lower-case"),
        ({"order": 0}, "order", "whole number"),
        ({"lessons": []}, "lessons", "at least 1"),
        (
            {"lessons": [{"id": "one", "title": "T", "body": "B", "key_points": [{"a": "b"}]}]},
            "lessons[0].key_points[0]",
            "non-empty string",
        ),
    ],
)
def test_module_field_errors_name_the_field(
    changes: dict[str, Any], field: str, expected: str
) -> None:
    _fails(module_data(**changes), field, expected)


@pytest.mark.parametrize(
    ("index", "changes", "field", "expected"),
    [
        (0, {"kind": "essay"}, "exercises[0].kind", "an exercise kind"),
        (0, {"answer": "glee"}, "exercises[0].answer", "one of the engine's emotions"),
        (0, {"skill": "juggling"}, "exercises[0].skill", "a skill"),
        (0, {"context": None}, "exercises[0].context", "present"),
        (0, {"key_facts": ["x"]}, "exercises[0].key_facts", "one of the fields"),
        (1, {"biased": [3]}, "exercises[1].biased[0]", "whole number from 1 to 2"),
        (1, {"sentences": ["only one"]}, "exercises[1].sentences", "at least 2"),
        (
            0,
            {"context": [{"speaker": "agent", "text": "Hi"}]},
            "exercises[0].context[0].speaker",
            "the last turn to be the customer's",
        ),
    ],
)
def test_exercise_field_errors_name_the_field_path(
    index: int, changes: dict[str, Any], field: str, expected: str
) -> None:
    exercises = [exercise_data(0), exercise_data(1)]
    exercises[index] = exercise_data(index, **changes)
    _fails(module_data(exercises=exercises), field, expected)


def test_a_reply_exercise_needs_its_kind_fields() -> None:
    rewrite = {
        "id": "rewrite",
        "kind": "rewrite_macro",
        "skill": "personalisation",
        "prompt": "Rewrite.",
        "context": "Hello?",
        "threshold": 50,
        "model_answer": "a",
        "poor_example": "b",
    }
    _fails(module_data(exercises=[rewrite]), "exercises[0].original", "present")
    rewrite.update(original="Thanks.", requires=["kindness"])
    _fails(module_data(exercises=[rewrite]), "exercises[0].requires[0]", "a behaviour id")


def test_duplicate_ids_and_mismatched_assessments_are_refused() -> None:
    twice = [exercise_data(0), exercise_data(0)]
    _fails(module_data(exercises=twice), "exercises[1].id", "not used before")
    assessment = {
        "pre": [exercise_data(0, id="pre-one")],
        "post": [exercise_data(1, id="post-one")],
    }
    _fails(module_data(assessment=assessment), "assessment.post", "same kinds")


def test_modules_may_not_share_ids_or_orders() -> None:
    one = parse_module(module_data(), file="a.yaml")
    other = parse_module(module_data(id="other"), file="b.yaml")
    with pytest.raises(CurriculumError, match="order"):
        check_curriculum([one, other])


def test_load_module_reports_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(CurriculumError, match="readable"):
        load_module(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CurriculumError, match="broken.yaml: expected valid YAML"):
        load_module(broken)
