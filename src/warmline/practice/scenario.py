"""What a role-play scenario is: the customer, the case, how they react and when it is resolved.

These are plain frozen dataclasses; :mod:`warmline.practice.loader` builds them from the YAML
files a trainer writes (docs/practice.md describes every field).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

#: The customer's mood states by intensity, most upset first, with the lowest intensity of each.
MOODS: Final[tuple[tuple[str, float], ...]] = (
    ("furious", 0.8),
    ("angry", 0.6),
    ("upset", 0.4),
    ("calming", 0.2),
    ("calm", 0.0),
)
#: How a session ends (``unfinished`` when the trainee stops first).
OUTCOMES: Final[tuple[str, ...]] = ("resolved", "escalated", "abandoned", "unfinished")
#: The keys of a scenario's ``lines``: the opening, one per mood, one per ending.
LINE_KEYS: Final[tuple[str, ...]] = (
    "opening",
    *(mood for mood, _ in MOODS),
    "resolved",
    "escalated",
    "abandoned",
)


def mood_for(intensity: float) -> str:
    """The mood state for an intensity between 0 and 1."""
    return next(mood for mood, floor in MOODS if intensity >= floor)


@dataclass(frozen=True, slots=True)
class Persona:
    """Who the customer is, what happened to them, what they want and what they will accept."""

    name: str
    situation: str
    history: str
    wants: str
    will_accept: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A scenario's own signal in a reply (``boundary``), found by any of its patterns."""

    id: str
    patterns: tuple[re.Pattern[str], ...]

    def found_in(self, text: str) -> bool:
        """True when any pattern matches *text*."""
        return self.quote(text) is not None

    def quote(self, text: str) -> str | None:
        """The sentence of *text* where the first matching pattern matched, or None."""
        for pattern in self.patterns:
            found = pattern.search(text)
            if found is not None:
                start = max(text.rfind(end, 0, found.start()) for end in ".!?") + 1
                stops = [i for i in (text.find(end, found.end()) for end in ".!?") if i >= 0]
                return text[start : min(stops, default=len(text) - 1) + 1].strip()
        return None


@dataclass(frozen=True, slots=True)
class Reactions:
    """How much each signal moves the customer's intensity (0-1 scale).

    ``calms`` lowers it when a behaviour or cue is shown (half as much each time it is shown
    again), ``inflames`` raises it every time a signal is shown, and ``missing`` raises it
    for each reply while a behaviour the customer is waiting for has not been shown yet.
    ``volatility`` is the most a seeded random nudge adds or removes per reply;
    ``escalate_at`` is the intensity at which the customer escalates, and ``max_calm`` the
    most one reply can calm them (a furious customer does not turn calm in one message).
    """

    calms: Mapping[str, float]
    inflames: Mapping[str, float]
    missing: Mapping[str, float]
    volatility: float = 0.03
    escalate_at: float = 1.0
    max_calm: float = 0.3


@dataclass(frozen=True, slots=True)
class Patience:
    """How many poor replies the customer tolerates, what counts as poor, and the reply limit.

    A reply is poor when its score is below ``poor_score`` or it moves the customer up rather
    than down. The customer leaves at the poor reply after ``poor_replies``, or after
    ``max_replies`` replies without a resolution.
    """

    poor_replies: int
    poor_score: int = 40
    max_replies: int = 8


@dataclass(frozen=True, slots=True)
class Resolution:
    """When the case is resolved: calm enough, with what the customer needed shown.

    ``requires`` holds groups of signal ids: every group must have been shown at least once,
    by any of its members. A ``forbids`` signal, once shown, rules the resolution out.
    """

    max_intensity: float
    requires: tuple[tuple[str, ...], ...] = ()
    forbids: tuple[str, ...] = ()
    min_replies: int = 1

    def met(self, intensity: float, shown: set[str] | frozenset[str], replies: int) -> bool:
        """True when this state of a session satisfies every criterion."""
        return (
            intensity <= self.max_intensity
            and replies >= self.min_replies
            and all(shown.intersection(group) for group in self.requires)
            and not shown.intersection(self.forbids)
        )


@dataclass(frozen=True, slots=True)
class Scenario:
    """One role-play: the persona, the facts, the starting state, reactions, lines, resolution."""

    id: str
    title: str
    summary: str
    persona: Persona
    facts: tuple[str, ...]
    emotion: str
    intensity: float
    patience: Patience
    reactions: Reactions
    resolution: Resolution
    lines: Mapping[str, tuple[str, ...]]
    cues: tuple[Cue, ...] = ()
    tips: Mapping[str, str] | None = None
    source: str = ""

    @property
    def signals(self) -> frozenset[str]:
        """Every signal id this scenario reacts to or requires."""
        r = self.reactions
        named = {*r.calms, *r.inflames, *r.missing, *self.resolution.forbids}
        named.update(s for group in self.resolution.requires for s in group)
        return frozenset(named)


__all__ = [
    "LINE_KEYS",
    "MOODS",
    "OUTCOMES",
    "Cue",
    "Patience",
    "Persona",
    "Reactions",
    "Resolution",
    "Scenario",
    "mood_for",
]
