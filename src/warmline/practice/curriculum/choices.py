"""Graders of the exercises answered by a choice: ``name_emotion`` and ``spot_bias``.

``name_emotion`` compares the answer with the item's emotion (through the emotion words of
``grading.yaml`` and the item's ``accept`` list) and with the engine's reading of the
customer's message; ``spot_bias`` compares the chosen sentences with the answer key and
shows the engine's anti-pattern reading of the reply as the explanation.
"""

from __future__ import annotations

import re

from warmline.engine.assist import check_draft
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.data import GradingText
from warmline.practice.curriculum.errors import AnswerError
from warmline.practice.curriculum.model import Exercise
from warmline.practice.curriculum.results import Evidence, Feedback, Grade

#: An emotion the engine reads at or above this score counts as present (partial credit).
_ALSO_PRESENT = 0.5


def grade_emotion(ex: Exercise, answer: str, engine: Analyzer, text: GradingText) -> Grade:
    expected = ex.answer or "neutral"
    extra = {a.lower() for a in ex.accept}
    chosen = expected if answer.lower().strip(" .!") in extra else text.emotion_of(answer)
    reading = customer_reading(ex, engine)
    evidence = tuple(Evidence(label, quote) for label, _, _, quote in reading)
    engine_lines = [
        Feedback(
            "engine",
            text.say("engine_reads", "engine", emotion=label, intensity=level, quote=quote),
        )
        for label, _, level, quote in reading[:2]
        if quote
    ]
    present = {label for label, score, _, _ in reading if score >= _ALSO_PRESENT}
    missing: tuple[str, ...] = (expected,)
    if chosen == expected:
        lines = [Feedback("worked", text.say("emotion_right", "worked", emotion=expected))]
        score, missing = 100, ()
    elif chosen is not None and chosen in present:
        lines = [
            Feedback("try", text.say("emotion_partial", "try", chosen=chosen, emotion=expected))
        ]
        score = 50
    elif chosen is not None:
        lines = [Feedback("try", text.say("emotion_right", "try", emotion=expected))]
        score = 0
    else:
        examples = ", ".join(text.emotion_words[expected][:1] + ("confused", "worried", "let down"))
        lines = [Feedback("try", text.say("emotion_unknown", "try", examples=examples))]
        score = 0
    return Grade(
        exercise=ex.id,
        kind=ex.kind,
        passed=score == 100,
        score=score,
        found=(chosen,) if chosen else (),
        missing=missing,
        feedback=tuple(lines + engine_lines),
        evidence=evidence,
        model_answer=ex.model_answer,
    )


def customer_reading(ex: Exercise, engine: Analyzer) -> list[tuple[str, float, int, str]]:
    """The engine's emotions of the last customer turn: label, score, intensity, quote."""
    record = {"id": ex.id, "turns": [t.to_dict() for t in ex.context]}
    analysis = engine.analyze(conversation_from_dict(record))
    last = next((t for t in reversed(analysis.turns) if t.customer is not None), None)
    if last is None or last.customer is None:
        return []
    out = []
    for e in last.customer.emotions:
        quote = "" if e.evidence is None else last.turn.text[e.evidence.start : e.evidence.end]
        out.append((e.label, e.score, e.intensity, quote))
    return out


def parse_choice(answer: str, count: int) -> frozenset[int]:
    """The sentence numbers in *answer* ("2, 4", "2 4", or "none"); AnswerError when out of range."""
    if answer.strip().lower() in {"none", "-", "0"}:
        return frozenset()
    parts = [p for p in re.split(r"[\s,;]+", answer.strip()) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise AnswerError(f"expected sentence numbers such as '2, 4' (or 'none'), got {answer!r}")
    numbers = frozenset(int(p) for p in parts)
    if not all(1 <= n <= count for n in numbers):
        raise AnswerError(f"sentence numbers go from 1 to {count}, got {answer!r}")
    return numbers


def grade_bias(ex: Exercise, answer: str, engine: Analyzer, text: GradingText) -> Grade:
    chosen = parse_choice(answer, len(ex.sentences))
    key = frozenset(ex.biased)
    union = chosen | key
    score = 100 if not union else round(100 * len(chosen & key) / len(union))
    lines = []
    for n in sorted(union):
        values = {"number": n, "sentence": ex.sentences[n - 1], "note": ex.notes.get(n, "")}
        if n in chosen and n in key:
            lines.append(Feedback("worked", text.say("bias_found", "worked", **values).strip()))
        elif n in key:
            lines.append(Feedback("try", text.say("bias_missed", "try", **values).strip()))
        else:
            lines.append(Feedback("try", text.say("bias_wrong", "try", **values).strip()))
    evidence, engine_lines = _bias_reading(ex, engine, text)
    return Grade(
        exercise=ex.id,
        kind=ex.kind,
        passed=chosen == key,
        score=score,
        found=tuple(str(n) for n in sorted(chosen & key)),
        missing=tuple(str(n) for n in sorted(key - chosen)),
        feedback=tuple(lines + engine_lines),
        evidence=evidence,
        model_answer=ex.model_answer,
    )


def _bias_reading(
    ex: Exercise, engine: Analyzer, text: GradingText
) -> tuple[tuple[Evidence, ...], list[Feedback]]:
    """The engine's anti-patterns in the reply, each placed in the sentence it falls in."""
    reply = " ".join(ex.sentences)
    check = check_draft([t.to_dict() for t in ex.context], reply, analyzer=engine)
    starts, position = [], 0
    for sentence in ex.sentences:
        starts.append(position)
        position += len(sentence) + 1
    evidence, lines = [], []
    for w in check.warnings:
        number = sum(1 for s in starts if s <= w.start)
        evidence.append(Evidence(w.label, w.text))
        label = w.label.replace("_", " ")
        lines.append(
            Feedback(
                "engine",
                text.say("bias_engine", "engine", label=label, quote=w.text, number=number),
            )
        )
    return tuple(evidence), lines


__all__ = ["customer_reading", "grade_bias", "grade_emotion", "parse_choice"]
