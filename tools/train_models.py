"""Fit the shipped learned models (`make models`); deterministic, byte for byte.

emotion — ``src/warmline/engine/data/models/emotion.json.gz``: one logistic regression per
emotion (neutral included) over the customer turn's word n-grams (TF-IDF) and the cue-lexicon
tallies of this turn and the customer's previous one. Training data, all usable by a shipped
model (../shared/data/README.md): GoEmotions rows of the official *train* split (Apache-2.0;
its dev and test rows are left for measuring), the shared cs_cases dev set, the project's own
benchmarks/data/holdout.jsonl and training/cases/*.jsonl (customer-service rows weigh
CS_WEIGHT times a Reddit comment). benchmarks/data/test.jsonl is never read here.

mechanisms — ``models/mechanisms.json.gz``: one multinomial logistic regression per empathy
mechanism (levels 0/1/2) over the agent reply's word n-grams, what the behaviour rules found and
listening cues, fitted only on the project's own training/listening.jsonl (Apache-2.0); C and
the weight of the named features are chosen by 5-fold cross-validation on that file.

listening — ``models/listening.json.gz``: one logistic regression per listening behaviour the
rules may miss, over the same inputs, fitted on training/listening.jsonl and the agent turns of
cs_cases dev.jsonl + benchmarks/data/holdout.jsonl; each label's threshold for adding it is
chosen on out-of-fold predictions of those rows.

sentences — ``models/sentences.json.gz``: one logistic regression per behaviour and
anti-pattern over a sentence of an agent turn, fitted on every labelled agent turn of the
customer-service files above, each sentence labelled with the reviewers' evidence spans it
holds; each label's threshold for adding it is chosen on out-of-fold turn predictions.

mechanisms also reads training/listening-peer.jsonl (peer-support replies, written for the
project); behaviours (the calibration) counts over all the customer-service files.

Usage: python tools/train_models.py [--data DIR]
       [--only emotion,behaviours,intensity,mechanisms,listening,sentences]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from public import GOEMOTIONS_MAP  # noqa: E402
from warmline.engine.detectors import RULE_DETECTORS  # noqa: E402
from warmline.engine.detectors.emotion import (  # noqa: E402
    EmotionModelDetector,
    emotion_inputs,
    intensity_inputs,
    is_amplified,
)
from warmline.engine.detectors.listening import CANDIDATES  # noqa: E402
from warmline.engine.detectors.mechanisms import (  # noqa: E402
    LEVELS,
    head_levels,
    mechanism_inputs,
    rule_levels,
)
from warmline.engine.detectors.sentences import sentence_inputs, sentence_labels  # noqa: E402
from warmline.engine.features import behaviours_found  # noqa: E402
from warmline.engine.labels import (  # noqa: E402
    ALL_BEHAVIOURS,
    BEHAVIOURS,
    BOT_ONLY,
    EMOTIONS,
    MECHANISMS,
    excluded_by,
)
from warmline.engine.learned import LinearHead  # noqa: E402
from warmline.engine.model import Speaker, conversation_from_dict  # noqa: E402
from warmline.engine.pipeline import Analyzer  # noqa: E402
from warmline.engine.registry import Document  # noqa: E402
from warmline.labelled import read_labelled  # noqa: E402
from warmline.training import Example, FitOptions, fit_groups, fit_head  # noqa: E402

MODELS = ROOT / "src" / "warmline" / "engine" / "data" / "models"
#: C and the customer-service weight were chosen by holding out two files of training/cases at
#: a time (three splits; C 0.5-4 and weights 5-30 tried): C 4 with weight 8 was within 0.002 of
#: the best mean cs macro-F1 and kept GoEmotions' orig dev rows where they were (weight 30 was
#: set when the project had a quarter of the customer-service rows it has now).
CS_WEIGHT = 8.0
EMOTION_OPTIONS = FitOptions(c=4.0, min_df=2, balanced=True, dense_scale=0.3, prune=0.01)
PRIOR = 4.0
INTENSITY_C = 1.0
LISTENING = ROOT / "training" / "listening.jsonl"
#: The mechanism head also reads the project's peer-support replies (training/README.md).
MECHANISM_SETS = (LISTENING, ROOT / "training" / "listening-peer.jsonl")
MECHANISM_GRID = tuple((c, s) for c in (0.3, 1.0, 3.0, 10.0) for s in (0.3, 1.0))
FOLDS = 5
#: The rule detectors: what the learned heads read as "what the rules found".
RULES = RULE_DETECTORS
LISTENING_OPTIONS = FitOptions(c=1.0, min_df=2, balanced=True, dense_scale=0.3, prune=0.001)
ADD_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
#: The project's own labelled customer-service conversations (training/cases/README.md).
CASES = ROOT / "training" / "cases"
SENTENCE_OPTIONS = FitOptions(c=1.0, min_df=2, balanced=True, dense_scale=0.15, prune=0.001)
SENTENCE_GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The least probability at which the sentence model may add an anti-pattern: telling an agent
#: they blamed or dismissed a customer when a reviewer would not is worse than missing it once.
ANTI_PATTERN_FLOOR = 0.5


def provenance() -> dict[str, object]:
    """How to rebuild an artefact, and the library versions that give the same bytes."""
    import numpy
    import scipy
    import sklearn

    return {
        "rebuild": "make models (tools/train_models.py; deterministic: the same data and the "
        "library versions in built_with give the same bytes)",
        "built_with": {
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
        },
    }


def goemotions_examples(path: Path) -> list[Example]:
    """GoEmotions training-split comments mapped to Warmline's nine emotions."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            labels = frozenset(GOEMOTIONS_MAP[x] for x in row["labels"] if x in GOEMOTIONS_MAP)
            if row["orig_split"] != "train" or not labels:
                continue
            conv = {"id": row["id"], "turns": [{"speaker": "customer", "text": row["text"]}]}
            keys, dense = emotion_inputs(Document.of(conversation_from_dict(conv)), 0)
            out.append(Example(keys, dense, labels))
    return out


def cs_examples(paths: list[Path]) -> list[Example]:
    """Labelled customer turns of cs_cases-format files, each in its conversation."""
    out = []
    for path in paths:
        for turn in read_labelled(path).customer:
            keys, dense = emotion_inputs(Document.of(turn.conversation), turn.index)
            out.append(Example(keys, dense, turn.labels, CS_WEIGHT))
    return out


def cs_files(data: Path) -> list[Path]:
    """The labelled customer-service files a shipped head may learn from (never test.jsonl)."""
    return [
        data / "cs_cases" / "dev.jsonl",
        ROOT / "benchmarks" / "data" / "holdout.jsonl",
        *sorted(CASES.glob("*.jsonl")),
    ]


def _names(paths: list[Path]) -> str:
    """The files, named from their folder ('cs_cases/dev.jsonl', 'cases/cases-a.jsonl')."""
    return ", ".join(f"{p.parent.name}/{p.name}" for p in paths)


def emotion_model(data: Path) -> LinearHead:
    go = goemotions_examples(data / "goemotions" / "goemotions.jsonl")
    paths = cs_files(data)
    cs = cs_examples(paths)
    card = {
        "what": "customer emotions: one logistic regression per label over word n-grams (TF-IDF) "
        "and cue-lexicon tallies",
        "training_data": [
            f"GoEmotions official train split, {len(go)} comments with a mapped label "
            "(Demszky et al. 2020, Apache-2.0)",
            f"{_names(paths)}, {len(cs)} customer turns and messages "
            f"(written for this project; weight {CS_WEIGHT:g})",
        ],
        "licence": "Apache-2.0 (weights); GoEmotions attribution kept",
        "options": {
            "C": EMOTION_OPTIONS.c,
            "min_df": EMOTION_OPTIONS.min_df,
            "class_weight": "balanced",
            "dense_scale": EMOTION_OPTIONS.dense_scale,
            "threshold": EMOTION_OPTIONS.default_threshold,
            "prune": EMOTION_OPTIONS.prune,
        },
        "metrics": "see `make bench` (GoEmotions dev+test rows, cs_cases sets)",
        **provenance(),
    }
    return fit_head("emotion", go + cs, EMOTIONS, EMOTION_OPTIONS, card)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def behaviour_model(data: Path) -> LinearHead:
    """Calibration of rule-found behaviours, by label: how often a reviewer agreed.

    For each label, P(reviewer marks it | the rules found it) and P(reviewer marks it | the
    rules did not), smoothed towards the overall agreement rate; stored as a head whose
    intercept is the second log-odds and whose ``rule:<label>`` weight moves it to the first.
    Per-label rates were the best calibrated of what was tried (5-fold ECE 0.024 on these
    turns, against 0.13-0.40 for regressions over the turn's words, which overfit 230 turns).
    """
    analyzer = Analyzer(detectors=RULES + ("mechanism.rules.v1",), calibrate=False)
    paths = cs_files(data)
    fired: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    turns = 0
    for path in paths:
        for turn in read_labelled(path).agent:
            doc = analyzer.detect(turn.conversation)
            found = {a.label for a in doc.on(turn.index) if a.kind in ("behaviour", "anti_pattern")}
            turns += 1
            for label in found:
                fired[label] += 1
                agreed[label] += label in turn.labels
            for label in turn.labels - found:
                missed[label] += 1
    overall = sum(agreed.values()) / max(1, sum(fired.values()))
    intercepts, weights = [], {}
    for label in ALL_BEHAVIOURS:
        hit = (agreed[label] + PRIOR * overall) / (fired[label] + PRIOR)
        miss = (missed[label] + 0.5) / (turns - fired[label] + 1.0)
        intercepts.append(round(_logit(miss), 4))
        row = [0.0] * len(ALL_BEHAVIOURS)
        row[len(intercepts) - 1] = round(_logit(hit) - _logit(miss), 4)
        weights[f"rule:{label}"] = tuple(row)
    card = {
        "what": "behaviour calibration: for each behaviour and anti-pattern, the probability "
        "that a reviewer marks it given whether the rules found it; the score of a "
        "rule-found annotation",
        "training_data": [
            f"{_names(paths)}, {turns} agent and bot turns, "
            f"{sum(fired.values())} rule-found labels (written for this project)"
        ],
        "licence": "Apache-2.0",
        "options": {"prior": PRIOR, "overall_agreement": round(overall, 4)},
        **provenance(),
    }
    n = len(ALL_BEHAVIOURS)
    return LinearHead(
        "behaviours", ALL_BEHAVIOURS, tuple(intercepts), (0.5,) * n, {}, weights, card
    )


def _intensity_rows(path: Path) -> tuple[list[dict[str, float]], list[int]]:
    """(features, reviewer grade) for each detected emotion the reviewer also marked."""
    detector = EmotionModelDetector()
    detector.intensity = None  # the rules' own grade is one of the inputs
    rows, grades = [], []
    for turn in read_labelled(path).customer:
        doc = Document.of(turn.conversation)
        keys, dense = emotion_inputs(doc, turn.index)
        probs = detector.head.probabilities(keys, dense)
        loud = is_amplified(doc.texts[turn.index])
        for ann in detector.detect(doc, turn.index):
            if ann.label in turn.intensities:
                rule = ann.value or 1
                rows.append(intensity_inputs(ann.label, probs[ann.label], dense, loud, rule))
                grades.append(turn.intensities[ann.label])
    return rows, grades


def _fit_intensity(rows: list[dict[str, float]], grades: list[int]) -> LinearHead:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = sorted({k for r in rows for k in r})
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows])
    model = LogisticRegression(C=INTENSITY_C, max_iter=5000).fit(x, np.array(grades))
    labels = tuple(str(c) for c in model.classes_)
    dense_w = {
        n: tuple(round(float(model.coef_[k][j]), 4) for k in range(len(labels)))
        for j, n in enumerate(names)
    }
    intercepts = tuple(round(float(v), 4) for v in model.intercept_)
    return LinearHead("intensity", labels, intercepts, (0.5,) * len(labels), {}, dense_w)


def _grade(head: LinearHead, row: dict[str, float]) -> int:
    logits = head.logits((), row)
    return int(head.labels[max(range(len(logits)), key=logits.__getitem__)])


def intensity_model(data: Path) -> LinearHead:
    """Intensity 1-3 of a detected emotion: multinomial logistic regression on named features.

    The card records a cross-set check: fitted on one of the two sets, scored on the other.
    """
    sets = [
        _intensity_rows(data / "cs_cases" / "dev.jsonl"),
        _intensity_rows(ROOT / "benchmarks" / "data" / "holdout.jsonl"),
    ]
    checks = []
    for fit_on, score_on in ((0, 1), (1, 0)):
        head = _fit_intensity(*sets[fit_on])
        rows, gold = sets[score_on]
        learned = [_grade(head, r) for r in rows]
        rules = [int(r.get("rule_intensity", 1)) for r in rows]
        n = len(gold)
        checks.append(
            f"learned exact {sum(a == b for a, b in zip(learned, gold, strict=True)) / n:.3f}, "
            f"MAE {sum(abs(a - b) for a, b in zip(learned, gold, strict=True)) / n:.3f}; "
            f"rules exact {sum(a == b for a, b in zip(rules, gold, strict=True)) / n:.3f}, "
            f"MAE {sum(abs(a - b) for a, b in zip(rules, gold, strict=True)) / n:.3f}"
        )
    rows = sets[0][0] + sets[1][0]
    grades = sets[0][1] + sets[1][1]
    head = _fit_intensity(rows, grades)
    card = {
        "what": "emotion intensity 1-3 of a detected customer emotion: multinomial logistic "
        "regression over the cue weights, the emotion model's log-odds, capitals, exclamation, "
        "intensifiers, length and the rules' own grade; the grade with the highest logit wins",
        "training_data": [
            f"cs_cases dev.jsonl + benchmarks/data/holdout.jsonl, {len(grades)} detected emotions "
            "with a reviewer intensity (written for this project)"
        ],
        "licence": "Apache-2.0",
        "metrics": {
            "fit on dev, scored on holdout": checks[0],
            "fit on holdout, scored on dev": checks[1],
        },
        "options": {"C": INTENSITY_C},
        **provenance(),
    }
    return replace(head, card=card)


def _lines(paths: tuple[Path, ...]) -> list[str]:
    """The lines of *paths*, in order."""
    return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def _listening_examples() -> tuple[list[Example], list[dict[str, int]], list[str]]:
    """(inputs, rules' levels, setting) per reply of the mechanism sets, read after its context
    by the behaviour detectors of the default pipeline (the rules and the sentence model)."""
    analyzer = Analyzer(detectors=(*RULES, "behaviour.sentences.v1"), calibrate=False)
    examples, ruled, settings = [], [], []
    for line in _lines(MECHANISM_SETS):
        if line:
            row = json.loads(line)
            conv = {
                "id": row["id"],
                "turns": [
                    {"speaker": "customer", "text": row["context"]},
                    {"speaker": "agent", "text": row["reply"]},
                ],
            }
            doc = analyzer.detect(conv)
            keys, dense = mechanism_inputs(doc, 1)
            labels = frozenset(f"{m}={row['mechanisms'][m]}" for m in MECHANISMS)
            examples.append(Example(keys, dense, labels))
            levels = rule_levels(doc.on(1))
            ruled.append({m: levels[m][0] if m in levels else 0 for m in MECHANISMS})
            settings.append(row["setting"])
    return examples, ruled, settings


def _level_f1(gold: list[int], pred: list[int]) -> float:
    """Macro-F1 over levels 0/1/2 (the EPITOME metric)."""
    total = 0.0
    for level in range(len(LEVELS)):
        tp = sum(g == level == p for g, p in zip(gold, pred, strict=True))
        fp = sum(p == level != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == level != p for g, p in zip(gold, pred, strict=True))
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / len(LEVELS)


def _gold_level(ex: Example, mech: str) -> int:
    return next(int(lab.split("=")[1]) for lab in ex.labels if lab.startswith(f"{mech}="))


def _split_scores(examples: list[Example], pred: dict[int, dict[str, int]]) -> dict[str, float]:
    """Macro-F1 per mechanism of *pred* (row index -> levels) on those rows."""
    rows = sorted(pred)
    return {
        m: round(
            _level_f1([_gold_level(examples[i], m) for i in rows], [pred[i][m] for i in rows]), 4
        )
        for m in MECHANISMS
    }


def _predict_rows(
    examples: list[Example], train: list[int], test: list[int], options: FitOptions
) -> dict[int, dict[str, int]]:
    head = fit_groups("cv", [examples[i] for i in train], {m: LEVELS for m in MECHANISMS}, options)
    out = {}
    for i in test:
        levels = head_levels(head, list(examples[i].keys), examples[i].dense)
        out[i] = {m: lv for m, (lv, _) in levels.items()}
    return out


def _mechanism_splits(settings: list[str]) -> dict[str, list[tuple[list[int], list[int]]]]:
    """Held-out splits of listening.jsonl: FOLDS-fold CV (row index mod FOLDS) and each
    setting (support, personal) predicted by a head fitted on the other only."""
    n = len(settings)
    splits = {
        "cv": [
            ([i for i in range(n) if i % FOLDS != f], list(range(f, n, FOLDS)))
            for f in range(FOLDS)
        ]
    }
    for held in sorted(set(settings)):
        train = [i for i in range(n) if settings[i] != held]
        splits[f"fit on the rest, scored on {held}"] = [
            (train, [i for i in range(n) if settings[i] == held])
        ]
    return splits


def _evaluate(
    examples: list[Example], splits: list[tuple[list[int], list[int]]], options: FitOptions
) -> dict[str, float]:
    pred: dict[int, dict[str, int]] = {}
    for train, test in splits:
        pred.update(_predict_rows(examples, train, test, options))
    return _split_scores(examples, pred)


def _options(c: float, scale: float) -> FitOptions:
    return FitOptions(c=c, min_df=2, balanced=True, dense_scale=scale, prune=0.001)


def mechanism_model(data: Path) -> LinearHead:
    """Empathy mechanism levels, fitted on training/listening.jsonl only.

    C and the named features' scale are chosen by FOLDS-fold cross-validation. The head then
    rates only the mechanisms where it beats the rules on every held-out split (the CV folds
    and each setting predicted from the other, a check of how it carries to unlike text);
    ``mechanism.model`` keeps the rules' level for the others.
    """
    del data  # only the project's own listening set: EPITOME and ESConv are non-commercial
    examples, ruled, settings = _listening_examples()
    splits = _mechanism_splits(settings)
    tried = {}
    for c, scale in MECHANISM_GRID:
        scores = _evaluate(examples, splits["cv"], _options(c, scale))
        tried[f"C={c:g}, dense_scale={scale:g}"] = (sum(scores.values()) / len(scores), (c, scale))
    best = max(tried, key=lambda k: (round(tried[k][0], 4), k))
    options = _options(*tried[best][1])
    model = {name: _evaluate(examples, split, options) for name, split in splits.items()}
    rules = {
        name: _split_scores(examples, {i: ruled[i] for _, test in split for i in test})
        for name, split in splits.items()
    }
    chosen = [m for m in MECHANISMS if all(model[k][m] > rules[k][m] for k in splits)]
    card = {
        "what": "empathy mechanisms (Sharma et al. 2020) of an agent reply, levels 0/1/2: one "
        "multinomial logistic regression per mechanism over word n-grams (TF-IDF), the behaviours "
        "the rules found, the rules' own levels and listening cues; the highest logit wins. Only "
        "the mechanisms that beat the rules on every held-out split are in the head; "
        "mechanism.model keeps the rules' level for the others",
        "mechanisms": chosen,
        "training_data": [
            f"training/listening.jsonl + training/listening-peer.jsonl, {len(examples)} context/reply "
            "pairs with mechanism levels "
            "(written for this project)"
        ],
        "licence": "Apache-2.0",
        "options": {
            "C": options.c,
            "min_df": 2,
            "class_weight": "balanced",
            "dense_scale": options.dense_scale,
        },
        "metrics": {
            "how": f"macro-F1 over levels 0/1/2 on training/listening.jsonl: {FOLDS}-fold "
            "cross-validation (row index mod 5), and each setting predicted by a head fitted "
            "on the other setting",
            "model": model,
            "rules (mechanism.rules.v1)": rules,
            "selection (mean CV macro-F1)": {k: round(v[0], 4) for k, v in tried.items()},
        },
        **provenance(),
    }
    groups = {m: LEVELS for m in chosen}
    return fit_groups("mechanisms", examples, groups, options, card)


def _listening_rows(data: Path) -> tuple[list[Example], list[set[str]], list[str]]:
    """(inputs, rules' labels, source) per reply: listening.jsonl, then cs agent turns."""
    analyzer = Analyzer(detectors=RULES, calibrate=False)
    wanted = set(CANDIDATES)
    examples, ruled, source = [], [], []
    with LISTENING.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            turns = [
                {"speaker": "customer", "text": row["context"]},
                {"speaker": "agent", "text": row["reply"]},
            ]
            doc = analyzer.detect({"id": row["id"], "turns": turns})
            keys, dense = mechanism_inputs(doc, 1)
            examples.append(Example(keys, dense, frozenset(row["behaviours"]) & wanted))
            ruled.append({a.label for a in doc.on(1)})
            source.append("listening")
    for path in (data / "cs_cases" / "dev.jsonl", ROOT / "benchmarks" / "data" / "holdout.jsonl"):
        for turn in read_labelled(path).agent:
            doc = analyzer.detect(turn.conversation)
            keys, dense = mechanism_inputs(doc, turn.index)
            examples.append(Example(keys, dense, turn.labels & wanted))
            ruled.append({a.label for a in doc.on(turn.index)})
            source.append("cs")
    return examples, ruled, source


def _added_f1(
    label: str,
    rows: list[int],
    examples: list[Example],
    ruled: list[set[str]],
    probs: list[dict[str, float]],
    threshold: float,
) -> float:
    """F1 of *label* on *rows* when the head adds it at *threshold* to what the rules found."""
    tp, fp, fn = _tally(
        (label in ruled[i] or probs[i][label] >= threshold, label in examples[i].labels)
        for i in rows
    )
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _tally(decisions: Iterable[tuple[bool, bool]]) -> tuple[int, int, int]:
    """(tp, fp, fn) of (said, gold) decisions."""
    tp = fp = fn = 0
    for said, gold in decisions:
        tp += said and gold
        fp += said and not gold
        fn += gold and not said
    return tp, fp, fn


def listening_model(data: Path) -> LinearHead:
    """Listening behaviours to add where the rules missed them; thresholds chosen out of fold.

    A label is kept, at the threshold that gives the best out-of-fold F1 on all the rows, only
    when adding it raises F1 on the listening rows and does not lower it on the cs rows.
    """
    examples, ruled, source = _listening_rows(data)
    probs: list[dict[str, float]] = [{} for _ in examples]
    for fold in range(FOLDS):
        train = [ex for i, ex in enumerate(examples) if i % FOLDS != fold]
        head = fit_head("cv", train, CANDIDATES, LISTENING_OPTIONS)
        for i in range(fold, len(examples), FOLDS):
            probs[i] = head.probabilities(examples[i].keys, examples[i].dense)
    rows = {
        "all": list(range(len(examples))),
        "listening": [i for i, s in enumerate(source) if s == "listening"],
        "cs": [i for i, s in enumerate(source) if s == "cs"],
    }
    thresholds, figures = {}, {}
    for label in CANDIDATES:

        def f1(part: str, t: float, label: str = label) -> float:
            return round(_added_f1(label, rows[part], examples, ruled, probs, t), 4)

        ok = [
            t
            for t in ADD_GRID
            if f1("cs", t) >= f1("cs", 2.0) and f1("listening", t) > f1("listening", 2.0)
        ]
        figures[label] = {f"rules, {p}": f1(p, 2.0) for p in rows}
        if ok:
            best = max(ok, key=lambda t: (f1("all", t), t))
            thresholds[label] = best
            figures[label].update({f"rules + head at {best:g}, {p}": f1(p, best) for p in rows})
    chosen = [lab for lab in CANDIDATES if lab in thresholds]
    card = {
        "what": "listening behaviours the rules missed: one logistic regression per behaviour over "
        "word n-grams (TF-IDF), the behaviours the rules found, listening cues and the customer's "
        "turn; a label is added when the rules did not find it and its probability reaches its "
        "threshold",
        "labels_added": chosen,
        "training_data": [
            f"training/listening.jsonl, {len(rows['listening'])} replies with behaviour labels "
            "(written for this project)",
            f"cs_cases dev.jsonl + benchmarks/data/holdout.jsonl, {len(rows['cs'])} agent and bot "
            "turns (written for this project)",
        ],
        "licence": "Apache-2.0",
        "options": {
            "C": LISTENING_OPTIONS.c,
            "min_df": 2,
            "class_weight": "balanced",
            "dense_scale": LISTENING_OPTIONS.dense_scale,
            "thresholds_tried": list(ADD_GRID),
        },
        "metrics": {
            "how": f"out-of-fold F1 per label ({FOLDS} folds, row index mod {FOLDS}) of the rules "
            "alone and of the rules plus the head's additions; a label is kept when adding it "
            "raises F1 on the listening rows and does not lower it on the cs rows",
            "per_label": figures,
        },
        **provenance(),
    }
    options = replace(LISTENING_OPTIONS, thresholds=thresholds)
    return fit_head("listening", examples, chosen, options, card)


@dataclass
class SentenceRow:
    """One agent turn: its sentences as examples, what the rules found, the reviewer's labels."""

    sentences: list[Example]
    ruled: set[str]
    gold: frozenset[str]
    fold: int
    #: labels the detector would never add here (excluded by a rule finding, or bot-only)
    barred: set[str]


def sentence_rows(paths: list[Path]) -> list[SentenceRow]:
    """Every labelled agent turn of *paths*, each sentence labelled by the evidence it holds;
    turns of one conversation share a fold."""
    analyzer = Analyzer(detectors=RULES, calibrate=False)
    rows: list[SentenceRow] = []
    conversations: dict[str, int] = {}
    for path in paths:
        for turn in read_labelled(path).agent:
            doc = analyzer.detect(turn.conversation)
            inputs = sentence_inputs(doc, turn.index)
            targets = sentence_labels([span for span, _, _ in inputs], dict(turn.evidence))
            examples = [
                Example(keys, dense, target)
                for (_, keys, dense), target in zip(inputs, targets, strict=True)
            ]
            ruled = {a.label for a in behaviours_found(doc, turn.index)}
            barred = excluded_by(ruled)
            if turn.conversation.turns[turn.index].speaker is not Speaker.BOT:
                barred |= BOT_ONLY
            fold = conversations.setdefault(f"{path}:{turn.conversation.id}", len(conversations))
            rows.append(SentenceRow(examples, ruled, turn.labels, fold % FOLDS, barred))
    return rows


def _turn_probabilities(head: LinearHead, row: SentenceRow) -> dict[str, float]:
    """Each label's probability on its likeliest sentence of the turn."""
    probs = [head.probabilities(ex.keys, ex.dense) for ex in row.sentences]
    return {label: max((p[label] for p in probs), default=0.0) for label in head.labels}


def _sentence_fit(
    rows: list[SentenceRow],
    labels: tuple[str, ...],
    options: FitOptions,
    card: dict[str, object] | None = None,
) -> LinearHead:
    examples = [ex for row in rows for ex in row.sentences]
    return fit_head("sentences", examples, labels, options, card)


def _counts(
    label: str, rows: list[SentenceRow], probs: list[dict[str, float]], threshold: float
) -> tuple[int, int, int]:
    """(tp, fp, fn) of *label* when the head adds it at *threshold* to what the rules found."""
    return _tally(
        (
            label in row.ruled or (label not in row.barred and p[label] >= threshold),
            label in row.gold,
        )
        for row, p in zip(rows, probs, strict=True)
    )


def _f1(tp: int, fp: int, fn: int) -> float:
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0


def sentence_thresholds(
    rows: list[SentenceRow], options: FitOptions = SENTENCE_OPTIONS
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Per label, the threshold whose additions most raise the out-of-fold micro-F1 count
    (2·tp − fp − fn) over the rules alone; labels where no threshold helps are left out."""
    probs: list[dict[str, float]] = [{} for _ in rows]
    for fold in range(FOLDS):
        head = _sentence_fit([r for r in rows if r.fold != fold], ALL_BEHAVIOURS, options)
        for i, row in enumerate(rows):
            if row.fold == fold:
                probs[i] = _turn_probabilities(head, row)
    thresholds: dict[str, float] = {}
    figures: dict[str, dict[str, float]] = {}
    for label in ALL_BEHAVIOURS:
        rules = _counts(label, rows, probs, 2.0)
        grid = [t for t in SENTENCE_GRID if label in BEHAVIOURS or t >= ANTI_PATTERN_FLOOR]
        gain = {t: _counts(label, rows, probs, t) for t in grid}
        best = max(grid, key=lambda t: (2 * gain[t][0] - gain[t][1] - gain[t][2], t))
        figures[label] = {"rules": _f1(*rules)}
        tp, fp, fn = gain[best]
        if 2 * tp - fp - fn > 2 * rules[0] - rules[1] - rules[2]:
            thresholds[label] = best
            figures[label][f"rules + head at {best:g}"] = _f1(tp, fp, fn)
    return thresholds, figures


def sentence_model(data: Path) -> LinearHead:
    """Behaviours and anti-patterns to add where the rules missed them, sentence by sentence.

    Fitted on the sentences of every labelled agent turn of the project's customer-service sets,
    each sentence labelled with the evidence spans it holds; each label's threshold is chosen
    on out-of-fold turn predictions (folds by conversation) and a label is kept only when
    adding it raised the out-of-fold figure over the rules alone.
    """
    paths = cs_files(data)
    rows = sentence_rows(paths)
    thresholds, figures = sentence_thresholds(rows)
    chosen = tuple(label for label in ALL_BEHAVIOURS if label in thresholds)
    gold = [row.gold for row in rows]
    card = {
        "what": "behaviours and anti-patterns the rules missed: one logistic regression per "
        "label over a sentence's word n-grams (TF-IDF), the rule findings inside it and "
        "elsewhere in the turn, its place in the turn, whether it asks, and the customer's "
        "emotions before it; the turn's probability is its likeliest sentence's, and a label "
        "is added when the rules did not find it and that probability reaches its threshold",
        "labels_added": list(chosen),
        "training_data": [
            f"{len(rows)} agent and bot turns ({sum(len(r.sentences) for r in rows)} sentences, "
            f"{sum(len(g) for g in gold)} labels with evidence spans) of {_names(paths)} "
            "(all written for this project)"
        ],
        "licence": "Apache-2.0",
        "options": {
            "C": SENTENCE_OPTIONS.c,
            "min_df": SENTENCE_OPTIONS.min_df,
            "class_weight": "balanced",
            "dense_scale": SENTENCE_OPTIONS.dense_scale,
            "thresholds_tried": list(SENTENCE_GRID),
        },
        "metrics": {
            "how": f"out-of-fold F1 per label ({FOLDS} folds by conversation) of the rules alone "
            "and of the rules plus the head's additions at the chosen threshold",
            "per_label": figures,
        },
        **provenance(),
    }
    options = replace(SENTENCE_OPTIONS, thresholds=thresholds)
    return _sentence_fit(rows, chosen, options, card)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("WARMLINE_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--only", help="comma-separated model names (default: all)")
    args = parser.parse_args()
    MODELS.mkdir(parents=True, exist_ok=True)
    builds = (
        ("emotion", emotion_model),
        ("behaviours", behaviour_model),
        ("intensity", intensity_model),
        # the mechanism head reads what the sentence model adds: it is built after it
        ("sentences", sentence_model),
        ("mechanisms", mechanism_model),
        ("listening", listening_model),
    )
    wanted = set(args.only.split(",")) if args.only else {name for name, _ in builds}
    for name, build in builds:
        if name not in wanted:
            continue
        head = build(args.data)
        out = MODELS / f"{name}.json.gz"
        head.save(out)
        size = out.stat().st_size
        print(f"wrote {out.relative_to(ROOT)}: {len(head.ngrams)} n-grams, {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
