"""Grading one answer to one exercise with the engine, with specific feedback.

Reply exercises (paraphrase, reflect_feeling, clarifying_question, rewrite_macro,
graceful_no, free_reply) run :func:`warmline.engine.assist.check_draft` on the answer as the
agent's next turn and pass when every check of the kind holds; ``name_emotion`` compares the
answer with the item's emotion and with the engine's reading of the customer's message;
``spot_bias`` compares the chosen sentences with the answer key and shows the engine's
anti-pattern reading as the explanation. Nothing is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from warmline.engine.assist import DraftCheck, check_draft, default_analyzer
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.data import GradingText, grading_text
from warmline.practice.curriculum.errors import AnswerError
from warmline.practice.curriculum.model import Exercise

#: Behaviours that show the trainee listened (a paraphrase or a reflected feeling).
_LISTENING = frozenset({"paraphrase", "reflect_feeling"})
_FEELING = frozenset({"reflect_feeling", "acknowledge_emotion"})
_WAY_FORWARD = frozenset({"graceful_no", "solution"})
_HARD_NO = frozenset({"bare_refusal", "blame"})
#: A rewrite this similar to the original (0-1, difflib ratio) is still the original.
_SAME_TEXT = 0.8
#: At most this many of the engine's tips for missing behaviours are added to the feedback.
_ENGINE_TIPS = 2
#: An emotion the engine reads at or above this score counts as present (partial credit).
_ALSO_PRESENT = 0.5


@dataclass(frozen=True, slots=True)
class Feedback:
    """One feedback line: ``worked`` (keep doing it), ``try`` (do this next time) or ``engine``
    (what the engine read, as an explanation)."""

    kind: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready data."""
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the engine found and the words it found it in."""

    label: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready data."""
        return {"label": self.label, "text": self.text}


@dataclass(frozen=True, slots=True)
class Grade:
    """The result of grading one answer: pass or not, a 0-100 score, and why."""

    exercise: str
    kind: str
    passed: bool
    score: int
    found: tuple[str, ...]
    missing: tuple[str, ...]
    feedback: tuple[Feedback, ...]
    evidence: tuple[Evidence, ...]
    model_answer: str
    engine_score: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "exercise": self.exercise,
            "kind": self.kind,
            "passed": self.passed,
            "score": self.score,
            "found": list(self.found),
            "missing": list(self.missing),
            "feedback": [f.to_dict() for f in self.feedback],
            "evidence": [e.to_dict() for e in self.evidence],
            "model_answer": self.model_answer,
            "engine_score": self.engine_score,
        }


@dataclass(frozen=True, slots=True)
class _Check:
    """One criterion of a reply exercise: its feedback key, whether it held, template values."""

    key: str
    ok: bool
    values: dict[str, Any]


def grade(exercise: Exercise, answer: str, *, analyzer: Analyzer | None = None) -> Grade:
    """Grade *answer* to *exercise*; raises AnswerError for an empty or malformed answer."""
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError(f"{exercise.id}: the answer is empty; write it first")
    engine = analyzer if analyzer is not None else default_analyzer()
    text = grading_text()
    if exercise.kind == "name_emotion":
        return _grade_emotion(exercise, answer.strip(), engine, text)
    if exercise.kind == "spot_bias":
        return _grade_bias(exercise, answer.strip(), engine, text)
    return _grade_reply(exercise, answer.strip(), engine, text)


def _grade_reply(ex: Exercise, answer: str, engine: Analyzer, text: GradingText) -> Grade:
    check = check_draft(
        [t.to_dict() for t in ex.context],
        answer,
        customer_name=ex.customer_name,
        analyzer=engine,
    )
    checks = _CHECKS[ex.kind](ex, answer, check, text)
    passed = all(c.ok for c in checks)
    share = sum(c.ok for c in checks) / len(checks)
    feedback = [Feedback("worked", text.say(c.key, "worked", **c.values)) for c in checks if c.ok]
    feedback += [Feedback("try", text.say(c.key, "try", **c.values)) for c in checks if not c.ok]
    failed = {c.key for c in checks if not c.ok}
    if failed - {"clean", "not_robotic", "no_hard_no"}:
        feedback += [Feedback("try", m.message) for m in check.missing if m.message][:_ENGINE_TIPS]
    feedback += [Feedback("try", w.message) for w in check.warnings if w.message]
    return Grade(
        exercise=ex.id,
        kind=ex.kind,
        passed=passed,
        score=round(0.5 * check.score + 50 * share),
        found=tuple(dict.fromkeys(b.label for b in check.behaviours)),
        missing=tuple(
            dict.fromkeys([*(c.key for c in checks if not c.ok), *(m.label for m in check.missing)])
        ),
        feedback=tuple(dict.fromkeys(feedback)),
        evidence=tuple(
            [Evidence(b.label, b.text) for b in check.behaviours]
            + [Evidence(w.label, w.text) for w in check.warnings]
        ),
        model_answer=ex.model_answer,
        engine_score=check.score,
    )


def _found(check: DraftCheck) -> set[str]:
    return {b.label for b in check.behaviours}


def _common(ex: Exercise, answer: str, check: DraftCheck) -> list[_Check]:
    """The checks every reply kind shares: required behaviours, key facts, name, no anti-pattern."""
    checks = []
    if ex.requires:
        lacking = [b for b in ex.requires if b not in _found(check)]
        labels = ", ".join(lacking or ex.requires).replace("_", " ")
        checks.append(_Check("requires", not lacking, {"labels": labels}))
    if ex.key_facts:
        covered = [f for f in ex.key_facts if _mentions(answer, f)]
        missed = [f for f in ex.key_facts if f not in covered]
        checks.append(
            _Check(
                "facts",
                len(covered) >= ex.facts_needed,
                {
                    "covered": ", ".join(f[0] for f in covered) or "none",
                    "missed": ", ".join(f[0] for f in missed),
                },
            )
        )
    if ex.use_name and ex.customer_name:
        used = _mentions(answer, (ex.customer_name.lower(),))
        checks.append(_Check("uses_name", used, {"name": ex.customer_name}))
    labels = ", ".join(w.label.replace("_", " ") for w in check.warnings)
    checks.append(_Check("clean", not check.warnings, {"labels": labels}))
    return checks


def _threshold(ex: Exercise, check: DraftCheck) -> list[_Check]:
    if ex.threshold is None:
        return []
    values = {"score": check.score, "threshold": ex.threshold}
    return [_Check("threshold", check.score >= ex.threshold, values)]


def _paraphrase(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    return [_Check("listens", bool(_found(check) & _LISTENING), {}), *_common(ex, answer, check)]


def _reflect(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    checks = [_Check("reflects", bool(_found(check) & _FEELING), {})]
    if ex.answer is not None:
        words = (*text.emotion_words[ex.answer], *(a.lower() for a in ex.accept))
        checks.append(_Check("names_feeling", _mentions(answer, words), {"emotion": ex.answer}))
    return [*checks, *_common(ex, answer, check)]


def _clarify(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    asked = "clarifying_question" in _found(check)
    return [_Check("asks", asked, {}), *_common(ex, answer, check)]


def _own_words(ex: Exercise, answer: str) -> _Check:
    """A rewrite that keeps the original nearly word for word does not count as one."""
    ratio = SequenceMatcher(None, (ex.original or "").lower(), answer.lower()).ratio()
    return _Check("own_words", ratio < _SAME_TEXT, {})


def _rewrite(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    robotic = any(w.label == "robotic_script" for w in check.warnings)
    return [
        _own_words(ex, answer),
        _Check("not_robotic", not robotic, {}),
        *_threshold(ex, check),
        *_common(ex, answer, check),
    ]


def _graceful(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    hard = any(w.label in _HARD_NO for w in check.warnings)
    return [
        _own_words(ex, answer),
        _Check("offers_way", _offers_way(check), {}),
        _Check("no_hard_no", not hard, {}),
        *_threshold(ex, check),
        *_common(ex, answer, check),
    ]


def _offers_way(check: DraftCheck) -> bool:
    """A way forward outside the refusal itself (the engine may read a bare no as a solution)."""
    refusals = [(w.start, w.end) for w in check.warnings if w.label == "bare_refusal"]
    return any(
        b.label in _WAY_FORWARD and not any(s <= b.start and b.end <= e for s, e in refusals)
        for b in check.behaviours
    )


def _free(ex: Exercise, answer: str, check: DraftCheck, text: GradingText) -> list[_Check]:
    return [*_threshold(ex, check), *_common(ex, answer, check)]


_CHECKS: dict[str, Callable[[Exercise, str, DraftCheck, GradingText], list[_Check]]] = {
    "paraphrase": _paraphrase,
    "reflect_feeling": _reflect,
    "clarifying_question": _clarify,
    "rewrite_macro": _rewrite,
    "graceful_no": _graceful,
    "free_reply": _free,
}


def _mentions(answer: str, alternatives: tuple[str, ...]) -> bool:
    """True when *answer* contains any alternative, as a word or phrase start (refund~refunded)."""
    lower = answer.lower().replace("’", "'")
    return any(re.search(r"(?<![a-z0-9])" + re.escape(alt), lower) for alt in alternatives)


def _grade_emotion(ex: Exercise, answer: str, engine: Analyzer, text: GradingText) -> Grade:
    expected = ex.answer or "neutral"
    extra = {a.lower() for a in ex.accept}
    chosen = expected if answer.lower().strip(" .!") in extra else text.emotion_of(answer)
    reading = _customer_reading(ex, engine)
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


def _customer_reading(ex: Exercise, engine: Analyzer) -> list[tuple[str, float, int, str]]:
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


def _grade_bias(ex: Exercise, answer: str, engine: Analyzer, text: GradingText) -> Grade:
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


__all__ = ["Evidence", "Feedback", "Grade", "grade", "parse_choice"]
