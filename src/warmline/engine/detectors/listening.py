"""Listening behaviours the rules missed, added by a learned head (``models/listening``).

The rules find most behaviours from their wording; replies that reflect a feeling or ask
a question in words no pattern lists slip through. ``behaviour.listening`` reads the same
inputs as the mechanism head (the reply's n-grams, what the rules found, listening cues, the
customer's turn) and adds a behaviour the rules did not find when its probability reaches
that label's threshold. It never removes what the rules found. The head holds only the
labels where adding improved the out-of-fold F1 on the project's listening set without
lowering it on the customer-service turns (see its model card).
"""

from __future__ import annotations

from collections.abc import Iterable

from warmline.engine.detectors.emotion import evidence_annotation
from warmline.engine.detectors.mechanisms import mechanism_inputs
from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR, KIND_EMOTION
from warmline.engine.learned import LinearHead, load_head
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document

#: The behaviours the head may add (those labelled in training/listening.jsonl it can learn).
CANDIDATES = (
    "acknowledge_emotion",
    "reflect_feeling",
    "validate",
    "paraphrase",
    "clarifying_question",
    "reassurance",
    "solution",
)


class ListeningBehaviourDetector:
    """Adds listening behaviours the rules missed when the learned head is confident."""

    name = "behaviour.listening"
    version = 1
    kinds = (KIND_BEHAVIOUR,)
    labels = CANDIDATES
    # It emits behaviours as well as reading them, so it runs after the rule detectors that
    # emit them (see registry.order_detectors).
    requires = (KIND_EMOTION, KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def __init__(self, head: LinearHead | None = None) -> None:
        self.head = head if head is not None else load_head("listening")

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per behaviour the head adds to turn *index*."""
        found = {a.label for a in doc.on(index) if a.kind in (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)}
        keys, dense = mechanism_inputs(doc, index)
        probs = self.head.probabilities(keys, dense)
        qualified = f"{self.name}@v{self.version}"
        return [
            evidence_annotation(
                doc.texts[index],
                index,
                KIND_BEHAVIOUR,
                label,
                self.head.evidence(keys, label),
                probs[label],
                qualified,
                "learned listening model",
            )
            for label in self.head.labels
            if label not in found and probs[label] >= self.head.threshold(label)
        ]
