"""The three research-standard empathy mechanisms, derived from the behaviours found.

Emotional reactions (warmth, concern), interpretations (understanding of the feelings or
experiences behind the message) and explorations (questions that invite the customer to
say more), each 0 = none, 1 = weak, 2 = strong, as in Sharma et al. (EMNLP 2020).
"""

from __future__ import annotations

from collections.abc import Iterable

from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR, KIND_MECHANISM, MECHANISMS
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document

# Behaviour → (mechanism, level it supports on its own).
_SUPPORT: dict[str, tuple[str, int]] = {
    "acknowledge_emotion": ("emotional_reactions", 2),
    "reflect_feeling": ("interpretations", 2),
    "paraphrase": ("interpretations", 2),
    "validate": ("emotional_reactions", 1),
    "apology": ("emotional_reactions", 1),
    "reassurance": ("emotional_reactions", 1),
    "clarifying_question": ("explorations", 2),
    "personalization": ("interpretations", 1),
}
_COLD = frozenset({"hollow_apology", "robotic_script", "dismissive", "blame"})


class MechanismDetector:
    """Rates emotional reactions, interpretations and explorations from a turn's behaviours."""

    name = "mechanism.rules"
    version = 1
    kinds = (KIND_MECHANISM,)
    labels = MECHANISMS
    requires = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per mechanism present (level 1 or 2) on the strongest evidence."""
        found = doc.on(index)
        labels = {a.label for a in found}
        best: dict[str, tuple[int, Annotation]] = {}
        for ann in found:
            if ann.label not in _SUPPORT:
                continue
            mechanism, level = _SUPPORT[ann.label]
            if ann.label == "reflect_feeling":
                best_er = best.get("emotional_reactions")
                if best_er is None or best_er[0] < 1:
                    best["emotional_reactions"] = (1, ann)
            if mechanism not in best or best[mechanism][0] < level:
                best[mechanism] = (level, ann)
        if "emotional_reactions" in best and labels & _COLD and best["emotional_reactions"][0] == 1:
            del best["emotional_reactions"]
        if "acknowledge_emotion" in labels and "validate" in labels:
            ann = next(a for a in found if a.label == "acknowledge_emotion")
            best["emotional_reactions"] = (2, ann)
        qualified = f"{self.name}@v{self.version}"
        return [
            Annotation(
                index,
                KIND_MECHANISM,
                mech,
                ann.start,
                ann.end,
                ann.score,
                qualified,
                f"from {ann.label}",
                level,
            )
            for mech, (level, ann) in best.items()
        ]
