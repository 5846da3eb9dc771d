"""The cs_cases benchmark: pair accuracy, behaviour micro-F1 and emotion macro-F1.

Works on any file in the cs_cases record format: the shared dev set and the project's own
held-out set in benchmarks/data/holdout.jsonl.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metrics import macro_f1, micro_f1, per_label_f1
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS
from warmline.engine.pipeline import Analyzer


@dataclass
class CsResult:
    """Figures for one cs_cases-format file."""

    name: str
    pairs: int = 0
    pair_correct: int = 0
    pair_ties: int = 0
    behaviour_gold: list[set[str]] = field(default_factory=list)
    behaviour_pred: list[set[str]] = field(default_factory=list)
    emotion_gold: list[set[str]] = field(default_factory=list)
    emotion_pred: list[set[str]] = field(default_factory=list)
    deesc_correct: int = 0
    deesc_total: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def pair_accuracy(self) -> float:
        return self.pair_correct / self.pairs if self.pairs else 0.0

    @property
    def behaviour_f1(self) -> float:
        return micro_f1(self.behaviour_gold, self.behaviour_pred)

    @property
    def emotion_f1(self) -> float:
        return macro_f1(self.emotion_gold, self.emotion_pred, EMOTIONS)

    def behaviour_table(self) -> dict[str, float]:
        return per_label_f1(self.behaviour_gold, self.behaviour_pred, ALL_BEHAVIOURS)

    def emotion_table(self) -> dict[str, float]:
        return per_label_f1(self.emotion_gold, self.emotion_pred, EMOTIONS)


def records(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON records of a cs_cases-format file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def evaluate(path: Path, analyzer: Analyzer, name: str | None = None) -> CsResult:
    """Run the analyzer over every record of *path* and collect the figures."""
    res = CsResult(name or path.stem)
    for rec in records(path):
        kind = rec["kind"]
        if kind == "conversation":
            _conversation(rec, analyzer, res)
        elif kind == "pair":
            _pair(rec, analyzer, res)
        elif kind == "emotion":
            conv = {"id": rec["id"], "turns": [{"speaker": "customer", "text": rec["text"]}]}
            out = analyzer.analyze(conv)
            res.emotion_gold.append({e["label"] for e in rec["emotions"]})
            res.emotion_pred.append(_emotions(out.turns[0]))
    return res


def _emotions(turn: Any) -> set[str]:
    return {e.label for e in turn.customer.emotions} if turn.customer else set()


def _conversation(rec: dict[str, Any], analyzer: Analyzer, res: CsResult) -> None:
    conv = {
        "id": rec["id"],
        "customer_name": rec.get("customer_name"),
        "channel": rec.get("channel"),
        "turns": [{"speaker": t["speaker"], "text": t["text"]} for t in rec["turns"]],
    }
    out = analyzer.analyze(conv)
    for gold, got in zip(rec["turns"], out.turns, strict=True):
        if gold["speaker"] == "customer":
            res.emotion_gold.append({e["label"] for e in gold["emotions"]})
            res.emotion_pred.append(_emotions(got))
        else:
            res.behaviour_gold.append(set(gold["behaviours"]) | set(gold["anti_patterns"]))
            res.behaviour_pred.append({a.label for a in got.behaviours()})
    res.deesc_total += 1
    res.deesc_correct += int(bool(out.deescalated) == bool(rec["deescalated"]))


def _pair(rec: dict[str, Any], analyzer: Analyzer, res: CsResult) -> None:
    scores = {}
    for side in ("a", "b"):
        turns = [{"speaker": t["speaker"], "text": t["text"]} for t in rec["context"]]
        turns.append({"speaker": "agent", "text": rec[f"reply_{side}"]})
        out = analyzer.analyze(
            {"id": f"{rec['id']}-{side}", "turns": turns, "customer_name": rec.get("customer_name")}
        )
        last = out.turns[-1]
        scores[side] = last.score.value if last.score else 0
    better, worse = rec["better"], "b" if rec["better"] == "a" else "a"
    res.pairs += 1
    res.pair_correct += int(scores[better] > scores[worse])
    res.pair_ties += int(scores[better] == scores[worse])
