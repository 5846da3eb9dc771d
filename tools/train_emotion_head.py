"""Fit the emotion head: one logistic regression per emotion over the cue-lexicon tallies.

The lexicon says which cues a customer turn contains; the head learns how those tallies (of
this turn and of the customer's previous turn) map to the labels people give, including which
emotions travel together and how much a terse follow-up inherits. Trained only on data a
commercial user may rely on: the shared cs_cases dev set (written for this project) and the
project's own benchmarks/data/holdout.jsonl. benchmarks/data/test.jsonl is never read here.

Usage (what `make models` runs): python tools/train_emotion_head.py [--data DIR]
Writes src/warmline/engine/data/emotion_head.yaml; rerunning on the same data gives the same
file byte for byte (the solver is deterministic and weights are rounded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from metrics import macro_f1  # noqa: E402
from warmline.engine.detectors.emotion import HEAD_FEATURES, head_features  # noqa: E402
from warmline.engine.labels import EMOTIONS  # noqa: E402
from warmline.engine.model import conversation_from_dict  # noqa: E402
from warmline.engine.registry import Document  # noqa: E402

C = 0.3
THRESHOLD = 0.35
SEED = 0
OUT = ROOT / "src" / "warmline" / "engine" / "data" / "emotion_head.yaml"


def examples(path: Path) -> list[tuple[list[float], set[str]]]:
    """(features, gold labels) for every labelled customer message in a cs_cases-format file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec["kind"] == "emotion":
            convs = [([{"speaker": "customer", "text": rec["text"]}], [(0, rec["emotions"])])]
        elif rec["kind"] == "conversation":
            turns = [{"speaker": t["speaker"], "text": t["text"]} for t in rec["turns"]]
            gold = [
                (i, t["emotions"]) for i, t in enumerate(rec["turns"]) if t["speaker"] == "customer"
            ]
            convs = [(turns, gold)]
        else:
            continue
        for turns, gold in convs:
            doc = Document.of(conversation_from_dict({"id": rec["id"], "turns": turns}))
            for index, emotions in gold:
                out.append((head_features(doc, index), {e["label"] for e in emotions}))
    return out


def fit(x: np.ndarray, y: list[set[str]]) -> dict[str, LogisticRegression]:
    """One binary model per non-neutral emotion (neutral is what remains)."""
    models = {}
    for label in EMOTIONS:
        if label == "neutral":
            continue
        model = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
        model.fit(x, np.array([label in s for s in y]))
        models[label] = model
    return models


def predict(models: dict[str, LogisticRegression], x: np.ndarray) -> list[set[str]]:
    probs = {label: m.predict_proba(x)[:, 1] for label, m in models.items()}
    out = []
    for n in range(len(x)):
        found = {label for label, p in probs.items() if p[n] >= THRESHOLD}
        out.append(found or {"neutral"})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("WARMLINE_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=default)
    args = parser.parse_args()
    sources = [args.data / "cs_cases" / "dev.jsonl", ROOT / "benchmarks" / "data" / "holdout.jsonl"]
    data = [ex for src in sources for ex in examples(src)]
    x = np.array([f for f, _ in data], dtype=float)
    y = [g for _, g in data]
    cv_pred: list[set[str]] = [set()] * len(y)
    for train, test in KFold(5, shuffle=True, random_state=SEED).split(x):
        models = fit(x[train], [y[i] for i in train])
        for i, p in zip(test, predict(models, x[test]), strict=True):
            cv_pred[i] = p
    cv = macro_f1(y, cv_pred, EMOTIONS)
    models = fit(x, y)
    head = {
        "features": list(HEAD_FEATURES),
        "threshold": THRESHOLD,
        "labels": {
            label: {
                "intercept": round(float(m.intercept_[0]), 4),
                "weights": [round(float(w), 4) for w in m.coef_[0]],
            }
            for label, m in models.items()
        },
    }
    card = (
        "# Emotion head: logistic regression per emotion over cue-lexicon tallies.\n"
        "# Model card\n"
        f"#   training data: shared cs_cases dev.jsonl + benchmarks/data/holdout.jsonl, {len(y)} "
        "labelled customer messages\n"
        "#     (both may be used by a shipped model: cs_cases was written for this project,\n"
        "#     holdout.jsonl by it; no non-commercial set is used)\n"
        f"#   licence: Apache-2.0, like the project; C={C}, threshold={THRESHOLD}, seed={SEED}\n"
        f"#   5-fold cross-validated emotion macro-F1 on the training data: {cv:.3f}\n"
        "#   rebuild: make models   (tools/train_emotion_head.py; deterministic)\n"
    )
    OUT.write_text(card + yaml.safe_dump(head, sort_keys=False, width=100), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(y)} examples, cross-validated macro-F1 {cv:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
