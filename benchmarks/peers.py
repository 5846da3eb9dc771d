"""Reference peers for `make bench`: what a team gets by training the ordinary way.

Two peers, each fitted on a dataset's own training rows:

- TF-IDF + LR: word 1-2 grams, sublinear tf, min_df 2, then logistic regression.
- MiniLM + LR: all-MiniLM-L6-v2 sentence embeddings (benchmarks/minilm.py, numpy) then
  logistic regression.

A row is a text to classify and, for replies, the customer or seeker text it answers
(`Inputs.contexts`); the context gets its own feature block (a second TF-IDF vocabulary, or a
second 384-dimensional embedding) rather than being mixed into the reply's words.

Multi-label tasks (emotion sets, behaviour sets) are one-vs-rest: one binary LR per label;
a label never positive in the training rows is never predicted. Single-label tasks (EPITOME
levels, ESConv classes) are multinomial LR. All LRs are scikit-learn's defaults (lbfgs, which is
deterministic; C = 1) with max_iter 2000 and class_weight="balanced". These settings were
chosen once on training rows only (GoEmotions orig train rows split 8,000/2,000, and cs_cases
dev -> holdout), never on an evaluation set and never on benchmarks/data/test.jsonl:
"balanced" raised every figure there for the TF-IDF peer (e.g. cs behaviour micro-F1 0.23 ->
0.40) and the cs figures for the MiniLM peer; C = 4 (TF-IDF) or C = 10 (MiniLM) was no better.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

SEED = 0
MAX_ITER = 2000


@dataclass(frozen=True)
class Inputs:
    """What a peer sees of each row: the text, and optionally the text it answers."""

    texts: list[str]
    contexts: list[str] | None = None

    def take(self, rows: Sequence[int]) -> Inputs:
        """The inputs of *rows*, in that order."""
        ctx = [self.contexts[i] for i in rows] if self.contexts is not None else None
        return Inputs([self.texts[i] for i in rows], ctx)

    def blocks(self) -> list[list[str]]:
        return [self.texts] if self.contexts is None else [self.texts, self.contexts]


class Features(Protocol):
    """Turns inputs into a feature matrix; fitted on training rows only."""

    def fit_transform(self, inputs: Inputs) -> Any: ...

    def transform(self, inputs: Inputs) -> Any: ...


class TfidfFeatures:
    """One TF-IDF vocabulary per block (text, context), stacked side by side."""

    def __init__(self) -> None:
        self.vectorizers: list[TfidfVectorizer] = []

    def fit_transform(self, inputs: Inputs) -> Any:
        self.vectorizers = [
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
            for _ in inputs.blocks()
        ]
        mats = [v.fit_transform(b) for v, b in zip(self.vectorizers, inputs.blocks(), strict=True)]
        return sparse.hstack(mats, format="csr")

    def transform(self, inputs: Inputs) -> Any:
        mats = [v.transform(b) for v, b in zip(self.vectorizers, inputs.blocks(), strict=True)]
        return sparse.hstack(mats, format="csr")


class Embedder:
    """A sentence encoder with an in-process memo: a text is embedded once per run."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray]) -> None:
        self.encode = encode
        self.memo: dict[str, np.ndarray] = {}
        self.texts_encoded = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if missing:
            for text, vec in zip(missing, self.encode(missing), strict=True):
                self.memo[text] = vec
            self.texts_encoded += len(missing)
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 384))


class EmbeddingFeatures:
    """Sentence embeddings of each block, concatenated."""

    def __init__(self, embed: Embedder) -> None:
        self.embed = embed

    def fit_transform(self, inputs: Inputs) -> np.ndarray:
        return self.transform(inputs)

    def transform(self, inputs: Inputs) -> np.ndarray:
        return np.hstack([self.embed(b) for b in inputs.blocks()])


@dataclass(frozen=True)
class Peer:
    """A peer: how to build features, and the LR settings that go with them."""

    key: str
    name: str
    features: Callable[[], Features]
    c: float


def tfidf_peer() -> Peer:
    return Peer("tfidf", "TF-IDF + LR peer", TfidfFeatures, 1.0)


def minilm_peer(embed: Embedder) -> Peer:
    return Peer("minilm", "MiniLM + LR peer", lambda: EmbeddingFeatures(embed), 1.0)


def _lr(c: float) -> LogisticRegression:
    return LogisticRegression(
        C=c, class_weight="balanced", max_iter=MAX_ITER, random_state=SEED, solver="lbfgs"
    )


@dataclass
class MultiLabelModel:
    """One-vs-rest LR heads over a fixed label list (None: label never seen positive)."""

    peer: Peer
    labels: tuple[str, ...]
    features: Features | None = None
    heads: list[LogisticRegression | None] | None = None

    def fit(self, inputs: Inputs, gold: Sequence[set[str]]) -> MultiLabelModel:
        self.features = self.peer.features()
        x = self.features.fit_transform(inputs)
        self.heads = []
        for label in self.labels:
            y = np.array([label in g for g in gold], dtype=int)
            self.heads.append(_lr(self.peer.c).fit(x, y) if 0 < y.sum() < len(y) else None)
        return self

    def proba(self, inputs: Inputs) -> np.ndarray:
        """(rows, labels) probabilities."""
        assert self.features is not None, "fit first"
        return self.proba_of_features(self.features.transform(inputs))

    def proba_of_features(self, x: Any) -> np.ndarray:
        """(rows, labels) probabilities of an already built feature matrix."""
        assert self.heads is not None, "fit first"
        out = np.zeros((x.shape[0], len(self.labels)))
        for j, head in enumerate(self.heads):
            if head is not None:
                out[:, j] = head.predict_proba(x)[:, 1]
        return out


def label_sets(
    proba: np.ndarray, labels: Sequence[str], fallback: bool, threshold: float = 0.5
) -> list[set[str]]:
    """Labels with p >= threshold per row; with *fallback*, the argmax when none passes."""
    sets = []
    for row in proba:
        chosen = {labels[j] for j in np.flatnonzero(row >= threshold)}
        if not chosen and fallback and len(labels):
            chosen = {labels[int(row.argmax())]}
        sets.append(chosen)
    return sets


def fit_single(peer: Peer, inputs: Inputs, gold: Sequence[str]) -> Callable[[Inputs], np.ndarray]:
    """Multinomial LR; returns a function giving (rows, classes) probabilities.

    Columns follow the sorted class names seen in *gold* (`classes_of(gold)`).
    """
    features = peer.features()
    model = _lr(peer.c).fit(features.fit_transform(inputs), list(gold))
    return lambda new: np.asarray(model.predict_proba(features.transform(new)))


def classes_of(gold: Sequence[str]) -> list[str]:
    return sorted(set(gold))


def out_of_fold_single(
    peer: Peer, inputs: Inputs, gold: Sequence[str], folds: Sequence[int]
) -> list[str]:
    """Predicted class of every row by a model fitted on the other folds."""
    pred = [""] * len(gold)
    for fold in sorted(set(folds)):
        train = [i for i, f in enumerate(folds) if f != fold]
        held = [i for i, f in enumerate(folds) if f == fold]
        gold_train = [gold[i] for i in train]
        proba = fit_single(peer, inputs.take(train), gold_train)(inputs.take(held))
        classes = classes_of(gold_train)
        for i, row in zip(held, proba, strict=True):
            pred[i] = classes[int(row.argmax())]
    return pred


def kfold(n: int, k: int = 5) -> list[int]:
    """Shuffled (fixed seed) fold number of each of *n* rows."""
    order = np.random.default_rng(SEED).permutation(n)
    folds = [0] * n
    for rank, i in enumerate(order):
        folds[int(i)] = rank % k
    return folds


def group_kfold(groups: Sequence[str], k: int = 5) -> list[int]:
    """Fold number of each row, whole groups per fold (groups shuffled with a fixed seed)."""
    names = sorted(set(groups))
    order = np.random.default_rng(SEED).permutation(len(names))
    fold_of = {names[int(i)]: rank % k for rank, i in enumerate(order)}
    return [fold_of[g] for g in groups]
