"""Honest small-sample statistics for KPI reports: differences of means with a bootstrap
confidence interval, effect sizes, correlations with intervals, and a plain-language verdict.

Pure functions over sequences of numbers (numpy only, no database, no scipy). Everything
random is drawn from a seeded :class:`numpy.random.Generator`, so the same data always gives
the same interval.

The rules a reader should know:

- A **95% confidence interval** (CI) is the range of differences (or correlations) that fit
  the data; when it includes 0 the data cannot tell a change from chance.
- The **effect size** is Hedges' g: the difference in units of the pooled standard deviation
  (Cohen's d with a small-sample correction). About 0.2 is small, 0.5 medium, 0.8 large.
- Below :data:`MIN_N` observations on either side there is **too little data to conclude**,
  whatever the figures say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Fewest observations per side (before and after; or pairs for a correlation) that a verdict
#: rests on. Below it the verdict is "too little data to conclude".
MIN_N = 10
#: Bootstrap resamples behind every interval.
RESAMPLES = 2000
#: Coverage of every interval.
CONFIDENCE = 0.95
#: Seed of the bootstrap: the same data gives the same interval on every run.
SEED = 20261202

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the figures allow one to say, as a code and as a sentence."""

    kind: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class Difference:
    """After minus before: the means, their difference with its CI, and the effect size."""

    n_before: int
    n_after: int
    mean_before: float | None
    mean_after: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    #: Hedges' g (after minus before, pooled SD); None when it is undefined.
    effect_size: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "n_before": self.n_before,
            "n_after": self.n_after,
            "mean_before": self.mean_before,
            "mean_after": self.mean_after,
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "effect_size": self.effect_size,
        }


@dataclass(frozen=True, slots=True)
class Correlation:
    """A correlation coefficient with its CI and the number of pairs behind it."""

    method: str
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "n": self.n,
            "r": self.r,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


def _array(values: Sequence[float] | Floats) -> Floats:
    return np.asarray(values, dtype=np.float64)


def _z(confidence: float) -> float:
    """The two-sided normal quantile for *confidence* (1.959964... for 0.95)."""
    # Inverse of the normal CDF by bisection on erf: exact enough, and no scipy at runtime.
    target = 0.5 + confidence / 2
    low, high = 0.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def cohens_d(before: Sequence[float] | Floats, after: Sequence[float] | Floats) -> float | None:
    """Cohen's d of after minus before with the pooled SD; None below 2 per side or zero spread."""
    a, b = _array(before), _array(after)
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return None
    pooled = ((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2)
    if pooled <= 0:
        return None
    return float((b.mean() - a.mean()) / math.sqrt(pooled))


def hedges_g(before: Sequence[float] | Floats, after: Sequence[float] | Floats) -> float | None:
    """Hedges' g: Cohen's d times the small-sample correction 1 - 3 / (4 (n1 + n2) - 9)."""
    d = cohens_d(before, after)
    if d is None:
        return None
    n = len(before) + len(after)
    return d * (1 - 3 / (4 * n - 9))


def _resampled_means(values: Floats, resamples: int, rng: np.random.Generator) -> Floats:
    """Means of *resamples* bootstrap resamples of *values*, in chunks to bound memory."""
    n = len(values)
    chunk = max(1, min(resamples, 2_000_000 // max(n, 1)))
    out = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        idx = rng.integers(0, n, size=(size, n))
        out[start : start + size] = values[idx].mean(axis=1)
    return out


def mean_difference(
    before: Sequence[float],
    after: Sequence[float],
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> Difference:
    """After minus before with a percentile-bootstrap CI (each side resampled on its own)."""
    # Sorted first: the interval depends on the values, never on the order a database returned.
    a, b = np.sort(_array(before)), np.sort(_array(after))
    mean_a = float(a.mean()) if len(a) else None
    mean_b = float(b.mean()) if len(b) else None
    if mean_a is None or mean_b is None:
        return Difference(len(a), len(b), mean_a, mean_b, None, None, None, None)
    rng = np.random.default_rng(seed)
    diffs = _resampled_means(b, resamples, rng) - _resampled_means(a, resamples, rng)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return Difference(
        n_before=len(a),
        n_after=len(b),
        mean_before=mean_a,
        mean_after=mean_b,
        difference=mean_b - mean_a,
        ci_low=float(low),
        ci_high=float(high),
        effect_size=hedges_g(a, b),
    )


def _pearson_r(x: Floats, y: Floats) -> float | None:
    dx, dy = x - x.mean(), y - y.mean()
    denom = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    if denom == 0:
        return None
    return max(-1.0, min(1.0, float((dx * dy).sum()) / denom))


def pearson(
    x: Sequence[float], y: Sequence[float], *, confidence: float = CONFIDENCE
) -> Correlation:
    """Pearson's r with a Fisher z interval (needs 4 pairs and some spread in both)."""
    a, b = _array(x), _array(y)
    if len(a) != len(b):
        raise ValueError(f"pearson: {len(a)} x values but {len(b)} y values")
    n = len(a)
    r = _pearson_r(a, b) if n >= 2 else None
    if r is None or n < 4:
        return Correlation("pearson", n, r, None, None)
    if abs(r) == 1.0:
        return Correlation("pearson", n, r, r, r)
    z, half = math.atanh(r), _z(confidence) / math.sqrt(n - 3)
    return Correlation("pearson", n, r, math.tanh(z - half), math.tanh(z + half))


def ranks(values: Sequence[float] | Floats) -> Floats:
    """Ranks from 1, ties sharing their average rank (as scipy's ``rankdata``)."""
    a = _array(values)
    if len(a) == 0:
        return np.empty(0, dtype=np.float64)
    # Vectorised (a Python loop here made the bootstrap of a 16,000-pair Spearman take 30 s):
    # each run of equal sorted values shares the mean of its first and last rank.
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    first = np.concatenate(([True], sorted_a[1:] != sorted_a[:-1]))
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(a)) - 1
    out = np.empty(len(a), dtype=np.float64)
    out[order] = ((starts + ends) / 2 + 1)[np.cumsum(first) - 1]
    return out


def _resampled_ranks(groups: NDArray[np.intp]) -> Floats:
    """Average ranks of values given as group numbers (equal values, one group, in order)."""
    counts = np.bincount(groups)
    below = np.cumsum(counts) - counts
    return np.asarray((below + (counts + 1) / 2)[groups], dtype=np.float64)


def spearman(
    x: Sequence[float],
    y: Sequence[float],
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> Correlation:
    """Spearman's rho with a percentile-bootstrap interval over resampled pairs."""
    a, b = _array(x), _array(y)
    if len(a) != len(b):
        raise ValueError(f"spearman: {len(a)} x values but {len(b)} y values")
    n = len(a)
    rho = _pearson_r(ranks(a), ranks(b)) if n >= 2 else None
    if rho is None or n < 4:
        return Correlation("spearman", n, rho, None, None)
    order = np.lexsort((b, a))  # pairs sorted, so the interval does not depend on row order
    a, b = a[order], b[order]
    rng = np.random.default_rng(seed)
    # Each value's group of equal values, once: a resample's ranks then come from counts
    # (no sort per resample), the same numbers ranks() gives.
    groups_a = np.unique(a, return_inverse=True)[1].ravel()
    groups_b = np.unique(b, return_inverse=True)[1].ravel()
    draws = []
    for _ in range(resamples):
        idx = rng.integers(0, n, size=n)
        value = _pearson_r(_resampled_ranks(groups_a[idx]), _resampled_ranks(groups_b[idx]))
        if value is not None:
            draws.append(value)
    if not draws:
        return Correlation("spearman", n, rho, None, None)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(np.asarray(draws), [tail, 100 - tail])
    return Correlation("spearman", n, rho, float(low), float(high))


def _too_little(n_before: int, n_after: int, min_n: int, unit: str) -> Verdict:
    return Verdict(
        "too_little_data",
        f"too little data to conclude: {n_before} {unit} before and {n_after} after; "
        f"a verdict needs at least {min_n} on each side",
    )


def difference_verdict(
    diff: Difference,
    *,
    higher_is_better: bool = True,
    min_n: int = MIN_N,
    unit: str = "conversations",
) -> Verdict:
    """Too little data, no clear change (the CI includes 0), improved or worsened."""
    if diff.n_before < min_n or diff.n_after < min_n or diff.ci_low is None:
        return _too_little(diff.n_before, diff.n_after, min_n, unit)
    assert diff.ci_high is not None
    if diff.ci_low <= 0 <= diff.ci_high:
        return Verdict(
            "no_clear_change",
            "no clear change: the confidence interval includes zero, so the difference "
            "may be chance",
        )
    went_up = diff.ci_low > 0
    if went_up == higher_is_better:
        return Verdict("improved", "improved: the whole confidence interval is on the better side")
    return Verdict("worsened", "worsened: the whole confidence interval is on the worse side")


def association_verdict(diff: Difference, *, min_n: int = MIN_N) -> Verdict:
    """For "with vs without" comparisons (``before`` = without, ``after`` = with)."""
    if diff.n_before < min_n or diff.n_after < min_n or diff.ci_low is None:
        return Verdict(
            "too_little_data",
            f"too little data to conclude: {diff.n_after} conversations with it and "
            f"{diff.n_before} without; a verdict needs at least {min_n} of each",
        )
    assert diff.ci_high is not None
    if diff.ci_low <= 0 <= diff.ci_high:
        return Verdict("no_clear_difference", "no clear difference: the interval includes zero")
    if diff.ci_low > 0:
        return Verdict("higher", "goes with higher CSAT: the whole interval is above zero")
    return Verdict("lower", "goes with lower CSAT: the whole interval is below zero")


def correlation_verdict(corr: Correlation, *, min_n: int = MIN_N) -> Verdict:
    """Too little data, no clear link (the CI includes 0), or a positive or negative link."""
    if corr.n < min_n or corr.ci_low is None or corr.ci_high is None:
        return Verdict(
            "too_little_data",
            f"too little data to conclude: {corr.n} pairs; a verdict needs at least {min_n}",
        )
    if corr.ci_low <= 0 <= corr.ci_high:
        return Verdict("no_clear_link", "no clear link: the confidence interval includes zero")
    if corr.ci_low > 0:
        return Verdict("positive", "higher goes with higher: the whole interval is above zero")
    return Verdict("negative", "higher goes with lower: the whole interval is below zero")


__all__ = [
    "CONFIDENCE",
    "MIN_N",
    "RESAMPLES",
    "SEED",
    "Correlation",
    "Difference",
    "Verdict",
    "association_verdict",
    "cohens_d",
    "correlation_verdict",
    "difference_verdict",
    "hedges_g",
    "mean_difference",
    "pearson",
    "ranks",
    "spearman",
]
