"""The peers on the public research sets, scored on the same rows as Warmline.

- GoEmotions: fitted on the orig train rows (their mapped 9-label sets; a row with no mapped
  label is a negative for every label), scored on the orig dev + test rows.
- EPITOME: 5-fold out-of-fold predictions over all rows (shuffled folds, fixed seed); each
  mechanism is its own 3-level model over the response, with the seeker post as context.
- ESConv: 5-fold out-of-fold predictions over all supporter turns, whole conversations per
  fold (fixed seed); the turn text alone. (The previous seeker turn as a context block would
  double the MiniLM peer's embedding time, about two minutes, for classes that are mostly
  visible in the turn itself: a question, a suggestion, an affirmation.)

`obvious_approach` is ENGINE-NOTES.md's "the obvious approach fails" on benchmarks/data/test.jsonl:
TF-IDF models fitted on the public sets, read as customer-service models (see its docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cs_cases import CsResult
from cs_peers import CsRows, score_pairs
from peers import (
    Inputs,
    MultiLabelModel,
    Peer,
    classes_of,
    fit_single,
    group_kfold,
    kfold,
    label_sets,
    out_of_fold_single,
    tfidf_peer,
)
from public import epitome_scores, esconv_scores, goemotions_gold, goemotions_scores
from warmline.engine.labels import EMOTIONS, MECHANISMS


def goemotions_peer(
    peer: Peer, train: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> tuple[dict[str, float], MultiLabelModel]:
    """Figures of *peer* fitted on *train* and scored on *rows*, and the fitted model."""
    model = MultiLabelModel(peer, EMOTIONS).fit(
        Inputs([r["text"] for r in train]), [goemotions_gold(r) for r in train]
    )
    predicted = label_sets(model.proba(Inputs([r["text"] for r in rows])), EMOTIONS, True)
    return goemotions_scores(rows, predicted), model


def _epitome_inputs(rows: list[dict[str, Any]]) -> Inputs:
    return Inputs([r["response_post"] for r in rows], [r["seeker_post"] for r in rows])


def epitome_peer(peer: Peer, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Out-of-fold figures per mechanism."""
    inputs, folds = _epitome_inputs(rows), kfold(len(rows))
    levels = {
        m: [int(x) for x in out_of_fold_single(peer, inputs, [str(r[m]) for r in rows], folds)]
        for m in MECHANISMS
    }
    return epitome_scores(rows, levels)


def _esconv_inputs(turns: list[dict[str, str]]) -> Inputs:
    return Inputs([t["text"] for t in turns])


def esconv_peer(peer: Peer, turns: list[dict[str, str]]) -> dict[str, float]:
    """Out-of-fold 6-class figures, folds grouped by conversation."""
    gold = [t["gold"] for t in turns]
    folds = group_kfold([t["conv"] for t in turns])
    return esconv_scores(gold, out_of_fold_single(peer, _esconv_inputs(turns), gold, folds))


# How a public-set prediction reads as a Warmline behaviour (the inverse of the README's
# ESConv mapping; EPITOME level >= 1 read as the behaviour closest to the mechanism).
ESCONV_AS_BEHAVIOUR = {
    "question": "clarifying_question",
    "paraphrase": "paraphrase",
    "reflection": "reflect_feeling",
    "affirmation": "reassurance",
    "suggestion": "solution",
}
EPITOME_AS_BEHAVIOUR = {
    "emotional_reactions": "acknowledge_emotion",
    "interpretations": "paraphrase",
    "explorations": "clarifying_question",
}


def obvious_approach(
    test: CsRows,
    emotions: MultiLabelModel,
    epitome: list[dict[str, Any]],
    esconv: list[dict[str, str]],
) -> CsResult:
    """TF-IDF models fitted on the public sets, scored on a cs_cases-format file.

    Emotions: the GoEmotions TF-IDF peer (9 labels). Behaviours: the ESConv class of the turn
    (mapped as ESCONV_AS_BEHAVIOUR) plus each EPITOME mechanism predicted at level >= 1
    (EPITOME_AS_BEHAVIOUR); anti-patterns are never predicted, as these sets have none.
    Pair score: the reply's expected EPITOME level summed over the three mechanisms.
    """
    res = CsResult("obvious approach")
    res.emotion_gold = test.emotion_gold
    res.emotion_pred = label_sets(emotions.proba(test.emotions), EMOTIONS, True)
    peer = tfidf_peer()
    esconv_gold = [t["gold"] for t in esconv]
    esconv_model = fit_single(peer, _esconv_inputs(esconv), esconv_gold)
    classes = classes_of(esconv_gold)
    res.behaviour_gold = test.behaviour_gold
    res.behaviour_pred = [
        {ESCONV_AS_BEHAVIOUR[c]}
        if (c := classes[int(row.argmax())]) in ESCONV_AS_BEHAVIOUR
        else set()
        for row in esconv_model(Inputs(test.turn_texts))
    ]
    better = np.zeros(len(test.better))
    worse = np.zeros(len(test.worse))
    for mech in MECHANISMS:
        gold = [str(r[mech]) for r in epitome]
        model = fit_single(peer, _epitome_inputs(epitome), gold)
        weights = np.array([int(c) for c in classes_of(gold)], dtype=float)
        for i, row in enumerate(model(test.turns)):
            if weights[int(row.argmax())] >= 1:
                res.behaviour_pred[i].add(EPITOME_AS_BEHAVIOUR[mech])
        better += model(Inputs(test.better, test.pair_contexts)) @ weights
        worse += model(Inputs(test.worse, test.pair_contexts)) @ weights
    score_pairs(res, better, worse)
    return res
