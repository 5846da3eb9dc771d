"""What an analysis returns: per-turn and per-conversation results that point back at annotations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warmline.engine.labels import (
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    NEGATIVE_EMOTIONS,
    POSITIVE_EMOTIONS,
)
from warmline.engine.model import Annotation, Conversation, Turn


@dataclass(frozen=True, slots=True)
class EmotionScore:
    """One emotion present in a customer turn: probability-like score and intensity 1-3."""

    label: str
    score: float
    intensity: int
    evidence: Annotation | None = None


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One contribution to a score: points gained or lost, and the annotation behind them.

    ``annotation`` is None only for contributions that are about something *missing*
    (a missed opportunity), which by nature has no span of its own.
    """

    reason: str
    points: float
    explanation: str
    annotation: Annotation | None = None


@dataclass(frozen=True, slots=True)
class TurnScore:
    """A staff turn's 0-100 score, what the moment needed, and the items that make it up."""

    value: int
    need: str
    mode: str
    items: tuple[ScoreItem, ...]


@dataclass(frozen=True, slots=True)
class Tip:
    """A short coaching tip naming a principle; ``label`` is the behaviour it is about."""

    id: str
    message: str
    label: str
    missed: bool


@dataclass(frozen=True, slots=True)
class CustomerState:
    """How the customer feels at one turn, summarised for context-aware scoring."""

    emotions: tuple[EmotionScore, ...]
    abusive: bool
    focus: str

    @property
    def top(self) -> EmotionScore | None:
        """The strongest emotion, or None for an empty state."""
        return self.emotions[0] if self.emotions else None

    @property
    def negative_intensity(self) -> int:
        """The highest intensity among negative emotions (0 when none)."""
        return max((e.intensity for e in self.emotions if e.label in NEGATIVE_EMOTIONS), default=0)

    @property
    def valence(self) -> float:
        """A -3..+3 summary: positive emotions push up, negative down, weighted by intensity."""
        neg = max((e.intensity for e in self.emotions if e.label in NEGATIVE_EMOTIONS), default=0)
        pos = max((e.intensity for e in self.emotions if e.label in POSITIVE_EMOTIONS), default=0)
        return float(pos - neg)


@dataclass(frozen=True, slots=True)
class TurnAnalysis:
    """Everything the engine found on one turn."""

    turn: Turn
    annotations: tuple[Annotation, ...]
    customer: CustomerState | None = None
    mechanisms: Mapping[str, int] = field(default_factory=dict)
    score: TurnScore | None = None
    tips: tuple[Tip, ...] = ()
    rewrite: str | None = None

    def behaviours(self) -> tuple[Annotation, ...]:
        """Behaviour and anti-pattern annotations, in text order."""
        found = [a for a in self.annotations if a.kind in (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)]
        return tuple(sorted(found, key=lambda a: (a.start, a.end, a.label)))


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """The customer's state at one customer turn: the top emotion and a -3..+3 valence."""

    turn: int
    label: str
    intensity: int
    valence: float


@dataclass(frozen=True, slots=True)
class ConversationAnalysis:
    """The result for one conversation: its turns, score with breakdown, and trajectory."""

    conversation: Conversation
    turns: tuple[TurnAnalysis, ...]
    score: int | None
    breakdown: tuple[ScoreItem, ...]
    trajectory: tuple[TrajectoryPoint, ...]
    deescalated: bool | None
    escalated: bool | None
    missed_opportunities: tuple[Tip, ...] = ()
    best_moments: tuple[Annotation, ...] = ()
