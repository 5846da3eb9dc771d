"""Checking a module file a trainer wrote: it loads, and every item grades as it claims.

Loading catches format mistakes (:class:`~warmline.practice.curriculum.errors.CurriculumError`);
grading each item's ``model_answer`` (which must pass) and ``poor_example`` (which must fail)
proves the engine can grade the item as intended.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.grading import grade
from warmline.practice.curriculum.loader import load_module
from warmline.practice.curriculum.model import Module


@dataclass(frozen=True, slots=True)
class Validation:
    """A module that loaded, and the problems its items have (none: it is ready to use)."""

    module: Module
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every item grades as it claims."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"module": self.module.id, "ok": self.ok, "problems": list(self.problems)}


def check_items(module: Module, *, analyzer: Analyzer | None = None) -> tuple[str, ...]:
    """The items whose model answer fails or whose poor example passes, and why."""
    problems = []
    for item in module.items():
        good = grade(item, item.model_answer, analyzer=analyzer)
        if not good.passed:
            why = "; ".join(f.text for f in good.feedback if f.kind == "try")
            problems.append(f"{item.id}: the model_answer does not pass ({why})")
        if grade(item, item.poor_example, analyzer=analyzer).passed:
            problems.append(f"{item.id}: the poor_example passes; make it poorer")
    return tuple(problems)


def validate_module(source: Path | str, *, analyzer: Analyzer | None = None) -> Validation:
    """Load the module file *source* (CurriculumError if malformed) and check its items."""
    module = load_module(source)
    return Validation(module, check_items(module, analyzer=analyzer))


__all__ = ["Validation", "check_items", "validate_module"]
