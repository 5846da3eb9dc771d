"""Summaries derived from a turn's annotations: the customer's state and mechanism levels."""

from __future__ import annotations

from warmline.engine.labels import (
    KIND_ABUSIVE,
    KIND_EMOTION,
    KIND_FOCUS,
    KIND_MECHANISM,
    MECHANISMS,
)
from warmline.engine.model import Annotation
from warmline.engine.results import CustomerState, EmotionScore


def customer_state(annotations: tuple[Annotation, ...]) -> CustomerState:
    """The emotions (best first), abuse flag and focus of one customer turn."""
    emotions = sorted(
        (
            EmotionScore(a.label, a.score, a.value or 1, a)
            for a in annotations
            if a.kind == KIND_EMOTION
        ),
        key=lambda e: (-e.score, -e.intensity, e.label),
    )
    focus = next((a.label for a in annotations if a.kind == KIND_FOCUS), "solution")
    abusive = any(a.kind == KIND_ABUSIVE for a in annotations)
    return CustomerState(tuple(emotions), abusive, focus)


def mechanism_levels(annotations: tuple[Annotation, ...]) -> dict[str, int]:
    """Level 0-2 per mechanism; 0 when no annotation supports it."""
    levels = dict.fromkeys(MECHANISMS, 0)
    for a in annotations:
        if a.kind == KIND_MECHANISM and a.label in levels:
            levels[a.label] = max(levels[a.label], a.value or 0)
    return levels
