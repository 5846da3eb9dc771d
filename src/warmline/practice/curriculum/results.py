"""What grading returns: a Grade with its feedback lines and the engine's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Feedback:
    """One feedback line: ``worked`` (keep doing it), ``try`` (do this next time) or ``engine``
    (what the engine read, as an explanation)."""

    kind: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready data."""
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the engine found and the words it found it in."""

    label: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready data."""
        return {"label": self.label, "text": self.text}


@dataclass(frozen=True, slots=True)
class Grade:
    """The result of grading one answer: pass or not, a 0-100 score, and why."""

    exercise: str
    kind: str
    passed: bool
    score: int
    found: tuple[str, ...]
    missing: tuple[str, ...]
    feedback: tuple[Feedback, ...]
    evidence: tuple[Evidence, ...]
    model_answer: str
    engine_score: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "exercise": self.exercise,
            "kind": self.kind,
            "passed": self.passed,
            "score": self.score,
            "found": list(self.found),
            "missing": list(self.missing),
            "feedback": [f.to_dict() for f in self.feedback],
            "evidence": [e.to_dict() for e in self.evidence],
            "model_answer": self.model_answer,
            "engine_score": self.engine_score,
        }


__all__ = ["Evidence", "Feedback", "Grade"]
