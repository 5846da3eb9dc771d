"""The peers on cs_cases-format files, scored exactly as cs_cases.py scores Warmline.

Rows mirror cs_cases.evaluate: customer emotions come from conversation customer turns and
`emotion` records (macro-F1 over the 9 labels); behaviours from agent and bot turns, gold =
behaviours + anti-patterns (micro-F1); a pair is right when the better reply scores strictly
higher (a tie counts wrong). Each agent turn or reply is seen with the last customer turn
before it as its context block.

Pair score for a peer: the reply's summed probabilities of the 17 positive behaviours minus
the summed probabilities of the 9 anti-patterns, from the peer's own behaviour model. No
separate model is fitted on the pairs.

The peers train on the shared cs_cases dev.jsonl plus benchmarks/data/holdout.jsonl and are
scored on benchmarks/data/test.jsonl; nothing is tuned on test.jsonl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cs_cases import CsResult, records
from peers import Inputs, MultiLabelModel, Peer, label_sets
from warmline.engine.labels import ALL_BEHAVIOURS, ANTI_PATTERNS, BEHAVIOURS, EMOTIONS


@dataclass
class CsRows:
    """A cs_cases-format file read as peer rows."""

    emotion_texts: list[str] = field(default_factory=list)
    emotion_gold: list[set[str]] = field(default_factory=list)
    turn_texts: list[str] = field(default_factory=list)
    turn_contexts: list[str] = field(default_factory=list)
    behaviour_gold: list[set[str]] = field(default_factory=list)
    better: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    pair_contexts: list[str] = field(default_factory=list)

    @property
    def emotions(self) -> Inputs:
        return Inputs(self.emotion_texts)

    @property
    def turns(self) -> Inputs:
        return Inputs(self.turn_texts, self.turn_contexts)

    def extend(self, other: CsRows) -> CsRows:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))
        return self


def _add_conversation(rec: dict[str, Any], rows: CsRows) -> None:
    customer = ""
    for turn in rec["turns"]:
        if turn["speaker"] == "customer":
            customer = turn["text"]
            rows.emotion_texts.append(turn["text"])
            rows.emotion_gold.append({e["label"] for e in turn["emotions"]})
        else:
            rows.turn_texts.append(turn["text"])
            rows.turn_contexts.append(customer)
            rows.behaviour_gold.append(set(turn["behaviours"]) | set(turn["anti_patterns"]))


def read_rows(path: Path) -> CsRows:
    """Peer rows of one cs_cases-format file."""
    rows = CsRows()
    for rec in records(path):
        if rec["kind"] == "conversation":
            _add_conversation(rec, rows)
        elif rec["kind"] == "emotion":
            rows.emotion_texts.append(rec["text"])
            rows.emotion_gold.append({e["label"] for e in rec["emotions"]})
        elif rec["kind"] == "pair":
            worse = "b" if rec["better"] == "a" else "a"
            rows.better.append(rec[f"reply_{rec['better']}"])
            rows.worse.append(rec[f"reply_{worse}"])
            customer = [t["text"] for t in rec["context"] if t["speaker"] == "customer"]
            rows.pair_contexts.append(customer[-1] if customer else "")
    return rows


def reply_quality(proba: np.ndarray) -> np.ndarray:
    """Summed probability of positive behaviours minus that of anti-patterns, per row."""
    pos = [ALL_BEHAVIOURS.index(b) for b in BEHAVIOURS]
    neg = [ALL_BEHAVIOURS.index(a) for a in ANTI_PATTERNS]
    return np.asarray(proba[:, pos].sum(axis=1) - proba[:, neg].sum(axis=1))


def score_pairs(res: CsResult, better: np.ndarray, worse: np.ndarray) -> None:
    """Pair accuracy counts, as cs_cases._pair counts them."""
    res.pairs = len(better)
    res.pair_correct = int((better > worse).sum())
    res.pair_ties = int((better == worse).sum())


def evaluate_peer(peer: Peer, train: CsRows, test: CsRows, name: str) -> CsResult:
    """Fit the peer's emotion and behaviour models on *train*, score them on *test*."""
    res = CsResult(name)
    emotion = MultiLabelModel(peer, EMOTIONS).fit(train.emotions, train.emotion_gold)
    res.emotion_gold = test.emotion_gold
    res.emotion_pred = label_sets(emotion.proba(test.emotions), EMOTIONS, fallback=True)
    behaviour = MultiLabelModel(peer, ALL_BEHAVIOURS).fit(train.turns, train.behaviour_gold)
    res.behaviour_gold = test.behaviour_gold
    res.behaviour_pred = label_sets(behaviour.proba(test.turns), ALL_BEHAVIOURS, fallback=False)
    better = reply_quality(behaviour.proba(Inputs(test.better, test.pair_contexts)))
    worse = reply_quality(behaviour.proba(Inputs(test.worse, test.pair_contexts)))
    score_pairs(res, better, worse)
    return res
