"""Coaching: tips for missed opportunities and anti-patterns, and a rewrite of the turn."""

from __future__ import annotations

from dataclasses import dataclass

from warmline.engine.labels import KIND_ANTI_PATTERN
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import CustomerState, Tip


@dataclass(frozen=True, slots=True)
class CoachingRequest:
    """What the coach knows about one staff turn.

    ``found`` are the turn's annotations (behaviours, anti-patterns, mechanisms);
    ``missed`` are behaviour ids the moment called for but the turn lacks, in priority order.
    """

    text: str
    speaker: Speaker
    found: tuple[Annotation, ...]
    missed: tuple[str, ...]
    customer: CustomerState | None
    customer_name: str | None
    customer_text: str | None


class Coach:
    """Chooses tips and writes rewrites from the coaching data files."""

    def tips(self, request: CoachingRequest) -> tuple[Tip, ...]:
        """One tip per anti-pattern found and per missed behaviour."""
        tips = [
            Tip(id=f"avoid.{a.label}", message=a.label, label=a.label, missed=False)
            for a in request.found
            if a.kind == KIND_ANTI_PATTERN
        ]
        tips += [Tip(id=f"add.{m}", message=m, label=m, missed=True) for m in request.missed]
        return tuple(tips)

    def rewrite(self, request: CoachingRequest) -> str | None:
        """A rewrite of the turn that keeps its facts and adds what was missing."""
        return None
