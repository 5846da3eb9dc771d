"""Benchmarks on the public research sets, with the label mappings of ../shared/data/README.md.

They measure how the engine holds up on text unlike customer service (Reddit comments, peer
support). Warmline never trains on EPITOME or ESConv; its shipped emotion model is fitted on the
GoEmotions orig *train* rows, so GoEmotions is scored on the orig dev + test rows only. Loaders
and scorers are separate so that the peers (benchmarks/peers.py) are scored on exactly the same
rows with exactly the same code. Each `*_scores` function returns named figures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from metrics import macro_f1, single_macro_f1
from warmline.engine.labels import EMOTIONS, MECHANISMS
from warmline.engine.pipeline import Analyzer

GOEMOTIONS_MAP = {
    "anger": "anger",
    "disgust": "anger",
    "annoyance": "frustration",
    "disappointment": "disappointment",
    "confusion": "confusion",
    "nervousness": "anxiety",
    "fear": "anxiety",
    "sadness": "sadness",
    "grief": "sadness",
    "remorse": "sadness",
    "joy": "joy",
    "excitement": "joy",
    "amusement": "joy",
    "love": "joy",
    "optimism": "joy",
    "relief": "joy",
    "pride": "joy",
    "admiration": "joy",
    "gratitude": "gratitude",
    "neutral": "neutral",
}
TO_EKMAN = {
    "anger": "anger",
    "frustration": "anger",
    "anxiety": "fear",
    "joy": "joy",
    "gratitude": "joy",
    "sadness": "sadness",
    "disappointment": "sadness",
    "confusion": "surprise",
    "neutral": "neutral",
}
EKMAN = ("anger", "fear", "joy", "sadness", "surprise", "neutral")
ESCONV_CLASSES = ("question", "paraphrase", "reflection", "affirmation", "suggestion", "other")
_ESCONV_GOLD = {
    "Question": "question",
    "Restatement or Paraphrasing": "paraphrase",
    "Reflection of feelings": "reflection",
    "Affirmation and Reassurance": "affirmation",
    "Providing Suggestions": "suggestion",
}
_ESCONV_PRED = (
    (("reflect_feeling", "acknowledge_emotion"), "reflection"),
    (("paraphrase",), "paraphrase"),
    (("clarifying_question",), "question"),
    (("solution",), "suggestion"),
    (("reassurance", "validate"), "affirmation"),
)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def goemotions_rows(path: Path, split: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of one side of GoEmotions: "train" (orig train) or "eval" (orig dev + test)."""
    rows = []
    for row in _lines(path):
        if (row["orig_split"] == "train") == (split == "train"):
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def goemotions_gold(row: dict[str, Any]) -> set[str]:
    """The row's GoEmotions labels mapped to Warmline's 9 (empty when none maps)."""
    return {GOEMOTIONS_MAP[lab] for lab in row["labels"] if lab in GOEMOTIONS_MAP}


def goemotions_scores(rows: list[dict[str, Any]], predicted: list[set[str]]) -> dict[str, float]:
    """9-label and Ekman macro-F1 of predicted Warmline emotion sets, one per row."""
    gold9, pred9, gold_ek, pred_ek = [], [], [], []
    for row, labels in zip(rows, predicted, strict=True):
        mapped = goemotions_gold(row)
        if mapped:
            gold9.append(mapped)
            pred9.append(labels)
        ekman = {lab for lab in row["ekman"] if lab in EKMAN}
        if ekman:
            gold_ek.append(ekman)
            pred_ek.append({TO_EKMAN[p] for p in labels})
    return {
        "goemotions_9_macro_f1": macro_f1(gold9, pred9, EMOTIONS),
        "goemotions_ekman_macro_f1": macro_f1(gold_ek, pred_ek, EKMAN),
        "goemotions_rows": float(len(gold9)),
        "goemotions_ekman_rows": float(len(gold_ek)),
    }


def goemotions(path: Path, analyzer: Analyzer, limit: int | None = None) -> dict[str, float]:
    """Warmline on the GoEmotions orig dev + test rows, each comment read as a customer turn.

    The orig train rows are left out: Warmline's shipped emotion model is fitted on them.
    """
    rows = goemotions_rows(path, "eval", limit)
    predicted = []
    for row in rows:
        out = analyzer.analyze(
            {"id": row["id"], "turns": [{"speaker": "customer", "text": row["text"]}]}
        )
        state = out.turns[0].customer
        predicted.append({e.label for e in state.emotions} if state else set())
    return goemotions_scores(rows, predicted)


def epitome_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The (seeker post, response) rows of EPITOME combined.jsonl."""
    rows = list(_lines(path))
    return rows[:limit] if limit is not None else rows


def epitome_scores(rows: list[dict[str, Any]], levels: dict[str, list[int]]) -> dict[str, float]:
    """Macro-F1 over levels 0/1/2 per mechanism; *levels* maps mechanism -> level per row."""
    figures = {
        f"epitome_{m}_macro_f1": single_macro_f1(
            [str(r[m]) for r in rows], [str(x) for x in levels[m]], ("0", "1", "2")
        )
        for m in MECHANISMS
    }
    figures["epitome_rows"] = float(len(rows))
    return figures


def epitome(path: Path, analyzer: Analyzer, limit: int | None = None) -> dict[str, float]:
    """Macro-F1 over levels 0/1/2 per mechanism, the response read as an agent reply."""
    rows = epitome_rows(path, limit)
    levels: dict[str, list[int]] = {m: [] for m in MECHANISMS}
    for row in rows:
        out = analyzer.analyze(
            {
                "id": row["id"],
                "turns": [
                    {"speaker": "customer", "text": row["seeker_post"]},
                    {"speaker": "agent", "text": row["response_post"]},
                ],
            }
        )
        for mech in MECHANISMS:
            levels[mech].append(int(out.turns[1].mechanisms.get(mech, 0)))
    return epitome_scores(rows, levels)


def _esconv_class(labels: set[str]) -> str:
    for ids, cls in _ESCONV_PRED:
        if any(i in labels for i in ids):
            return cls
    return "other"


def esconv_conversations(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """ESConv dialogues (all, or the first *limit*)."""
    convs = list(_lines(path))
    return convs[:limit] if limit is not None else convs


def esconv_turns(convs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Supporter turns in file order: conversation id, text, previous seeker text, gold class."""
    turns = []
    for conv in convs:
        seeker = ""
        for t in conv["turns"]:
            if t["speaker"] == "seeker":
                seeker = t["text"] or ""
            if t["speaker"] != "supporter":
                continue
            gold = _ESCONV_GOLD.get(t.get("strategy") or "", "other")
            turns.append(
                {"conv": conv["id"], "text": t["text"] or "", "seeker": seeker, "gold": gold}
            )
    return turns


def esconv_scores(gold: list[str], pred: list[str]) -> dict[str, float]:
    """6-class macro-F1 of one predicted class per supporter turn."""
    return {
        "esconv_6_macro_f1": single_macro_f1(gold, pred, ESCONV_CLASSES),
        "esconv_turns": float(len(gold)),
    }


def esconv(path: Path, analyzer: Analyzer, limit: int | None = None) -> dict[str, float]:
    """6-class macro-F1 on supporter turns, each analysed after its dialogue context."""
    convs = esconv_conversations(path, limit)
    pred = []
    for conv in convs:
        turns = [
            {
                "speaker": "customer" if t["speaker"] == "seeker" else "agent",
                "text": t["text"] or ".",
            }
            for t in conv["turns"]
        ]
        out = analyzer.analyze({"id": conv["id"], "turns": turns})
        for raw, result in zip(conv["turns"], out.turns, strict=True):
            if raw["speaker"] == "supporter":
                pred.append(_esconv_class({a.label for a in result.behaviours()}))
    return esconv_scores([t["gold"] for t in esconv_turns(convs)], pred)
