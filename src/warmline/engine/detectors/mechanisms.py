"""The three research-standard empathy mechanisms of an agent turn, each rated 0, 1 or 2.

Emotional reactions (warmth, concern), interpretations (understanding of the feelings or
experiences behind the message) and explorations (questions that invite the customer to
say more), each 0 = none, 1 = weak, 2 = strong, as in Sharma et al. (EMNLP 2020).

Two detectors rate them. ``mechanism.rules`` derives the levels from the behaviours found;
``mechanism.model`` (the default) is a learned head (``models/mechanisms``) over the turn's
word n-grams, the behaviours found (by the rules and the sentence model) and a few listening
cues, one multinomial logistic regression per mechanism, fitted on the project's own listening
sets (see the model card).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from warmline.engine.detectors.emotion import evidence_annotation
from warmline.engine.features import behaviours_found, turn_ngrams
from warmline.engine.labels import (
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_EMOTION,
    KIND_MECHANISM,
    MECHANISMS,
)
from warmline.engine.learned import LinearHead, load_head
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
LEVELS = ("0", "1", "2")

#: Listening cues the n-grams see only in pieces; each adds log(1 + matches) as a feature.
#: Each pattern comes with literals one of which every match contains: most replies hold none
#: of them, and a substring test is far cheaper than a regex scan.
_CUES: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    "sounds": (
        ("sounds ", "must ", "imagine", "i can hear", "i can tell", "seems like"),
        re.compile(
            r"\b(?:it )?sounds (?:like|really|so|as)|must (?:be|have been|feel)"
            r"|i can (?:only )?imagine|can't imagine|i can hear|i can tell|seems like"
        ),
    ),
    "understand": (
        ("understand", "get it", "see why", "know how"),
        re.compile(r"\bi (?:completely |totally |really )?(?:understand|get it|see why|know how)"),
    ),
    "feeling_word": (
        (
            "feel",
            "felt",
            "hard",
            "tough",
            "awful",
            "scary",
            "frustrat",
            "upset",
            "stress",
            "overwhelm",
            "lonely",
            "exhaust",
            "heartbreak",
            "hurt",
            "painful",
            "worr",
            "anxious",
            "sad",
        ),
        re.compile(
            r"\b(?:feel|feeling|felt|hard|tough|awful|scary|frustrat\w*|upset\w*|stress\w*"
            r"|overwhelm\w*|lonely|exhaust\w*|heartbreak\w*|hurt\w*|painful|worr\w*|anxious|sad)\b"
        ),
    ),
    "been_there": (
        ("i've ", "i have ", "when i was", "same thing happened", "me too", "i went through"),
        re.compile(
            r"\bi(?:'ve| have) (?:been|had|gone|felt)|when i was|same thing happened|me too"
            r"|i went through"
        ),
    ),
    "sorry": (("sorry", "apologi"), re.compile(r"\b(?:sorry|apologi[sz]e)")),
    "wh_question": (("?",), re.compile(r"\b(?:how|what|why|when|which|who)\b[^.!?]*\?")),
    "yes_no_question": (
        ("?",),
        re.compile(
            r"\b(?:do|did|are|is|have|has|was|were|can|could|would) (?:you|it|they|that|there)\b"
            r"[^.!?]*\?"
        ),
    ),
    "identifier_request": (
        ("number", " no", " id"),
        re.compile(r"\b(?:order|account|reference|booking|policy|ticket|card) (?:number|no|id)\b"),
    ),
}
_YOU = frozenset({"you", "your", "you're", "yourself", "you've", "you'd", "you'll"})


def rule_levels(found: Sequence[Annotation]) -> dict[str, tuple[int, Annotation]]:
    """Level and strongest supporting annotation per mechanism, from the behaviours *found*."""
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
    return best


#: ``behaviour.listening`` reads these inputs itself: its additions must not feed back into them.
#: The sentence model's additions are read (the mechanism head was trained on them).
_READS_THESE_INPUTS = ("behaviour.listening@",)


def mechanism_inputs(doc: Document, index: int) -> tuple[list[str], dict[str, float]]:
    """The mechanism head's input for agent turn *index*, after the behaviour detectors ran on it.

    Computed once per turn for the heads that read it (``behaviour.listening`` and
    ``mechanism.model``); shared, so callers never change it.
    """
    found = behaviours_found(doc, index, _READS_THESE_INPUTS)
    # the number of findings is in the key: a detector adding some later gets fresh inputs
    key = f"mechanism_inputs:{len(found)}"
    return doc.cached(key, index, lambda: _compute_inputs(doc, index, found))


def _compute_inputs(
    doc: Document, index: int, found: list[Annotation]
) -> tuple[list[str], dict[str, float]]:
    text = doc.texts[index]
    dense = {f"rule:{a.label}": 1.0 for a in found}
    for mech, (level, _) in rule_levels(found).items():
        dense[f"mech:{mech}={level}"] = 1.0
    lower = text.lower
    for name, (literals, pattern) in _CUES.items():
        if any(lit in lower for lit in literals):
            hits = len(pattern.findall(lower))
            if hits:
                dense[f"cue:{name}"] = math.log1p(hits)
    questions = lower.count("?")
    if questions:
        dense["questions"] = math.log1p(questions)
    if text.tokens:
        dense["you_share"] = sum(1 for w in text.tokens if w in _YOU) / len(text.tokens)
    prev = doc.previous(index, Speaker.CUSTOMER)
    if prev is not None:
        theirs = doc.texts[prev].content_words
        if theirs:
            dense["overlap"] = len(theirs & text.content_words) / len(theirs)
        for a in doc.on(prev, KIND_EMOTION):
            if a.label != "neutral":
                dense[f"customer:{a.label}"] = 1.0
    dense["log_words"] = math.log1p(text.word_count)
    return turn_ngrams(doc, index), dense


def head_levels(
    head: LinearHead, keys: list[str], dense: dict[str, float]
) -> dict[str, tuple[int, float]]:
    """(level, probability) per mechanism the head rates: the level with the highest logit."""
    z = dict(zip(head.labels, head.logits(keys, dense), strict=True))
    out: dict[str, tuple[int, float]] = {}
    for mech in MECHANISMS:
        if f"{mech}={LEVELS[0]}" not in z:
            continue
        logits = [z.get(f"{mech}={v}", -30.0) for v in LEVELS]
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        level = logits.index(top)
        out[mech] = (level, exp[level] / sum(exp))
    return out


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
        qualified = f"{self.name}@v{self.version}"
        return [
            _on(ann, mech, level, ann.score, qualified, f"from {ann.label}")
            for mech, (level, ann) in rule_levels(doc.on(index)).items()
        ]


class MechanismModelDetector:
    """Rates the mechanisms with the learned head ``models/mechanisms``, the rest by the rules.

    The head holds the mechanisms where it beat the rules on every held-out split of its
    training set (its model card lists them); each gets the level whose logit is highest, but
    never less than a behaviour found on the turn shows (a reflection of feeling is a level-2
    interpretation whatever the words around it). The other mechanisms keep the level
    :func:`rule_levels` gives. A level of 1 or 2 is reported
    on the span of the behaviour that supports it when the rules found one, else on the clause
    of the n-gram that pushed that level up most.
    """

    name = "mechanism.model"
    version = 1
    kinds = (KIND_MECHANISM,)
    labels = MECHANISMS
    requires = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def __init__(self, head: LinearHead | None = None) -> None:
        self.head = head if head is not None else load_head("mechanisms")

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per mechanism rated 1 or 2."""
        ruled = rule_levels(behaviours_found(doc, index, _READS_THESE_INPUTS))
        keys, dense = mechanism_inputs(doc, index)
        learned = head_levels(self.head, keys, dense)
        qualified = f"{self.name}@v{self.version}"
        out = []
        for mech in MECHANISMS:
            if mech not in learned:
                if mech in ruled:
                    level, ann = ruled[mech]
                    out.append(_on(ann, mech, level, ann.score, qualified, f"from {ann.label}"))
                continue
            level, p = learned[mech]
            if mech in ruled and ruled[mech][0] > level:  # a found behaviour's level is a floor
                level = ruled[mech][0]
            if level == 0:
                continue
            if mech in ruled:
                ann = ruled[mech][1]
                why = f"model (p={p:.2f}), from {ann.label}"
                out.append(_on(ann, mech, level, round(p, 3), qualified, why))
                continue
            words = self.head.evidence(keys, f"{mech}={level}")
            text = doc.texts[index]
            out.append(
                evidence_annotation(
                    text, index, KIND_MECHANISM, mech, words, p, qualified, "model", level
                )
            )
        return out


def _on(
    ann: Annotation, mech: str, level: int, score: float, detector: str, why: str
) -> Annotation:
    """A mechanism annotation on the span of the behaviour *ann* that supports it."""
    return Annotation(
        ann.turn, KIND_MECHANISM, mech, ann.start, ann.end, score, detector, why, level
    )
