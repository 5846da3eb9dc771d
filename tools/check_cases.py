"""Check a cs_cases-format file strictly, the way the shared README defines it, and count it.

Beyond what ``warmline train`` reads (warmline.labelled), this checks what makes a file fit to
train and measure on: unique ids, one evidence span per label and each span an exact substring
of its turn, ``neutral`` alone at intensity 1, ``offer_human`` on bot turns only, anti-patterns
under ``anti_patterns`` and behaviours under ``behaviours``, 3-10 turns per conversation.

Usage: python tools/check_cases.py FILE.jsonl [FILE.jsonl ...]   (exit status 1 on a problem)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from warmline.engine.labels import (  # noqa: E402
    ANTI_PATTERNS,
    BEHAVIOURS,
    BOT_ONLY,
    EMOTIONS,
    FOCUS_VALUES,
)
from warmline.labelled import LabelledDataError, read_labelled  # noqa: E402

SPEAKERS = ("customer", "agent", "bot")


def _emotions(value: Any, where: str) -> list[str]:
    problems = []
    if not isinstance(value, list) or not value:
        return [f"{where}: 'emotions' must be a non-empty list"]
    labels = [e.get("label") for e in value if isinstance(e, dict)]
    if len(labels) != len(value) or len(set(labels)) != len(labels):
        problems.append(f"{where}: 'emotions' must be distinct {{label, intensity}} objects")
    for item in value:
        if isinstance(item, dict):
            if item.get("label") not in EMOTIONS:
                problems.append(f"{where}: unknown emotion {item.get('label')!r}")
            if item.get("intensity") not in (1, 2, 3):
                problems.append(f"{where}: intensity must be 1, 2 or 3")
    if "neutral" in labels and (len(labels) > 1 or value[0].get("intensity") != 1):
        problems.append(f"{where}: 'neutral' stands alone, at intensity 1")
    return problems


def _customer(rec: dict[str, Any], where: str) -> list[str]:
    problems = _emotions(rec.get("emotions"), where)
    if not isinstance(rec.get("abusive"), bool):
        problems.append(f"{where}: 'abusive' must be true or false")
    if rec.get("focus") not in FOCUS_VALUES:
        problems.append(f"{where}: 'focus' must be one of {', '.join(FOCUS_VALUES)}")
    return problems


def _agent(turn: dict[str, Any], where: str) -> list[str]:
    problems = []
    good = turn.get("behaviours", [])
    bad = turn.get("anti_patterns", [])
    evidence = turn.get("evidence", {})
    if not isinstance(good, list) or not isinstance(bad, list) or not isinstance(evidence, dict):
        return [f"{where}: 'behaviours', 'anti_patterns' (lists) and 'evidence' (object) needed"]
    for label in good:
        if label not in BEHAVIOURS:
            problems.append(f"{where}: {label!r} is not a behaviour")
    for label in bad:
        if label not in ANTI_PATTERNS:
            problems.append(f"{where}: {label!r} is not an anti-pattern")
    if len(set(good + bad)) != len(good + bad):
        problems.append(f"{where}: a label is listed twice")
    if set(evidence) != set(good + bad):
        problems.append(f"{where}: 'evidence' keys must be exactly the labels")
    for label, span in evidence.items():
        if not isinstance(span, str) or not span or span not in turn.get("text", ""):
            problems.append(f"{where}: evidence for {label!r} is not in the turn text")
    for label in BOT_ONLY & set(good):
        if turn.get("speaker") != "bot":
            problems.append(f"{where}: {label!r} is for bot turns only")
    return problems


def check_record(rec: dict[str, Any], where: str) -> list[str]:
    """Every problem of one record, each naming where it is."""
    kind = rec.get("kind")
    if kind == "emotion":
        if not isinstance(rec.get("text"), str) or not rec["text"].strip():
            return [f"{where}: 'text' must be non-empty"]
        return _customer(rec, where)
    if kind == "pair":
        problems = []
        for key in ("reply_a", "reply_b", "reason"):
            if not isinstance(rec.get(key), str) or not rec[key].strip():
                problems.append(f"{where}: '{key}' must be non-empty text")
        if rec.get("better") not in ("a", "b"):
            problems.append(f"{where}: 'better' must be 'a' or 'b'")
        return problems
    turns = rec.get("turns")
    if not isinstance(turns, list) or not 3 <= len(turns) <= 10:
        return [f"{where}: a conversation has 3-10 turns"]
    problems = []
    if not isinstance(rec.get("deescalated"), bool):
        problems.append(f"{where}: 'deescalated' must be true or false")
    for i, turn in enumerate(turns, start=1):
        at = f"{where} turn {i}"
        if turn.get("speaker") not in SPEAKERS or not str(turn.get("text", "")).strip():
            problems.append(f"{at}: speaker must be customer/agent/bot and text non-empty")
        elif turn["speaker"] == "customer":
            problems += _customer(turn, at)
        else:
            problems += _agent(turn, at)
    return problems


def check_file(path: Path) -> tuple[list[str], Counter[str]]:
    """(problems, counts) of one file."""
    counts: Counter[str] = Counter()
    try:
        read_labelled(path)
    except LabelledDataError as exc:
        return [str(exc)], counts
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        where = f"{path.name} line {number} ({rec.get('id')})"
        if rec.get("id") in seen:
            problems.append(f"{where}: id used twice")
        seen.add(str(rec.get("id")))
        problems += check_record(rec, where)
        counts[f"record: {rec['kind']}"] += 1
        for turn in rec.get("turns", []):
            counts[f"turn: {turn.get('speaker')}"] += 1
            for label in turn.get("behaviours", []) + turn.get("anti_patterns", []):
                counts[label] += 1
            for emo in turn.get("emotions", []):
                counts[f"emotion: {emo.get('label')}"] += 1
        for emo in rec.get("emotions", []):
            counts[f"emotion: {emo.get('label')}"] += 1
    return problems, counts


def main(argv: list[str]) -> int:
    failed = False
    for name in argv:
        problems, counts = check_file(Path(name))
        for problem in problems:
            print(problem)
        failed |= bool(problems)
        print(f"{name}: {'ok' if not problems else f'{len(problems)} problems'}")
        for key, n in sorted(counts.items()):
            print(f"  {key}: {n}")
    return 1 if failed or not argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
