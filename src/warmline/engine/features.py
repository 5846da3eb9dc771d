"""Inputs of the learned heads that read an agent turn after the rules have run on it."""

from __future__ import annotations

import math

from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR, KIND_EMOTION
from warmline.engine.learned import ngram_keys
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document

_BEHAVIOUR_KINDS = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
#: Detectors whose behaviours are learned additions, not "what the rules found".
LEARNED_DETECTORS = ("behaviour.listening@", "behaviour.sentences@")


def behaviours_found(
    doc: Document, index: int, leaving_out: tuple[str, ...] = LEARNED_DETECTORS
) -> list[Annotation]:
    """The behaviours and anti-patterns on turn *index*, but for those of the detectors whose
    ``name@`` starts one of *leaving_out* (by default the learned ones: what the rules found)."""
    return [
        a
        for a in doc.on(index)
        if a.kind in _BEHAVIOUR_KINDS and not a.detector.startswith(leaving_out)
    ]


def behaviour_inputs(doc: Document, index: int) -> tuple[list[str], dict[str, float]]:
    """A behaviour head's input for agent turn *index*, after the detectors have run on it."""
    dense = {f"rule:{a.label}": 1.0 for a in doc.on(index) if a.kind in _BEHAVIOUR_KINDS}
    prev = doc.previous(index, Speaker.CUSTOMER)
    if prev is not None:
        for a in doc.on(prev, KIND_EMOTION):
            if a.label != "neutral":
                dense[f"customer:{a.label}"] = 1.0
    dense["log_words"] = math.log1p(doc.texts[index].word_count)
    return turn_ngrams(doc, index), dense


def turn_ngrams(doc: Document, index: int) -> list[str]:
    """The n-gram keys of turn *index*, computed once per document (several heads read them).

    The list is shared: callers read it and never change it.
    """
    return doc.cached("ngram_keys", index, lambda: ngram_keys(doc.texts[index].tokens))
