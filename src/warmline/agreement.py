"""Krippendorff's alpha: how far coders agree beyond chance, with any number of coders and gaps.

Pure functions over reliability data (numpy only, no database). The data is one row per coder
and one column per unit; ``None`` (or NaN) marks a value a coder did not give. Alpha is computed
through the coincidence matrix (Krippendorff, *Computing Krippendorff's Alpha-Reliability*,
2011): every pair of values two coders gave to the same unit counts ``1 / (m_u - 1)``, where
``m_u`` is the number of values in that unit; units with fewer than two values are left out.

    alpha = 1 - D_o / D_e

``D_o`` is the observed disagreement within units, ``D_e`` the disagreement expected when the
same values are paired by chance. Metrics: ``nominal`` (categories: same or different),
``ordinal`` (ranks: distance by how many values lie between) and ``interval`` (squared
difference).

Alpha is undefined, and :class:`AgreementUndefined` is raised, when no unit holds two values or
when every value is the same (nothing varies, so agreement cannot be told from chance). One
unit with differing values gives a number (at most 0), which says little; the callers report
the number of units beside every figure.

Krippendorff's guidance (Content Analysis, 2004, p. 241): rely on data with alpha >= .800,
draw only tentative conclusions from .667 <= alpha < .800, and discard data below .667.
:func:`reading` puts a figure into those words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from warmline.engine.errors import WarmlineError

Metric = Literal["nominal", "ordinal", "interval"]
METRICS: tuple[Metric, ...] = ("nominal", "ordinal", "interval")
#: Alpha from which data may be relied on, and from which tentative conclusions may be drawn.
RELIABLE = 0.8
TENTATIVE = 0.667
#: Bootstrap resamples of units behind an interval, its coverage and its seed.
RESAMPLES = 1000
CONFIDENCE = 0.95
SEED = 20261202

Floats = NDArray[np.float64]
Value = float | int | None


class AgreementUndefined(WarmlineError, ValueError):
    """Alpha cannot be computed for this data; the message says why."""


@dataclass(frozen=True, slots=True)
class Alpha:
    """An alpha with what it rests on: pairable units and values, and a bootstrap interval."""

    value: float
    metric: str
    units: int
    values: int
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "alpha": self.value,
            "metric": self.metric,
            "units": self.units,
            "values": self.values,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "reading": reading(self.value),
        }


@dataclass(frozen=True, slots=True)
class _Tables:
    """Per-unit coincidence matrices of the pairable units, and the sorted distinct values."""

    values: Floats
    units: Floats  # shape (units, v, v)


def _clean(data: Sequence[Sequence[Value]]) -> list[list[float]]:
    """The pairable units: each unit's non-missing values, units with two or more only."""
    if not data:
        raise AgreementUndefined("no coders: give one row of values per coder")
    width = len(data[0])
    for row, values in enumerate(data):
        if len(values) != width:
            raise ValueError(
                f"coder {row + 1} gave {len(values)} values but coder 1 gave {width}; "
                "every coder needs one value (or None) per unit"
            )
    units: list[list[float]] = []
    for unit in range(width):
        given = [row[unit] for row in data]
        present = [float(v) for v in given if v is not None and not math.isnan(v)]
        if len(present) >= 2:
            units.append(present)
    return units


def _tables(units: list[list[float]]) -> _Tables:
    values = np.unique(np.asarray([v for unit in units for v in unit], dtype=np.float64))
    index = {float(v): i for i, v in enumerate(values)}
    tables = np.zeros((len(units), len(values), len(values)), dtype=np.float64)
    for u, unit in enumerate(units):
        counts = np.zeros(len(values), dtype=np.float64)
        for v in unit:
            counts[index[v]] += 1
        tables[u] = (np.outer(counts, counts) - np.diag(counts)) / (len(unit) - 1)
    return _Tables(values, tables)


def _delta(metric: str, values: Floats, marginals: Floats) -> Floats:
    """The squared distance between every two values under *metric*."""
    if metric == "nominal":
        return 1.0 - np.eye(len(values))
    if metric == "interval":
        diff = values[:, None] - values[None, :]
        return np.asarray(diff * diff, dtype=np.float64)
    if metric == "ordinal":
        # Distance between ranks c < k: the values from c to k, less half of each end.
        cum = np.concatenate(([0.0], np.cumsum(marginals)))
        i = np.arange(len(values))
        lo, hi = np.minimum.outer(i, i), np.maximum.outer(i, i)
        between = cum[hi + 1] - cum[lo] - (marginals[lo] + marginals[hi]) / 2
        return np.asarray(between * between, dtype=np.float64)
    raise ValueError(f"metric {metric!r}: use one of {', '.join(METRICS)}")


def _from_coincidences(o: Floats, values: Floats, metric: str) -> float | None:
    """Alpha of a coincidence matrix, or None when nothing varies."""
    marginals = o.sum(axis=1)
    n = float(marginals.sum())
    delta = _delta(metric, values, marginals)
    expected = float((np.outer(marginals, marginals) * delta).sum())
    if n <= 1 or expected <= 0:
        return None
    observed = float((o * delta).sum())
    return 1.0 - (n - 1) * observed / expected


def alpha(data: Sequence[Sequence[Value]], metric: Metric = "nominal") -> float:
    """Krippendorff's alpha of *data* (one row per coder, one column per unit, None = missing)."""
    return krippendorff(data, metric=metric, resamples=0).value


def krippendorff(
    data: Sequence[Sequence[Value]],
    *,
    metric: Metric = "nominal",
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> Alpha:
    """Alpha with the units and values behind it and, when *resamples* > 0, a bootstrap CI.

    The interval resamples units with replacement (percentile method, seeded, so the same
    data always gives the same interval); resamples in which nothing varies are skipped.
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: use one of {', '.join(METRICS)}")
    units = _clean(data)
    if not units:
        raise AgreementUndefined(
            "no unit has values from two coders, so there is nothing to compare"
        )
    tables = _tables(units)
    value = _from_coincidences(tables.units.sum(axis=0), tables.values, metric)
    if value is None:
        raise AgreementUndefined(
            "every value is the same, so agreement cannot be told apart from chance"
        )
    n_values = sum(len(u) for u in units)
    low = high = None
    if resamples > 0 and len(units) > 1:
        low, high = _bootstrap(tables, metric, resamples, confidence, seed)
    return Alpha(value, metric, len(units), n_values, low, high)


def _bootstrap(
    tables: _Tables, metric: str, resamples: int, confidence: float, seed: int
) -> tuple[float | None, float | None]:
    rng = np.random.default_rng(seed)
    m = len(tables.units)
    flat = tables.units.reshape(m, -1)
    draws: list[float] = []
    chunk = max(1, min(resamples, 200_000 // m))
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        picks = rng.integers(0, m, size=(size, m))
        counts = np.stack([np.bincount(row, minlength=m) for row in picks]).astype(np.float64)
        summed = (counts @ flat).reshape(size, *tables.units.shape[1:])
        for o in summed:
            value = _from_coincidences(o, tables.values, metric)
            if value is not None:
                draws.append(value)
    if not draws:
        return None, None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(np.asarray(draws), [tail, 100 - tail])
    return float(low), float(high)


def reading(value: float | None) -> str:
    """Krippendorff's guidance in plain words: reliable, tentative or not reliable."""
    if value is None:
        return "undefined"
    if value >= RELIABLE:
        return "reliable"
    if value >= TENTATIVE:
        return "tentative"
    return "not reliable"


__all__ = [
    "CONFIDENCE",
    "METRICS",
    "RELIABLE",
    "RESAMPLES",
    "SEED",
    "TENTATIVE",
    "Alpha",
    "AgreementUndefined",
    "Metric",
    "alpha",
    "krippendorff",
    "reading",
]
