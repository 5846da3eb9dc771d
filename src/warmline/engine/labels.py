"""The one vocabulary of labels the engine emits: emotions, behaviours, anti-patterns, mechanisms."""

from __future__ import annotations

from typing import Final

EMOTIONS: Final[tuple[str, ...]] = (
    "anger",
    "frustration",
    "disappointment",
    "confusion",
    "anxiety",
    "sadness",
    "joy",
    "gratitude",
    "neutral",
)
NEGATIVE_EMOTIONS: Final[frozenset[str]] = frozenset(
    {"anger", "frustration", "disappointment", "confusion", "anxiety", "sadness"}
)
POSITIVE_EMOTIONS: Final[frozenset[str]] = frozenset({"joy", "gratitude"})

BEHAVIOURS: Final[tuple[str, ...]] = (
    "acknowledge_emotion",
    "validate",
    "apology",
    "paraphrase",
    "reflect_feeling",
    "clarifying_question",
    "personalization",
    "ownership",
    "solution",
    "goodwill_gesture",
    "graceful_no",
    "reassurance",
    "gratitude",
    "follow_up",
    "proactive",
    "check_resolution",
    "offer_human",
)
ANTI_PATTERNS: Final[tuple[str, ...]] = (
    "robotic_script",
    "hollow_apology",
    "dismissive",
    "blame",
    "bare_refusal",
    "assumption",
    "tone_mismatch",
    "condescension",
    "rushed_closure",
)
ALL_BEHAVIOURS: Final[tuple[str, ...]] = BEHAVIOURS + ANTI_PATTERNS

MECHANISMS: Final[tuple[str, ...]] = ("emotional_reactions", "interpretations", "explorations")

FOCUS_VALUES: Final[tuple[str, ...]] = ("feelings", "solution")

#: Annotation kinds, in the order a reader meets them.
KIND_EMOTION: Final = "emotion"
KIND_ABUSIVE: Final = "abusive"
KIND_FOCUS: Final = "focus"
KIND_BEHAVIOUR: Final = "behaviour"
KIND_ANTI_PATTERN: Final = "anti_pattern"
KIND_MECHANISM: Final = "mechanism"
KIND_CUE: Final = "cue"


def is_anti_pattern(label: str) -> bool:
    """Return True when *label* names an anti-pattern rather than a positive behaviour."""
    return label in ANTI_PATTERNS
