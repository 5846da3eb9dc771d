"""Customer emotions from a cue lexicon, with intensity from cue strength and amplifiers.

``emotion.lexicon.v1`` thresholds the cue weights directly. ``emotion.lexicon.v2`` (the
default) feeds the same tallies, of this turn and of the customer's previous turn, to a small
learned head (one logistic regression per emotion, ``data/emotion_head.yaml``, rebuilt by
``make models``) that knows which emotions travel together and what a terse follow-up inherits.
``emotion.model.v1`` (the default) adds the turn's words: a learned model over word n-grams and
the same tallies, trained on far more text (``data/models/emotion.json.gz``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from warmline.engine.datafiles import package_data, read_yaml
from warmline.engine.errors import ConfigError
from warmline.engine.labels import EMOTIONS, KIND_EMOTION, NEGATIVE_EMOTIONS
from warmline.engine.learned import NUMBER, LinearHead, ngram_keys
from warmline.engine.learned import load_head as load_linear_head
from warmline.engine.lexicon import Hit, Lexicon, load_lexicon
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document
from warmline.engine.text import TurnText

#: An emotion is reported when its score reaches this; see ``_score``.
THRESHOLD = 0.5
INTENSITY_CLEAR = 2.5
INTENSITY_STRONG = 5.0
_EXCLAIM = re.compile(r"!{2,}|\?!|!\?")
_INTENSIFIER = re.compile(
    r"\b(so|really|very|extremely|absolutely|completely|totally|utterly|incredibly|beyond|literally)\b"
)
_SHOUT_LABELS = ("frustration", "anger")
_HAPPY_EMOJI = re.compile("[\U0001f600-\U0001f60f\U0001f929\U0001f970\U0001f973\U0001f64c\u2764]")
# Joy and thanks are never inferred from punctuation or from an earlier turn alone.
_NEEDS_OWN_CUE = frozenset({"joy", "gratitude"})
_PAST_FEELINGS = frozenset({"confusion", "anxiety", "frustration"})


@dataclass
class _Tally:
    weight: float = 0.0
    hits: list[Hit] = field(default_factory=list)


def _score(weight: float) -> float:
    """Map summed cue weight to (0, 1): one strong cue ≈ 0.78, one weak hint ≈ 0.39."""
    return 1.0 - math.exp(-weight / 2.0)


def _intensity(weight: float, amplified: bool) -> int:
    level = 3 if weight >= INTENSITY_STRONG else 2 if weight >= INTENSITY_CLEAR else 1
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
        boost = (
            {"frustration": 2.0, "anger": 1.5}
            if shouted < 3
            else {"frustration": 2.5, "anger": 2.5}
        )
        for label in _SHOUT_LABELS:
            tallies.setdefault(label, _Tally()).weight += boost[label]
    elif shouted == 1:
        tallies.setdefault("frustration", _Tally()).weight += 1.0
    _adjust_for_context(tallies, text)
    return tallies


def _adjust_for_context(tallies: dict[str, _Tally], text: TurnText) -> None:
    """Positive words inside a complaint are sarcasm or set-up; thanks on a question is politeness."""
    negative = sum(t.weight for label, t in tallies.items() if label not in ("joy", "gratitude"))
    joy = tallies.get("joy")
    if joy is not None and negative >= 3 and joy.weight < 4:
        del tallies["joy"]
        tallies.setdefault("disappointment", _Tally()).weight += joy.weight / 2
    thanks = tallies.get("gratitude")
    if (
        thanks is not None
        and negative < 2
        and ("!!" in text.text or _HAPPY_EMOJI.search(text.text))
    ):
        tallies.setdefault("joy", _Tally()).weight += 2.0
    if thanks is not None and thanks.weight <= 2 and "?" in text.text and negative < 2:
        del tallies["gratitude"]
    elif thanks is not None and thanks.weight >= 3:
        # Warm thanks that looks back on a worry ("I was so confused") has moved past it.
        for label in [k for k, t in tallies.items() if k in _PAST_FEELINGS and t.weight <= 3]:
            del tallies[label]


_CUE_LABELS = tuple(e for e in EMOTIONS if e != "neutral")
#: The inputs of the learned head, in order.
HEAD_FEATURES: tuple[str, ...] = (
    *_CUE_LABELS,
    *(f"previous_{e}" for e in _CUE_LABELS),
    "shouted_words",
    "exclamation_marks",
    "question_marks",
    "log_words",
    "has_previous",
)


def turn_tallies(doc: Document, index: int, lexicon: Lexicon | None = None) -> dict[str, _Tally]:
    """The emotion tallies of one turn, computed once per document."""
    lex = lexicon or load_lexicon("emotion_cues.yaml")
    return doc.cached("emotion_tallies", index, lambda: tally_emotions(doc.texts[index], lex))


def head_features(doc: Document, index: int, lexicon: Lexicon | None = None) -> list[float]:
    """The learned head's input for customer turn *index* (see :data:`HEAD_FEATURES`)."""
    text = doc.texts[index]
    own = turn_tallies(doc, index, lexicon)
    prev_index = doc.previous(index, Speaker.CUSTOMER)
    prev = turn_tallies(doc, prev_index, lexicon) if prev_index is not None else {}
    return [
        *(own[e].weight if e in own else 0.0 for e in _CUE_LABELS),
        *(prev[e].weight if e in prev else 0.0 for e in _CUE_LABELS),
        float(text.shouted_words),
        float(text.text.count("!")),
        float(text.text.count("?")),
        math.log1p(text.word_count),
        1.0 if prev_index is not None else 0.0,
    ]


@dataclass(frozen=True, slots=True)
class EmotionHead:
    """Per-emotion logistic regressions over :data:`HEAD_FEATURES`."""

    threshold: float
    weights: dict[str, tuple[float, tuple[float, ...]]]

    def probabilities(self, features: list[float]) -> dict[str, float]:
        """Probability of each emotion (neutral excluded) given the features."""
        if len(features) != len(HEAD_FEATURES):
            raise ValueError(f"expected {len(HEAD_FEATURES)} features, got {len(features)}")
        present = [(i, f) for i, f in enumerate(features) if f]  # most features are zero
        out = {}
        for label, (intercept, weights) in self.weights.items():
            z = intercept
            for i, f in present:
                z += weights[i] * f
            out[label] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out


@cache
def load_head(resource: str = "emotion_head.yaml") -> EmotionHead:
    """Load the learned head shipped in the package (cached per process)."""
    raw = read_yaml(package_data(), resource)
    try:
        if list(raw["features"]) != list(HEAD_FEATURES):
            raise ConfigError(f"{resource}: features differ from the code's; run make models")
        weights = {
            str(label): (float(v["intercept"]), tuple(float(w) for w in v["weights"]))
            for label, v in raw["labels"].items()
        }
        return EmotionHead(float(raw["threshold"]), weights)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{resource}: malformed emotion head ({exc}); run make models") from exc


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
        tallies = turn_tallies(doc, index, self.lexicon)
        amplified = bool(_EXCLAIM.search(text.text)) or text.shouted_words >= 2
        intensified = bool(_INTENSIFIER.search(text.lower))
        found: list[Annotation] = []
        best = 0.0
        for label, tally in tallies.items():
            score = _score(tally.weight)
            best = max(best, score)
            if score < THRESHOLD:
                continue
            found.append(
                self._annotation(index, label, tally, score, amplified or intensified, text)
            )
        if not found:
            found = self._carried_over(doc, index)
        if not found:
            whole = (0, len(text.text))
            found.append(
                Annotation(
                    index,
                    KIND_EMOTION,
                    "neutral",
                    *whole,
                    round(1.0 - best / 2, 3),
                    self.qualified,
                    "no emotion cue",
                    1,
                )
            )
        return found

    def _carried_over(self, doc: Document, index: int) -> list[Annotation]:
        """A terse turn with no cue of its own keeps the last turn's strong feeling, one step weaker."""
        prev = doc.previous(index, Speaker.CUSTOMER)
        if prev is None:
            return []
        whole = (0, len(doc.texts[index].text))
        return [
            Annotation(
                index,
                KIND_EMOTION,
                a.label,
                *whole,
                round(a.score * 0.8, 3),
                self.qualified,
                "carried over from the customer's previous turn",
                (a.value or 1) - 1,
            )
            for a in doc.on(prev, KIND_EMOTION)
            if a.label in NEGATIVE_EMOTIONS and (a.value or 0) >= 2 and a.score * 0.8 >= THRESHOLD
        ]

    def _annotation(
        self, index: int, label: str, tally: _Tally, score: float, amplified: bool, text: TurnText
    ) -> Annotation:
        if tally.hits:
            strongest = max(tally.hits, key=lambda h: (h.weight, h.end - h.start))
            start, end = text.clause_at(strongest.start)
            why = "; ".join(dict.fromkeys(h.why for h in tally.hits))
        else:
            start, end, why = 0, len(text.text), "capitals, punctuation or the previous turn"
        intensity = _intensity(tally.weight, amplified and label not in ("gratitude", "joy"))
        if label in ("gratitude", "joy"):
            intensity = _intensity(tally.weight + (1.0 if amplified else 0.0), False)
        return Annotation(
            index, KIND_EMOTION, label, start, end, round(score, 3), self.qualified, why, intensity
        )


class EmotionHeadDetector(EmotionLexiconDetector):
    """The lexicon's tallies read by the learned head (``data/emotion_head.yaml``)."""

    version = 2

    def __init__(self, lexicon: Lexicon | None = None, head: EmotionHead | None = None) -> None:
        super().__init__(lexicon)
        self.head = head or load_head()

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per emotion the head puts over its threshold, else ``neutral``."""
        text = doc.texts[index]
        tallies = turn_tallies(doc, index, self.lexicon)
        probs = self.head.probabilities(head_features(doc, index, self.lexicon))
        amplified = bool(_EXCLAIM.search(text.text)) or text.shouted_words >= 2
        amplified = amplified or bool(_INTENSIFIER.search(text.lower))
        found = [
            self._annotation(index, label, tallies.get(label, _Tally()), p, amplified, text)
            for label, p in sorted(probs.items(), key=lambda kv: -kv[1])
            if p >= self.head.threshold and (label in tallies or label not in _NEEDS_OWN_CUE)
        ]
        if found:
            return found
        whole = (0, len(text.text))
        score = round(1.0 - max(probs.values(), default=0.0), 3)
        return [
            Annotation(
                index,
                KIND_EMOTION,
                "neutral",
                *whole,
                score,
                self.qualified,
                "no emotion above the head's threshold",
                1,
            )
        ]


def is_amplified(text: TurnText) -> bool:
    """Repeated exclamation, capitals or intensifiers: the turn says its feeling loudly."""
    return (
        bool(_EXCLAIM.search(text.text))
        or text.shouted_words >= 2
        or bool(_INTENSIFIER.search(text.lower))
    )


def emotion_inputs(
    doc: Document, index: int, lexicon: Lexicon | None = None
) -> tuple[list[str], dict[str, float]]:
    """The learned emotion model's input for customer turn *index*: n-grams and cue tallies."""
    dense = {
        name: value
        for name, value in zip(HEAD_FEATURES, head_features(doc, index, lexicon), strict=True)
        if value
    }
    return ngram_keys(doc.texts[index].tokens), dense


class EmotionModelDetector(EmotionLexiconDetector):
    """A learned model over the turn's words and the lexicon's tallies (``models/emotion``).

    Trained on GoEmotions' training rows and the project's customer-service sets (see the
    model card inside the file); one probability per emotion, neutral included. Emotions over
    their threshold are reported; when none is, the likeliest label relative to its threshold.
    """

    name = "emotion.model"
    version = 1

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        head: LinearHead | None = None,
        intensity: LinearHead | None = None,
    ) -> None:
        super().__init__(lexicon)
        self.head = head or load_linear_head("emotion")
        self.intensity = intensity if intensity is not None else _shipped_intensity()

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per emotion the model finds, else ``neutral``."""
        text = doc.texts[index]
        keys, dense = emotion_inputs(doc, index, self.lexicon)
        probs = self.head.probabilities(keys, dense)
        chosen = [
            label
            for label in self.head.labels
            if label != "neutral" and probs[label] >= self.head.threshold(label)
        ]
        if not chosen:
            best = max(self.head.labels, key=lambda lab: probs[lab] - self.head.threshold(lab))
            chosen = [] if best == "neutral" else [best]
        if not chosen:
            return [
                Annotation(
                    index,
                    KIND_EMOTION,
                    "neutral",
                    0,
                    len(text.text),
                    round(probs.get("neutral", 0.5), 3),
                    self.qualified,
                    "no emotion the model is confident of",
                    1,
                )
            ]
        tallies = turn_tallies(doc, index, self.lexicon)
        amplified = is_amplified(text)
        found = []
        for label in sorted(chosen, key=lambda lab: -probs[lab]):
            tally = tallies.get(label)
            if tally is not None and tally.hits:
                found.append(self._annotation(index, label, tally, probs[label], amplified, text))
                continue
            strong = probs[label] >= 0.85 or (amplified and label not in _NEEDS_OWN_CUE)
            found.append(
                evidence_annotation(
                    text,
                    index,
                    KIND_EMOTION,
                    label,
                    self.head.evidence(keys, label),
                    probs[label],
                    self.qualified,
                    "learned model",
                    2 if strong else 1,
                )
            )
        return [self._learned_intensity(a, probs[a.label], dense, amplified) for a in found]

    def _learned_intensity(
        self, ann: Annotation, probability: float, dense: dict[str, float], amplified: bool
    ) -> Annotation:
        """Re-grade the intensity with the learned head (``models/intensity``), when shipped."""
        head = self.intensity
        if head is None:
            return ann
        x = intensity_inputs(ann.label, probability, dense, amplified, ann.value or 1)
        logits = head.logits((), x)
        best = head.labels[max(range(len(logits)), key=logits.__getitem__)]
        return replace(ann, value=int(best))


def intensity_inputs(
    label: str, probability: float, dense: dict[str, float], amplified: bool, rule_intensity: int
) -> dict[str, float]:
    """The intensity head's named features for one detected emotion."""
    p = min(max(probability, 1e-6), 1 - 1e-6)
    x = {
        f"label:{label}": 1.0,
        "cue_weight": dense.get(label, 0.0),
        "previous_cue_weight": dense.get(f"previous_{label}", 0.0),
        "shouted_words": dense.get("shouted_words", 0.0),
        "exclamation_marks": min(3.0, dense.get("exclamation_marks", 0.0)),
        "log_words": dense.get("log_words", 0.0),
        "log_odds": math.log(p / (1 - p)),
        "amplified": 1.0 if amplified else 0.0,
        "rule_intensity": float(rule_intensity),
        "all_cue_weight": sum(dense.get(e, 0.0) for e in _CUE_LABELS),
    }
    return {k: v for k, v in x.items() if v}


def _shipped_intensity() -> LinearHead | None:
    """The intensity head, or None while `make models` has not built it yet."""
    try:
        return load_linear_head("intensity")
    except ConfigError:
        return None


def evidence_annotation(
    text: TurnText,
    index: int,
    kind: str,
    label: str,
    words: list[str],
    probability: float,
    detector: str,
    source: str,
    value: int | None = None,
) -> Annotation:
    """A learned model's annotation: spanning the clause of its strongest n-gram, naming them."""
    start, end = locate_evidence(text, words)
    why = f"{source}: " + (", ".join(f"'{w}'" for w in words) or "the turn as a whole")
    return Annotation(index, kind, label, start, end, round(probability, 3), detector, why, value)


def locate_evidence(text: TurnText, words: list[str]) -> tuple[int, int]:
    """The clause holding the first evidence word found in the text, else the whole turn."""
    for phrase in words:
        if phrase == NUMBER:
            continue
        match = re.search(rf"\b{re.escape(phrase)}\b", text.lower)
        if match:
            return text.clause_at(match.start())
    return 0, len(text.text)
