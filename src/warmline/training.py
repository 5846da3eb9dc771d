"""Fitting :class:`~warmline.engine.learned.LinearHead` models with scikit-learn.

The engine only reads heads; this module writes them, for `make models` (the shipped heads)
and for `warmline train` (a team's own). Fitting is deterministic: liblinear with a fixed
seed, weights rounded, files written with sorted keys, so the same data gives the same bytes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from warmline.engine.adapt import (
    BEHAVIOUR_FILE,
    EMOTION_FILE,
    TeamModels,
    decide_behaviours,
    decide_emotions,
)
from warmline.engine.detectors.emotion import emotion_inputs
from warmline.engine.features import behaviour_inputs
from warmline.engine.labels import (
    ALL_BEHAVIOURS,
    EMOTIONS,
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_EMOTION,
)
from warmline.engine.learned import LinearHead, load_head
from warmline.engine.pipeline import Analyzer
from warmline.engine.registry import Document
from warmline.labelled import LabelledDataError, LabelledSet, LabelledTurn, read_labelled

SEED = 0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled input: its n-gram keys, named features, gold labels and weight."""

    keys: Sequence[str]
    dense: dict[str, float]
    labels: frozenset[str]
    weight: float = 1.0
    #: log-odds per label from a shipped head this head adds to (see ``LinearHead.base``)
    offset: dict[str, float] = field(default_factory=dict)


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


def _matrix(
    examples: Sequence[Example],
    idf: dict[str, float],
    columns: dict[str, int],
    dense_names: Sequence[str],
    dense_scale: float,
) -> Any:
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


def _design(
    examples: Sequence[Example], opt: FitOptions
) -> tuple[dict[str, float], dict[str, int], list[str], Any, Any]:
    """The vocabulary, idf, named-feature order, design matrix and weights of *examples*."""
    import numpy as np

    if not examples:
        raise ValueError("no training examples")
    idf = idf_table(examples, opt.min_df)
    columns = {k: i for i, k in enumerate(sorted(idf))}
    dense_names = sorted({k for ex in examples for k in ex.dense})
    x = _matrix(examples, idf, columns, dense_names, opt.dense_scale)
    weights = np.array([ex.weight for ex in examples], dtype=float)
    return idf, columns, dense_names, x, weights


def _pack(
    name: str,
    labels: Sequence[str],
    coef: Any,
    intercepts: Sequence[float],
    idf: dict[str, float],
    columns: dict[str, int],
    dense_names: Sequence[str],
    opt: FitOptions,
    card: dict[str, Any] | None,
    base: str | None = None,
) -> LinearHead:
    """Round and prune fitted weights into a :class:`LinearHead`."""
    import numpy as np

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
        base,
    )


def fit_groups(
    name: str,
    examples: Sequence[Example],
    groups: dict[str, Sequence[str]],
    options: FitOptions | None = None,
    card: dict[str, Any] | None = None,
) -> LinearHead:
    """One multinomial logistic regression per group of mutually exclusive values.

    An example's labels hold ``"<group>=<value>"`` for each group; the head's labels are all
    of those strings, and within a group the value with the highest logit is the prediction.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    opt = options or FitOptions()
    idf, columns, dense_names, x, weights = _design(examples, opt)
    labels = [f"{group}={value}" for group, values in groups.items() for value in values]
    coef = np.zeros((len(labels), x.shape[1]))
    intercepts = [-30.0] * len(labels)
    for group, values in groups.items():
        y = []
        for ex in examples:
            found = [v for v in values if f"{group}={v}" in ex.labels]
            y.append(found[0] if found else values[0])
        model = LogisticRegression(
            C=opt.c,
            class_weight="balanced" if opt.balanced else None,
            max_iter=3000,
            random_state=SEED,
        )
        model.fit(x, np.array(y), sample_weight=weights)
        classes = [str(c) for c in model.classes_]
        rows = model.coef_ if len(classes) > 2 else np.vstack([-model.coef_ / 2, model.coef_ / 2])
        bias = (
            model.intercept_
            if len(classes) > 2
            else np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
        )
        for k, value in enumerate(classes):
            i = labels.index(f"{group}={value}")
            coef[i] = rows[k]
            intercepts[i] = float(bias[k])
    return _pack(name, labels, coef, intercepts, idf, columns, dense_names, opt, card)


def fit_head(
    name: str,
    examples: Sequence[Example],
    labels: Sequence[str],
    options: FitOptions | None = None,
    card: dict[str, Any] | None = None,
    base: str | None = None,
) -> LinearHead:
    """Fit one logistic regression per label; a label with no positive example never fires.

    With *base* (the name of a shipped head), each example's ``offset`` log-odds are a fixed
    part of the model and only a correction is learned, pulled towards zero by the penalty:
    with little data the head stays close to the shipped one.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    opt = options or FitOptions()
    idf, columns, dense_names, x, weights = _design(examples, opt)
    coef = np.zeros((len(labels), x.shape[1]))
    intercepts: list[float] = []
    for i, label in enumerate(labels):
        y = np.array([label in ex.labels for ex in examples])
        if base is not None:
            off = np.array([ex.offset.get(label, 0.0) for ex in examples])
            coef[i], intercept = _fit_with_offset(x, y.astype(float), off, weights, opt.c)
            intercepts.append(intercept)
            continue
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
    return _pack(name, labels, coef, intercepts, idf, columns, dense_names, opt, card, base)


def _fit_with_offset(x: Any, y: Any, offset: Any, weights: Any, c: float) -> tuple[Any, float]:
    """Weighted L2 logistic regression with a fixed per-example offset (L-BFGS, from zero)."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import expit

    d = x.shape[1]

    def loss(theta: Any) -> tuple[float, Any]:
        z = offset + x @ theta[:d] + theta[d]
        value = float(np.sum(weights * (np.logaddexp(0.0, z) - y * z))) * c
        g = weights * (expit(z) - y) * c
        grad = np.empty(d + 1)
        grad[:d] = x.T @ g + theta[:d]
        grad[d] = g.sum() + theta[d]
        return value + 0.5 * float(theta @ theta), grad

    result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x[:d], float(result.x[d])


def decide(probs: dict[str, float], head: LinearHead, fallback: str | None = None) -> set[str]:
    """Labels over their threshold; with *fallback*, the most likely label when none is."""
    found = {label for label, p in probs.items() if p >= head.threshold(label)}
    if not found and fallback is not None:
        found = {max(probs, key=lambda lab: probs[lab] - head.threshold(lab))}
    return found


# --- a team's own heads: `warmline train` -------------------------------------------------

MIN_TURNS = 10
MIN_POSITIVES = 5
#: Correction strengths `warmline train` chooses from (1e-4 is, in effect, the shipped model).
TEAM_C = (1e-4, 0.1, 0.3, 1.0, 3.0)
ADD_AT = 0.75
# Named features (the shipped models' logits, what the rules found) are scaled up while
# fitting so that the L2 penalty bends them less than the team's own n-grams: a team head
# starts from the shipped models and moves as far as the team's labels take it.
TEAM_OPTIONS = FitOptions(c=1.0, min_df=2, balanced=False, dense_scale=3.0)


@dataclass
class TrainReport:
    """What `warmline train` fitted and how it measures, for the terminal and the model card."""

    folder: Path
    heads: dict[str, int] = field(default_factory=dict)  # head name -> training turns
    figures: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _with_offset(
    keys: Sequence[str], dense: dict[str, float], labels: frozenset[str], base: LinearHead
) -> Example:
    logits = dict(zip(base.labels, base.logits(keys, dense), strict=True))
    return Example(keys, dense, labels, 1.0, logits)


def _emotion_examples(turns: Sequence[LabelledTurn]) -> list[Example]:
    base = load_head("emotion")
    return [
        _with_offset(*emotion_inputs(Document.of(t.conversation), t.index), t.labels, base)
        for t in turns
    ]


def _behaviour_examples(turns: Sequence[LabelledTurn], analyzer: Analyzer) -> list[Example]:
    base = load_head("behaviours")
    return [
        _with_offset(*behaviour_inputs(analyzer.detect(t.conversation), t.index), t.labels, base)
        for t in turns
    ]


def _shipped_emotions(turns: Sequence[LabelledTurn], analyzer: Analyzer) -> list[set[str]]:
    return [
        {a.label for a in analyzer.detect(t.conversation).on(t.index, KIND_EMOTION)} for t in turns
    ]


def _shipped_behaviours(turns: Sequence[LabelledTurn], analyzer: Analyzer) -> list[set[str]]:
    kinds = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    return [
        {a.label for a in analyzer.detect(t.conversation).on(t.index) if a.kind in kinds}
        for t in turns
    ]


def train_team(path: Path, folder: Path, *, evaluate: bool = True) -> TrainReport:
    """Fit a team's heads on the labelled file *path* and write them to *folder*.

    A head is fitted when the file holds at least ``MIN_TURNS`` labelled turns for it. With
    *evaluate*, the report carries 5-fold cross-validated figures of the team heads beside the
    shipped models' on the same turns, so a team sees what training bought before using it.
    """
    data = read_labelled(path)
    if len(data.customer) < MIN_TURNS and len(data.agent) < MIN_TURNS:
        raise LabelledDataError(
            f"{path}: {len(data.customer)} labelled customer turns and {len(data.agent)} agent "
            f"turns; at least {MIN_TURNS} of either are needed to train"
        )
    report = TrainReport(folder)
    models = fit_team(data, path.name, report)
    folder.mkdir(parents=True, exist_ok=True)
    if models.emotion is not None:
        models.emotion.save(folder / EMOTION_FILE)
    if models.behaviours is not None:
        models.behaviours.save(folder / BEHAVIOUR_FILE)
    if evaluate:
        report.figures.update(cross_validate(data))
    if data.pairs:
        report.skipped.append(f"{len(data.pairs)} reply pairs are read but not trained on yet")
    return report


def fit_team(data: LabelledSet, source: str, report: TrainReport | None = None) -> TeamModels:
    """Fit the team heads the labelled set has enough turns for (in memory)."""
    analyzer = Analyzer(calibrate=False)
    emotion = behaviours = None
    if len(data.customer) >= MIN_TURNS:
        examples = _emotion_examples(data.customer)
        card = _team_card("customer emotions", source, len(examples))
        options = _select(examples, EMOTIONS, TEAM_OPTIONS, "emotion", card)
        emotion = fit_head("team-emotion", examples, EMOTIONS, options, card, "emotion")
        if report is not None:
            report.heads["emotion"] = len(examples)
    elif report is not None:
        report.skipped.append(f"emotion: only {len(data.customer)} labelled customer turns")
    if len(data.agent) >= MIN_TURNS:
        examples = _behaviour_examples(data.agent, analyzer)
        card = _team_card("agent behaviours and anti-patterns", source, len(examples))
        # Only labels the team marked often enough are re-decided; the rest keep the rules'.
        labels = [
            lab
            for lab in ALL_BEHAVIOURS
            if MIN_POSITIVES <= sum(lab in ex.labels for ex in examples) <= len(examples) - 1
        ]
        card["adapted_labels"] = labels
        if labels:
            options = replace(TEAM_OPTIONS, default_threshold=ADD_AT)
            options = _select(examples, labels, options, "behaviours", card)
            behaviours = fit_head("team-behaviours", examples, labels, options, card, "behaviours")
        if report is not None:
            report.heads["behaviours"] = len(examples)
    elif report is not None:
        report.skipped.append(f"behaviours: only {len(data.agent)} labelled agent turns")
    return TeamModels(emotion, behaviours, source)


def _select(
    examples: Sequence[Example],
    labels: Sequence[str],
    options: FitOptions,
    base: str,
    card: dict[str, Any],
    folds: int = 5,
) -> FitOptions:
    """Pick how far a team head may move from the shipped one, by cross-validation on the
    team's own turns: the smallest correction strength (``C``; ~0 keeps the shipped model)
    whose out-of-fold figure is best. Small or noisy label sets thus change little."""
    scores: dict[float, float] = {}
    for c in TEAM_C:
        trial = replace(options, c=c)
        gold: list[set[str]] = []
        pred: list[set[str]] = []
        for fold in range(folds):
            train = [ex for i, ex in enumerate(examples) if i % folds != fold]
            head = fit_head("cv", train, labels, trial, None, base)
            for ex in examples[fold::folds]:
                probs = head.probabilities(ex.keys, ex.dense)
                gold.append(set(ex.labels))
                if base == "emotion":
                    pred.append(set(decide_emotions(head, probs)) or {"neutral"})
                else:
                    ruled = {k[5:] for k in ex.dense if k.startswith("rule:")}
                    pred.append(decide_behaviours(head, probs, ruled))
        scores[c] = _macro_f1(gold, pred, EMOTIONS) if base == "emotion" else _micro_f1(gold, pred)
    best = max(TEAM_C, key=lambda c: (round(scores[c], 4), -c))
    card["selection"] = {
        "C_tried": {str(c): round(v, 4) for c, v in scores.items()},
        "C_chosen": best,
        "how": f"{folds}-fold cross-validation on the team's turns",
    }
    return replace(options, c=best)


def cross_validate(data: LabelledSet, folds: int = 5) -> dict[str, float]:
    """Shipped models vs team heads on the labelled turns, each fold predicted by heads fitted
    on the other folds and run through the whole pipeline, as `analyze --model` would."""
    shipped = Analyzer(calibrate=False)
    figures: dict[str, float] = {}
    for name, turns, read, metric in (
        ("emotion_macro_f1", data.customer, _shipped_emotions, _emotion_metric),
        ("behaviour_micro_f1", data.agent, _shipped_behaviours, _behaviour_metric),
    ):
        if len(turns) < MIN_TURNS:
            continue
        gold = [set(t.labels) for t in turns]
        figures[f"{name}_shipped"] = metric(gold, read(turns, shipped))
        predicted: list[set[str]] = [set() for _ in turns]
        for fold in range(folds):
            train = [t for i, t in enumerate(turns) if i % folds != fold]
            held = list(range(fold, len(turns), folds))
            subset = LabelledSet(
                train if turns is data.customer else [], train if turns is data.agent else [], []
            )
            team = Analyzer(calibrate=False, team=fit_team(subset, "cv"))
            for i, labels in zip(held, read([turns[i] for i in held], team), strict=True):
                predicted[i] = labels
        figures[f"{name}_team_cv"] = metric(gold, predicted)
    return figures


def _emotion_metric(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> float:
    return _macro_f1(gold, pred, EMOTIONS)


def _behaviour_metric(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> float:
    return _micro_f1(gold, pred)


def _team_card(what: str, source: str, turns: int) -> dict[str, Any]:
    return {
        "what": f"team head for {what}, adapting Warmline's shipped models",
        "training_data": [f"{source}: {turns} labelled turns (the team's own)"],
        "options": {"C": TEAM_OPTIONS.c, "min_df": TEAM_OPTIONS.min_df, "threshold": 0.5},
        "rebuild": f"warmline train {source} -o <folder> (deterministic)",
    }


def _label_f1(gold: Sequence[set[str]], pred: Sequence[set[str]], label: str) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label in p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if label not in g and label in p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label not in p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _macro_f1(gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Sequence[str]) -> float:
    """Macro-F1 over the labels present in the gold or the predictions."""
    seen = [lab for lab in labels if any(lab in g for g in gold) or any(lab in p for p in pred)]
    return sum(_label_f1(gold, pred, lab) for lab in seen) / len(seen) if seen else 0.0


def _micro_f1(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
