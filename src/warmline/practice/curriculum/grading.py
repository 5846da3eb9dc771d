"""Grading one answer to one exercise with the engine, with specific feedback.

Reply exercises (paraphrase, reflect_feeling, clarifying_question, rewrite_macro,
graceful_no, free_reply) run :func:`warmline.engine.assist.check_draft` on the answer as the
agent's next turn and pass when every check of the kind holds (each check has its
``worked`` and ``try`` lines in ``grading.yaml``); ``name_emotion`` and ``spot_bias`` are
graded in :mod:`warmline.practice.curriculum.choices`. Nothing is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from warmline.engine.assist import DraftCheck, check_draft, default_analyzer
from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum.choices import grade_bias, grade_emotion, parse_choice
from warmline.practice.curriculum.data import GradingText, grading_text
from warmline.practice.curriculum.errors import AnswerError
from warmline.practice.curriculum.model import Exercise
from warmline.practice.curriculum.results import Evidence, Feedback, Grade

#: Behaviours that show the trainee listened (a paraphrase or a reflected feeling).
_LISTENING = frozenset({"paraphrase", "reflect_feeling"})
_FEELING = frozenset({"reflect_feeling", "acknowledge_emotion"})
_WAY_FORWARD = frozenset({"graceful_no", "solution"})
_HARD_NO = frozenset({"bare_refusal", "blame"})
#: A rewrite this similar to the original (0-1, difflib ratio) is still the original.
_SAME_TEXT = 0.8
#: At most this many of the engine's tips for missing behaviours are added to the feedback.
_ENGINE_TIPS = 2


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
        return grade_emotion(exercise, answer.strip(), engine, text)
    if exercise.kind == "spot_bias":
        return grade_bias(exercise, answer.strip(), engine, text)
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


__all__ = ["Evidence", "Feedback", "Grade", "grade", "parse_choice"]
