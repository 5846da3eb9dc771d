"""The pre- and post-assessment: the items every module contributes, graded in one go.

The pre-assessment is every module's ``assessment.pre`` items in course order, the
post-assessment their ``.post`` counterparts (the same kinds in the same order, so the two
are of equivalent difficulty). :func:`assess` grades a set of answers and sums them up with
an overall percentage and a per-skill breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.errors import AnswerError, UnknownModuleError
from warmline.practice.curriculum.grading import Grade, grade
from warmline.practice.curriculum.loader import shipped_modules
from warmline.practice.curriculum.model import PHASES, Exercise, Module
from warmline.practice.curriculum.progress import PhaseSummary, summarise_phase


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """A graded assessment: one Grade per answered item, and the phase summary."""

    phase: str
    grades: Mapping[str, Grade]
    summary: PhaseSummary
    modules: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the summary's fields, ``score`` (the mean item score, unanswered
        items counting 0), ``unanswered`` item ids and ``items`` (module, grade) in order."""
        return {
            **self.summary.to_dict(),
            "score": round(sum(g.score for g in self.grades.values()) / self.summary.total)
            if self.summary.total
            else 0,
            "unanswered": [item for item in self.modules if item not in self.grades],
            "items": [
                {"item": item, "module": self.modules[item], "grade": g.to_dict()}
                for item, g in self.grades.items()
            ],
        }


def assessment_items(
    phase: str, *, modules: Sequence[Module] | None = None
) -> list[tuple[Module, Exercise]]:
    """The items of *phase* (``pre`` or ``post``) with their modules, in course order.

    *modules* defaults to the shipped ones.
    """
    if modules is None:
        modules = shipped_modules()
    if phase not in PHASES:
        raise UnknownModuleError("assessment phase", phase, PHASES)
    return [(m, e) for m in modules for e in (m.pre if phase == "pre" else m.post)]


def assess(
    phase: str,
    answers: Mapping[str, str],
    *,
    modules: Sequence[Module] | None = None,
    analyzer: Analyzer | None = None,
) -> AssessmentResult:
    """Grade *answers* (item id → answer) to the *phase* assessment; unanswered items fail.

    *modules* defaults to the shipped ones. Raises UnknownModuleError for an answer to an
    item the phase does not have, AnswerError for an answer in the wrong form.
    """
    items = assessment_items(phase, modules=modules)
    known = {e.id: (m, e) for m, e in items}
    for item_id in answers:
        if item_id not in known:
            raise UnknownModuleError(f"{phase}-assessment item", item_id, known)
    grades: dict[str, Grade] = {}
    for _, e in items:
        answer = answers.get(e.id, "")
        if isinstance(answer, str) and answer.strip():
            try:
                grades[e.id] = grade(e, answer, analyzer=analyzer)
            except AnswerError as exc:
                raise AnswerError(f"{e.id}: {exc}") from None
    summary = summarise_phase(
        phase, [e for _, e in items], {k: g.passed for k, g in grades.items()}
    )
    return AssessmentResult(phase, grades, summary, {e.id: m.id for m, e in items})


__all__ = ["AssessmentResult", "assess", "assessment_items"]
