"""Fitting :class:`~warmline.engine.learned.LinearHead` models with scikit-learn.

The engine only reads heads; this module writes them, for `make models` (the shipped heads)
and for `warmline train` (a team's own). Fitting is deterministic: liblinear with a fixed
seed, weights rounded, files written with sorted keys, so the same data gives the same bytes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmline.engine.learned import LinearHead

SEED = 0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled input: its n-gram keys, named features, gold labels and weight."""

    keys: Sequence[str]
    dense: dict[str, float]
    labels: frozenset[str]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class FitOptions:
    """How to fit a head. ``dense_scale`` multiplies named features while fitting (a weaker
    prior on them relative to the n-grams) and is folded back into the stored weights."""

    c: float = 1.0
    min_df: int = 2
    balanced: bool = True
    dense_scale: float = 1.0
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float = 0.5
    prune: float = 0.0
    digits: int = 4


def idf_table(examples: Sequence[Example], min_df: int) -> dict[str, float]:
    """Smoothed inverse document frequency of every n-gram seen in at least *min_df* inputs."""
    df: Counter[str] = Counter()
    for ex in examples:
        df.update(set(ex.keys))
    n = len(examples)
    return {k: math.log((1 + n) / (1 + c)) + 1.0 for k, c in df.items() if c >= min_df}


def _matrix(examples: Sequence[Example], idf: dict[str, float], columns: dict[str, int],
            dense_names: Sequence[str], dense_scale: float) -> Any:
    import numpy as np
    from scipy.sparse import csr_matrix

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    offset = len(columns)
    for r, ex in enumerate(examples):
        present = [k for k in dict.fromkeys(ex.keys) if k in idf]
        norm = math.sqrt(sum(idf[k] ** 2 for k in present)) or 1.0
        for k in present:
            rows.append(r)
            cols.append(columns[k])
            vals.append(idf[k] / norm)
        for j, name in enumerate(dense_names):
            x = ex.dense.get(name, 0.0)
            if x:
                rows.append(r)
                cols.append(offset + j)
                vals.append(x * dense_scale)
    shape = (len(examples), offset + len(dense_names))
    matrix = csr_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=shape)
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


def fit_head(
    name: str,
    examples: Sequence[Example],
    labels: Sequence[str],
    options: FitOptions | None = None,
    card: dict[str, Any] | None = None,
) -> LinearHead:
    """Fit one logistic regression per label; a label with no positive example never fires."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    opt = options or FitOptions()
    if not examples:
        raise ValueError("no training examples")
    idf = idf_table(examples, opt.min_df)
    vocab = sorted(idf)
    columns = {k: i for i, k in enumerate(vocab)}
    dense_names = sorted({k for ex in examples for k in ex.dense})
    x = _matrix(examples, idf, columns, dense_names, opt.dense_scale)
    weights = np.array([ex.weight for ex in examples], dtype=float)
    coef = np.zeros((len(labels), x.shape[1]))
    intercepts: list[float] = []
    for i, label in enumerate(labels):
        y = np.array([label in ex.labels for ex in examples])
        if y.all() or not y.any():  # nothing to learn: a constant that never (or always) fires
            intercepts.append(-30.0 if not y.any() else 30.0)
            continue
        model = LogisticRegression(
            C=opt.c,
            solver="liblinear",
            class_weight="balanced" if opt.balanced else None,
            random_state=SEED,
            max_iter=1000,
        )
        model.fit(x, y, sample_weight=weights)
        coef[i] = model.coef_[0]
        intercepts.append(float(model.intercept_[0]))
    d = opt.digits
    ngrams: dict[str, tuple[float, tuple[float, ...]]] = {}
    for k, col in columns.items():
        w = coef[:, col]
        if opt.prune and float(np.max(np.abs(w))) * idf[k] < opt.prune:
            continue
        ngrams[k] = (round(idf[k], d), tuple(round(float(v), d) for v in w))
    dense = {
        n: tuple(round(float(v) * opt.dense_scale, d) for v in coef[:, len(columns) + j])
        for j, n in enumerate(dense_names)
    }
    thresholds = tuple(opt.thresholds.get(label, opt.default_threshold) for label in labels)
    return LinearHead(
        name,
        tuple(labels),
        tuple(round(v, d) for v in intercepts),
        thresholds,
        ngrams,
        dense,
        dict(card or {}),
    )


def decide(probs: dict[str, float], head: LinearHead, fallback: str | None = None) -> set[str]:
    """Labels over their threshold; with *fallback*, the most likely label when none is."""
    found = {label for label, p in probs.items() if p >= head.threshold(label)}
    if not found and fallback is not None:
        found = {max(probs, key=lambda lab: probs[lab] - head.threshold(lab))}
    return found


def examples_from(rows: Iterable[tuple[Sequence[str], dict[str, float], Iterable[str]]],
                  weight: float = 1.0) -> list[Example]:
    """Examples from (keys, dense, labels) triples, all with the same weight."""
    return [Example(keys, dense, frozenset(labels), weight) for keys, dense, labels in rows]
