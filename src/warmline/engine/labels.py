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
#: Behaviours that exclude each other on one turn by their definitions (a no with or without a
#: way forward; a close that checks or one that rushes; a sincere or a formulaic apology). In
#: the 1,011 labelled agent turns the project trains on, no turn carries both of a pair.
EXCLUSIVE: Final[tuple[tuple[str, str], ...]] = (
    ("graceful_no", "bare_refusal"),
    ("check_resolution", "rushed_closure"),
    ("apology", "hollow_apology"),
)
#: Behaviours only a bot shows (a bot handing over to a person).
BOT_ONLY: Final[frozenset[str]] = frozenset({"offer_human"})


def excluded_by(labels: set[str] | frozenset[str]) -> set[str]:
    """The labels that cannot join a turn already carrying *labels* (see ``EXCLUSIVE``)."""
    out = set()
    for a, b in EXCLUSIVE:
        if a in labels:
            out.add(b)
        if b in labels:
            out.add(a)
    return out


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
