"""Metric definitions used by the benchmarks, exactly as ../shared/data/README.md states them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def micro_f1(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> float:
    """Micro-F1 over label sets (one set per item)."""
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return prf(tp, fp, fn)[2]


def per_label_f1(
    gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Iterable[str]
) -> dict[str, float]:
    """F1 per label over multi-label sets."""
    out = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label not in p)
        out[label] = prf(tp, fp, fn)[2]
    return out


def macro_f1(gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Sequence[str]) -> float:
    """Macro-F1 over *labels* for multi-label sets (labels absent from gold and pred count 0)."""
    scores = per_label_f1(gold, pred, labels)
    return sum(scores.values()) / len(labels) if labels else 0.0


def single_macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-F1 for single-label classification."""
    return macro_f1([{g} for g in gold], [{p} for p in pred], labels)
