"""The training curriculum: modules of short lessons and engine-graded exercises.

Content is data: each module is a YAML file in ``modules/`` (lessons, exercises, and its
share of the pre- and post-assessment), read by :func:`shipped_modules`. :func:`grade_exercise`
grades one answer with the engine; :func:`assess` grades an assessment; :func:`progress` and
:class:`Assignment` turn plain attempt records into progress and assignment status. Like the
rest of :mod:`warmline.practice`, this package prints nothing and imports no web, CLI or
storage module.
"""

from __future__ import annotations

from typing import Any

from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.assessment import AssessmentResult, assess, assessment_items
from warmline.practice.curriculum.assignments import STATUSES, Assignment, AssignmentStatus
from warmline.practice.curriculum.errors import (
    AnswerError,
    AssignmentError,
    CurriculumError,
    UnknownModuleError,
)
from warmline.practice.curriculum.grading import Evidence, Feedback, Grade, grade
from warmline.practice.curriculum.loader import (
    get_module,
    load_module,
    parse_module,
    shipped_modules,
)
from warmline.practice.curriculum.model import (
    KINDS,
    PHASES,
    SKILLS,
    Exercise,
    Lesson,
    Module,
)
from warmline.practice.curriculum.progress import (
    ROLEPLAY,
    AgentProgress,
    Attempt,
    ModuleProgress,
    PhaseSummary,
    SkillMastery,
    progress,
    team_progress,
)
from warmline.practice.curriculum.validate import Validation, check_items, validate_module


def list_modules() -> list[dict[str, Any]]:
    """The shipped modules in course order, as plain data (id, title, summary, skills ...)."""
    return [m.to_dict() for m in shipped_modules()]


def get_lessons(module_id: str, lesson_id: str | None = None) -> tuple[Lesson, ...]:
    """The lessons of a shipped module, or just the one named *lesson_id*."""
    module = get_module(module_id)
    return module.lessons if lesson_id is None else (module.lesson(lesson_id),)


def grade_exercise(
    module_id: str, exercise_id: str, answer: str, *, analyzer: Analyzer | None = None
) -> Grade:
    """Grade *answer* to one exercise (or assessment item) of a shipped module."""
    return grade(get_module(module_id).exercise(exercise_id), answer, analyzer=analyzer)


__all__ = [
    "KINDS",
    "PHASES",
    "ROLEPLAY",
    "SKILLS",
    "STATUSES",
    "AgentProgress",
    "AnswerError",
    "AssessmentResult",
    "Assignment",
    "AssignmentError",
    "AssignmentStatus",
    "Attempt",
    "CurriculumError",
    "Evidence",
    "Exercise",
    "Feedback",
    "Grade",
    "Lesson",
    "Module",
    "ModuleProgress",
    "PhaseSummary",
    "SkillMastery",
    "UnknownModuleError",
    "Validation",
    "assess",
    "assessment_items",
    "check_items",
    "get_lessons",
    "get_module",
    "grade",
    "grade_exercise",
    "list_modules",
    "load_module",
    "parse_module",
    "progress",
    "shipped_modules",
    "team_progress",
    "validate_module",
]
