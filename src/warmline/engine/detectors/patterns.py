"""Agent behaviours and anti-patterns that show in the phrasing itself, from a cue lexicon."""

from __future__ import annotations

import math
from collections.abc import Iterable

from warmline.engine.labels import (
    ALL_BEHAVIOURS,
    BOT_ONLY,
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    is_anti_pattern,
)
from warmline.engine.lexicon import Hit, Lexicon, load_lexicon
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document
from warmline.engine.text import TurnText

#: Summed cue weight within one sentence needed to report a label there.
MIN_WEIGHT = 2.0
#: Labels whose evidence is best shown as the clause rather than the whole sentence.
_CLAUSE_LABELS = frozenset(
    {
        "acknowledge_emotion",
        "validate",
        "reassurance",
        "gratitude",
        "goodwill_gesture",
        "condescension",
        "reflect_feeling",
        "ownership",
        "dismissive",
    }
)


def confidence(weight: float) -> float:
    """Map summed cue weight to a probability-like score: 2 → 0.71, 3 → 0.85."""
    return round(1.0 - math.exp(-weight / 1.6), 3)


def group_hits(hits: Iterable[Hit], text: TurnText) -> dict[tuple[str, tuple[int, int]], list[Hit]]:
    """Group hits by (label, sentence span)."""
    groups: dict[tuple[str, tuple[int, int]], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.label, text.sentence_at(hit.start)), []).append(hit)
    return groups


class PatternBehaviourDetector:
    """Finds behaviours and anti-patterns with the cues in ``behaviour_patterns.yaml``."""

    name = "behaviour.patterns"
    version = 1
    kinds = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    labels = ALL_BEHAVIOURS
    requires: tuple[str, ...] = ()
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon("behaviour_patterns.yaml")
        self.qualified = f"{self.name}@v{self.version}"

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per label and sentence where the cues add up."""
        text = doc.texts[index]
        speaker = doc.conversation.turns[index].speaker
        found: list[Annotation] = []
        for (label, sentence), hits in group_hits(self.lexicon.find(text.lower), text).items():
            if label in BOT_ONLY and speaker is not Speaker.BOT:
                continue
            weight = sum(h.weight for h in hits)
            if weight < MIN_WEIGHT:
                continue
            found.append(self._annotation(index, label, sentence, hits, weight, text))
        return found

    def _annotation(
        self,
        index: int,
        label: str,
        sentence: tuple[int, int],
        hits: list[Hit],
        weight: float,
        text: TurnText,
    ) -> Annotation:
        strongest = max(hits, key=lambda h: h.weight)
        start, end = sentence
        if label in _CLAUSE_LABELS:
            start, end = text.clause_at(strongest.start)
            start, end = min(start, strongest.start), max(end, strongest.end)
        kind = KIND_ANTI_PATTERN if is_anti_pattern(label) else KIND_BEHAVIOUR
        why = "; ".join(dict.fromkeys(h.why for h in hits))
        return Annotation(index, kind, label, start, end, confidence(weight), self.qualified, why)
