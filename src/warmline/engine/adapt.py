"""Learned heads that revise what the detectors found: calibration and a team's own rubric.

Two uses of the same :class:`~warmline.engine.learned.LinearHead` machinery:

* **Calibration** (shipped, ``models/behaviours.json.gz``): every behaviour and anti-pattern
  annotation the rules found gets as its ``score`` the probability that a reviewer agrees it is
  there, estimated from what the rules found (a learned detector's additions already carry
  their model's probability). Presence is still decided by the detectors,
  and the turn score is computed from the detectors' own evidence strength before this step.
* **Team models** (``warmline train`` → a folder; ``warmline analyze --model DIR``): heads fitted
  to a team's reviewed conversations *decide*. The emotion head re-reads customer turns starting
  from the shipped model's logits; the behaviour head keeps, drops or adds behaviours on agent
  turns starting from what the rules found. Each label is reported when its probability reaches
  the head's threshold; a behaviour the rules found is dropped only when the team head puts it
below ``KEEP_AT``.

Threshold policy, in one place: an annotation's ``score`` is a probability; a learned head
reports a label at ``p >= threshold``; rule-found behaviours are reported as found and carry
the calibrated probability as their score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from warmline.engine.detectors.emotion import emotion_inputs, evidence_annotation
from warmline.engine.errors import ConfigError
from warmline.engine.features import LEARNED_DETECTORS, behaviour_inputs
from warmline.engine.labels import (
    ANTI_PATTERNS,
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_EMOTION,
)
from warmline.engine.learned import LinearHead, load_head, read_head
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document

EMOTION_FILE = "emotion.json.gz"
BEHAVIOUR_FILE = "behaviours.json.gz"
_BEHAVIOUR_KINDS = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
#: A team behaviour head overrules the rules only when it is fairly sure: a label the rules
#: found is dropped below this probability, and one they missed is added at the head's own
#: threshold (0.75 for heads `warmline train` writes). Small teams' data thus changes little.
KEEP_AT = 0.25


def decide_emotions(head: LinearHead, probs: dict[str, float]) -> list[str]:
    """Emotions over their threshold, else the likeliest relative to its threshold; [] = neutral."""
    chosen = [lab for lab in head.labels if lab != "neutral" and probs[lab] >= head.threshold(lab)]
    if not chosen:
        best = max(head.labels, key=lambda lab: probs[lab] - head.threshold(lab))
        chosen = [] if best == "neutral" else [best]
    return chosen


def decide_behaviours(head: LinearHead, probs: dict[str, float], ruled: set[str]) -> set[str]:
    """The rules' labels the head does not reject, plus the ones it adds with confidence."""
    kept = {lab for lab in ruled if lab not in probs or probs[lab] >= KEEP_AT}
    added = {lab for lab in head.labels if lab not in ruled and probs[lab] >= head.threshold(lab)}
    return kept | added


@dataclass(frozen=True)
class Calibrator:
    """Rewrites rule-found behaviour scores as calibrated probabilities."""

    head: LinearHead

    @classmethod
    def shipped(cls) -> Calibrator:
        return cls(load_head("behaviours"))

    def calibrated(self, doc: Document, index: int) -> list[Annotation]:
        """Turn *index*'s annotations with behaviour scores replaced by probabilities."""
        found = doc.annotations[index]
        if not any(a.kind in _BEHAVIOUR_KINDS for a in found):
            return found
        probs = self.head.probabilities(*behaviour_inputs(doc, index))
        return [
            replace(a, score=round(probs[a.label], 3))
            if a.kind in _BEHAVIOUR_KINDS
            and a.label in probs
            and not a.detector.startswith(LEARNED_DETECTORS)
            else a
            for a in found
        ]


@dataclass(frozen=True)
class TeamModels:
    """A team's own heads, loaded from the folder `warmline train` wrote."""

    emotion: LinearHead | None
    behaviours: LinearHead | None
    source: str

    @classmethod
    def load(cls, folder: Path) -> TeamModels:
        """Load the heads in *folder*; at least one must be there."""
        if not folder.is_dir():
            raise ConfigError(f"{folder}: no such model folder (make one with `warmline train`)")
        emotion = read_head(folder / EMOTION_FILE) if (folder / EMOTION_FILE).exists() else None
        behaviours = (
            read_head(folder / BEHAVIOUR_FILE) if (folder / BEHAVIOUR_FILE).exists() else None
        )
        if emotion is None and behaviours is None:
            raise ConfigError(
                f"{folder}: holds neither {EMOTION_FILE} nor {BEHAVIOUR_FILE}; "
                "make one with `warmline train`"
            )
        return cls(emotion, behaviours, str(folder))

    def apply(self, doc: Document, index: int) -> None:
        """Revise turn *index* of *doc* in place, after the detectors and before scoring."""
        speaker = doc.conversation.turns[index].speaker
        if speaker is Speaker.CUSTOMER and self.emotion is not None:
            self._emotions(doc, index, self.emotion)
        elif speaker is not Speaker.CUSTOMER and self.behaviours is not None:
            self._behaviours(doc, index, self.behaviours)

    def _emotions(self, doc: Document, index: int, head: LinearHead) -> None:
        keys, dense = emotion_inputs(doc, index)
        probs = head.probabilities(keys, dense)
        chosen = decide_emotions(head, probs)
        old = {a.label: a for a in doc.on(index, KIND_EMOTION)}
        kept = [a for a in doc.annotations[index] if a.kind != KIND_EMOTION]
        new: list[Annotation] = []
        text = doc.texts[index]
        for label in chosen or ["neutral"]:
            p = probs.get(label, 0.5)
            if label in old:
                new.append(replace(old[label], score=round(p, 3), detector=f"team:{head.name}"))
                continue
            words = head.evidence(keys, label) if label != "neutral" else []
            new.append(
                evidence_annotation(
                    text,
                    index,
                    KIND_EMOTION,
                    label,
                    words,
                    p,
                    f"team:{head.name}",
                    f"team model ({self.source})",
                    1,
                )
            )
        doc.annotations[index] = kept + new

    def _behaviours(self, doc: Document, index: int, head: LinearHead) -> None:
        keys, dense = behaviour_inputs(doc, index)
        probs = head.probabilities(keys, dense)
        found = doc.annotations[index]
        ruled = {a.label for a in found if a.kind in _BEHAVIOUR_KINDS}
        decided = decide_behaviours(head, probs, ruled)
        kept = [
            replace(a, score=round(probs[a.label], 3))
            if a.kind in _BEHAVIOUR_KINDS and a.label in probs
            else a
            for a in found
            if a.kind not in _BEHAVIOUR_KINDS or a.label in decided
        ]
        for label in sorted(decided - ruled, key=head.labels.index):
            kind = KIND_ANTI_PATTERN if label in ANTI_PATTERNS else KIND_BEHAVIOUR
            kept.append(
                evidence_annotation(
                    doc.texts[index],
                    index,
                    kind,
                    label,
                    head.evidence(keys, label),
                    probs[label],
                    f"team:{head.name}",
                    f"team model ({self.source})",
                )
            )
        doc.annotations[index] = kept
