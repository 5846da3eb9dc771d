"""Benchmarks on the public research sets, with the label mappings of ../shared/data/README.md.

Warmline never trains on these sets; they measure how the engine holds up on text unlike
customer service (Reddit comments, peer support). Each function returns named figures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from metrics import macro_f1, single_macro_f1
from warmline.engine.labels import EMOTIONS
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


def goemotions(path: Path, analyzer: Analyzer, limit: int | None = None) -> dict[str, float]:
    """9-label macro-F1 and Ekman macro-F1 on GoEmotions comments read as customer turns."""
    gold9, pred9, gold_ek, pred_ek = [], [], [], []
    for n, row in enumerate(_lines(path)):
        if limit is not None and n >= limit:
            break
        out = analyzer.analyze(
            {"id": row["id"], "turns": [{"speaker": "customer", "text": row["text"]}]}
        )
        state = out.turns[0].customer
        predicted = {e.label for e in state.emotions} if state else set()
        mapped = {GOEMOTIONS_MAP[lab] for lab in row["labels"] if lab in GOEMOTIONS_MAP}
        if mapped:
            gold9.append(mapped)
            pred9.append(predicted)
        ekman = {lab for lab in row["ekman"] if lab in EKMAN}
        if ekman:
            gold_ek.append(ekman)
            pred_ek.append({TO_EKMAN[p] for p in predicted})
    return {
        "goemotions_9_macro_f1": macro_f1(gold9, pred9, EMOTIONS),
        "goemotions_ekman_macro_f1": macro_f1(gold_ek, pred_ek, EKMAN),
        "goemotions_rows": float(len(gold9)),
    }


def epitome(path: Path, analyzer: Analyzer) -> dict[str, float]:
    """Macro-F1 over levels 0/1/2 per mechanism, the response read as an agent reply."""
    gold: dict[str, list[str]] = {
        m: [] for m in ("emotional_reactions", "interpretations", "explorations")
    }
    pred: dict[str, list[str]] = {m: [] for m in gold}
    for row in _lines(path):
        out = analyzer.analyze(
            {
                "id": row["id"],
                "turns": [
                    {"speaker": "customer", "text": row["seeker_post"]},
                    {"speaker": "agent", "text": row["response_post"]},
                ],
            }
        )
        levels = out.turns[1].mechanisms
        for mech in gold:
            gold[mech].append(str(row[mech]))
            pred[mech].append(str(levels.get(mech, 0)))
    figures = {
        f"epitome_{m}_macro_f1": single_macro_f1(gold[m], pred[m], ("0", "1", "2")) for m in gold
    }
    figures["epitome_rows"] = float(len(gold["explorations"]))
    return figures


def _esconv_class(labels: set[str]) -> str:
    for ids, cls in _ESCONV_PRED:
        if any(i in labels for i in ids):
            return cls
    return "other"


def esconv(path: Path, analyzer: Analyzer) -> dict[str, float]:
    """6-class macro-F1 on supporter turns, each analysed after its dialogue context."""
    gold, pred = [], []
    for conv in _lines(path):
        turns = [
            {
                "speaker": "customer" if t["speaker"] == "seeker" else "agent",
                "text": t["text"] or ".",
            }
            for t in conv["turns"]
        ]
        out = analyzer.analyze({"id": conv["id"], "turns": turns})
        for raw, result in zip(conv["turns"], out.turns, strict=True):
            if raw["speaker"] != "supporter":
                continue
            gold.append(_ESCONV_GOLD.get(raw.get("strategy") or "", "other"))
            pred.append(_esconv_class({a.label for a in result.behaviours()}))
    return {
        "esconv_6_macro_f1": single_macro_f1(gold, pred, ESCONV_CLASSES),
        "esconv_turns": float(len(gold)),
    }
