"""Behaviours and anti-patterns the rules missed, read sentence by sentence by a learned head.

The rules (``behaviour.patterns``, ``behaviour.context``) find a behaviour from wording they
list; agents who say the same thing in other words slip through. ``behaviour.sentences`` reads
each sentence of an agent turn: its word n-grams, which rule findings fall inside it and which
elsewhere in the turn, its place in the turn, whether it asks something or exclaims or holds an
emoji, and the customer's emotions just before. One logistic regression per label (``models/sentences``) gives the
probability that a reviewer would mark the label *on that sentence*; it was trained on the
reviewers' evidence spans, so a label is learned from the words that carry it rather than from
the whole turn. A label the rules did not find is added on the likeliest sentence when that
probability reaches the label's threshold, unless the turn already carries a label it excludes
(``labels.EXCLUSIVE``: a graceful no and a bare refusal, say) or it is a bot's label on an agent
turn. It never removes what the rules found; its model card lists the labels it may add and the
out-of-fold figures that chose their thresholds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from warmline.engine.features import behaviours_found
from warmline.engine.labels import (
    ALL_BEHAVIOURS,
    ANTI_PATTERNS,
    BOT_ONLY,
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_EMOTION,
    excluded_by,
)
from warmline.engine.learned import LinearHead, load_head, ngram_keys
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document
from warmline.engine.text import Span

SentenceInput = tuple[Span, list[str], dict[str, float]]
#: Shorter sentences ("Okay.", "Noted.") are not read: with one or two words, whichever word
#: is there carries the whole sentence, and the head's guesses on them were mostly wrong (held
#: out, leaving them to the rules raised micro-F1 from 0.720 to 0.727).
MIN_WORDS = 3
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def sentence_inputs(doc: Document, index: int) -> list[SentenceInput]:
    """(span, n-gram keys, named features) of each sentence of agent turn *index* that has at
    least ``MIN_WORDS`` words."""
    text = doc.texts[index]
    found = behaviours_found(doc, index)
    context: dict[str, float] = {}
    prev = doc.previous(index, Speaker.CUSTOMER)
    if prev is not None:
        context = {f"customer:{a.label}": 1.0 for a in doc.on(prev, KIND_EMOTION)}
    if doc.conversation.turns[index].speaker is Speaker.BOT:
        context["bot"] = 1.0
    spans = text.sentences
    last = len(spans) - 1
    out: list[SentenceInput] = []
    for position, (start, end) in enumerate(spans):
        tokens = text.tokens_in(start, end)
        if len(tokens) < MIN_WORDS:
            continue
        dense = dict(context)
        for a in found:
            inside = a.start < end and start < a.end
            dense[f"rule:{a.label}" if inside else f"turn:{a.label}"] = 1.0
        dense["first"] = float(position == 0)
        dense["last"] = float(position == last)
        raw = text.text[start:end]
        dense["question"] = float("?" in raw)
        # tone lives in what the word tokens drop: exclamation marks and emoji
        dense["exclaim"] = float("!" in raw)
        dense["emoji"] = float(_EMOJI.search(raw) is not None)
        dense["log_words"] = math.log1p(len(tokens))
        out.append(((start, end), ngram_keys(tokens), dense))
    return out


def sentence_labels(spans: Iterable[Span], evidence: dict[str, Span]) -> list[frozenset[str]]:
    """For each sentence span, the labels whose evidence span overlaps it (training targets)."""
    return [
        frozenset(label for label, (s, e) in evidence.items() if s < end and start < e)
        for start, end in spans
    ]


class SentenceBehaviourDetector:
    """Adds behaviours and anti-patterns the rules missed, on the sentence that shows them."""

    name = "behaviour.sentences"
    version = 1
    kinds = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    labels = ALL_BEHAVIOURS
    # It reads the rules' findings and the customer's emotions, so it runs after both.
    requires = (KIND_EMOTION, KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    # Both rule detectors read and add behaviours too; it reads what they both found.
    runs_after = ("behaviour.patterns", "behaviour.context")
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def __init__(self, head: LinearHead | None = None) -> None:
        self.head = head if head is not None else load_head("sentences")

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one annotation per label the head adds to turn *index*."""
        found = {a.label for a in doc.on(index) if a.kind in self.kinds}
        barred = found | excluded_by(found)
        if doc.conversation.turns[index].speaker is not Speaker.BOT:
            barred |= BOT_ONLY
        wanted = [label for label in self.head.labels if label not in barred]
        if not wanted:
            return []
        inputs = sentence_inputs(doc, index)
        if not inputs:
            return []
        best: dict[str, tuple[float, Span]] = {}
        for span, keys, dense in inputs:
            probs = self.head.probabilities(keys, dense)
            for label in wanted:
                if label not in best or probs[label] > best[label][0]:
                    best[label] = (probs[label], span)
        qualified = f"{self.name}@v{self.version}"
        out: list[Annotation] = []
        added: set[str] = set()
        # likeliest first, so that of two labels that exclude each other the likelier is kept
        for label in sorted(wanted, key=lambda lab: -best[lab][0]):
            p, (start, end) = best[label]
            if p < self.head.threshold(label) or label in excluded_by(added):
                continue
            added.add(label)
            kind = KIND_ANTI_PATTERN if label in ANTI_PATTERNS else KIND_BEHAVIOUR
            why = f"learned sentence model (p={p:.2f})"
            out.append(Annotation(index, kind, label, start, end, round(p, 3), qualified, why))
        return sorted(out, key=lambda a: self.head.labels.index(a.label))
