"""Customer emotions from a cue lexicon, with intensity from cue strength and amplifiers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from warmline.engine.labels import EMOTIONS, KIND_EMOTION
from warmline.engine.lexicon import Hit, Lexicon, load_lexicon
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document
from warmline.engine.text import TurnText

#: An emotion is reported when its score reaches this; see ``_score``.
THRESHOLD = 0.5
_EXCLAIM = re.compile(r"!{2,}|\?!|!\?")
_INTENSIFIER = re.compile(
    r"\b(so|really|very|extremely|absolutely|completely|totally|utterly|incredibly|beyond|literally)\b"
)
_SHOUT_LABELS = ("frustration", "anger")


@dataclass
class _Tally:
    weight: float = 0.0
    hits: list[Hit] = field(default_factory=list)


def _score(weight: float) -> float:
    """Map summed cue weight to (0, 1): one strong cue ≈ 0.78, one weak hint ≈ 0.39."""
    return 1.0 - math.exp(-weight / 2.0)


def _intensity(weight: float, amplified: bool) -> int:
    level = 3 if weight >= 5 else 2 if weight >= 2.5 else 1
    return min(3, level + (1 if amplified else 0))


def tally_emotions(text: TurnText, lexicon: Lexicon) -> dict[str, _Tally]:
    """Sum cue weights per emotion, adding capitals and exclamation as frustration/anger cues."""
    tallies: dict[str, _Tally] = {}
    for hit in lexicon.find(text.lower):
        tally = tallies.setdefault(hit.label, _Tally())
        # Two cues on the same characters say one thing; keep the stronger.
        if any(h.start < hit.end and hit.start < h.end for h in tally.hits):
            continue
        tally.weight += hit.weight
        tally.hits.append(hit)
    shouted = text.shouted_words
    if shouted >= 2 or (shouted == 1 and text.word_count <= 6):
        for label in _SHOUT_LABELS:
            if label in tallies or label == "frustration":
                tallies.setdefault(label, _Tally()).weight += 1.0 if shouted < 3 else 2.0
    return tallies


class EmotionLexiconDetector:
    """Finds the emotions of a customer turn with the cues in ``emotion_cues.yaml``."""

    name = "emotion.lexicon"
    version = 1
    kinds = (KIND_EMOTION,)
    labels = EMOTIONS
    requires: tuple[str, ...] = ()
    speakers = frozenset({Speaker.CUSTOMER})

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon("emotion_cues.yaml")
        self.qualified = f"{self.name}@v{self.version}"

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per emotion present, or a single ``neutral``."""
        text = doc.texts[index]
        tallies = tally_emotions(text, self.lexicon)
        amplified = bool(_EXCLAIM.search(text.text)) or text.shouted_words >= 2
        intensified = bool(_INTENSIFIER.search(text.lower))
        found: list[Annotation] = []
        best = 0.0
        for label, tally in tallies.items():
            score = _score(tally.weight)
            best = max(best, score)
            if score < THRESHOLD:
                continue
            found.append(self._annotation(index, label, tally, score, amplified or intensified, text))
        if not found:
            whole = (0, len(text.text))
            found.append(
                Annotation(index, KIND_EMOTION, "neutral", *whole, round(1.0 - best / 2, 3),
                           self.qualified, "no emotion cue", 1)
            )
        return found

    def _annotation(
        self, index: int, label: str, tally: _Tally, score: float, amplified: bool, text: TurnText
    ) -> Annotation:
        if tally.hits:
            strongest = max(tally.hits, key=lambda h: (h.weight, h.end - h.start))
            start, end = text.clause_at(strongest.start)
            why = "; ".join(dict.fromkeys(h.why for h in tally.hits))
        else:
            start, end, why = 0, len(text.text), "capitals"
        intensity = _intensity(tally.weight, amplified and label not in ("gratitude", "joy"))
        if label in ("gratitude", "joy"):
            intensity = _intensity(tally.weight + (1.0 if amplified else 0.0), False)
        return Annotation(index, KIND_EMOTION, label, start, end, round(score, 3), self.qualified,
                          why, intensity)
