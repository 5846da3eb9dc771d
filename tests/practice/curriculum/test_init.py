"""The public API of ``warmline.practice.curriculum`` and its purity."""

from __future__ import annotations

import json
import subprocess
import sys

import warmline.practice.curriculum as curriculum

PUBLIC = sorted(
    """KINDS PHASES ROLEPLAY SKILLS STATUSES AgentProgress AnswerError AssessmentResult
    Assignment AssignmentError AssignmentStatus Attempt CurriculumError Evidence Exercise
    Feedback Grade Lesson Module ModuleProgress PhaseSummary SkillMastery UnknownModuleError
    assess assessment_items get_lessons get_module grade grade_exercise list_modules
    load_module parse_module progress shipped_modules team_progress Validation check_items
    validate_module""".split()
)
FORBIDDEN = {"fastapi", "starlette", "sqlalchemy", "alembic", "click", "requests", "httpx", "tqdm"}


def test_all_matches_the_frozen_list() -> None:
    assert sorted(curriculum.__all__) == PUBLIC
    assert all(getattr(curriculum, name) is not None for name in PUBLIC)


def test_importing_the_curriculum_loads_no_forbidden_module() -> None:
    script = (
        "import json, sys, warmline.practice.curriculum\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert not FORBIDDEN & set(json.loads(done.stdout))


def test_list_modules_and_full_module_data_are_json_ready() -> None:
    listed = json.loads(json.dumps(curriculum.list_modules()))
    assert [m["order"] for m in listed] == [1, 2, 3, 4, 5, 6]
    assert {"id", "title", "summary", "order", "skills", "lessons", "exercises"} == set(listed[0])
    full = json.loads(json.dumps(curriculum.get_module("introduction").to_dict(full=True)))
    assert full["lessons"][0]["body"] and full["assessment"]["pre"][0]["answer"] == "confusion"


def test_exercise_data_without_answers_gives_nothing_away() -> None:
    item = curriculum.get_module("introduction").exercise("spot-the-brush-off")
    data = item.to_dict(with_answers=False)
    assert "biased" not in data and "model_answer" not in data and len(data["sentences"]) == 4


def test_get_lessons_returns_all_or_one() -> None:
    assert len(curriculum.get_lessons("problem-solving")) == 3
    (one,) = curriculum.get_lessons("problem-solving", "follow-up")
    assert one.title == "Follow up"
