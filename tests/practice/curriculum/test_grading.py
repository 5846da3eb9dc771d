"""Grading with the engine: every shipped item is gradable, and feedback says why."""

from __future__ import annotations

import json

import pytest

from warmline.engine.assist import default_analyzer
from warmline.practice.curriculum import (
    AnswerError,
    Exercise,
    Module,
    get_module,
    grade,
    grade_exercise,
    shipped_modules,
)
from warmline.practice.curriculum.choices import customer_reading, parse_choice

ITEMS = [(m, e) for m in shipped_modules() for e in m.items()]
IDS = [f"{m.id}/{e.id}" for m, e in ITEMS]


@pytest.mark.parametrize(("module", "item"), ITEMS, ids=IDS)
def test_the_model_answer_passes_and_the_poor_example_fails(module: Module, item: Exercise) -> None:
    good = grade(item, item.model_answer)
    poor = grade(item, item.poor_example)
    assert good.passed, [f.text for f in good.feedback if f.kind == "try"]
    assert not poor.passed
    assert 0 <= poor.score < good.score <= 100
    assert any(f.kind == "try" for f in poor.feedback)
    assert poor.model_answer == item.model_answer


@pytest.mark.parametrize(
    ("module", "item"),
    [(m, e) for m, e in ITEMS if e.kind == "name_emotion"],
    ids=[i for i, (m, e) in zip(IDS, ITEMS, strict=True) if e.kind == "name_emotion"],
)
def test_the_engine_reads_each_name_emotion_answer_as_the_strongest(
    module: Module, item: Exercise
) -> None:
    reading = customer_reading(item, default_analyzer())
    assert reading and reading[0][0] == item.answer


def test_emotion_synonyms_listed_words_and_partial_credit() -> None:
    hold = get_module("introduction").exercise("name-the-feeling-hold")
    assert grade(hold, "Fed up").passed
    assert grade(hold, "impatient").passed  # the item's own accept list
    partial = grade(hold, "angry")  # the engine hears anger too, but less strongly
    assert (partial.passed, partial.score) == (False, 50)
    assert "frustration" in partial.feedback[0].text
    wrong = grade(hold, "sad")
    assert (wrong.passed, wrong.score) == (False, 0)
    unknown = grade(hold, "purple")
    assert unknown.score == 0 and "for example" in unknown.feedback[0].text
    assert any(f.kind == "engine" and "fifty minutes" in f.text for f in wrong.feedback)


def test_spot_bias_scores_the_overlap_and_explains_with_the_engine() -> None:
    item = get_module("introduction").exercise("spot-the-brush-off")
    half = grade(item, "2")
    assert (half.passed, half.score, half.missing) == (False, 50, ("4",))
    extra = grade(item, "1 2 4")
    assert not extra.passed and extra.score == 67
    assert any("fair as written" in f.text for f in extra.feedback)
    assert any(e.label == "blame" for e in half.evidence)
    assert grade(item, "none").score == 0


@pytest.mark.parametrize("answer", ["two", "5", "0 2", "2,,x"])
def test_malformed_sentence_choices_are_refused(answer: str) -> None:
    with pytest.raises(AnswerError):
        parse_choice(answer, 4)


def test_an_empty_answer_is_refused() -> None:
    with pytest.raises(AnswerError, match="empty"):
        grade_exercise("introduction", "reflect-broken-gift", "  ")


def test_resending_the_macro_does_not_count_as_a_rewrite() -> None:
    item = get_module("personalisation").exercise("rewrite-delivery-macro")
    result = grade(item, item.original or "")
    assert "own_words" in result.missing and not result.passed


def test_a_reply_grade_quotes_the_engine_and_is_json_ready() -> None:
    result = grade_exercise(
        "problem-solving",
        "graceful-no-mattress",
        "Paul, I'm sorry it's hurting your back. We can't refund a used mattress, "
        "but I can send a firmer topper free this week.",
    )
    assert result.passed and result.engine_score is not None
    assert {"graceful_no", "personalization"} <= set(result.found)
    assert any(e.label == "graceful_no" and "but I can" in e.text for e in result.evidence)
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {
        "exercise",
        "kind",
        "passed",
        "score",
        "found",
        "missing",
        "feedback",
        "evidence",
        "model_answer",
        "engine_score",
    }


def test_a_bare_no_gets_specific_feedback() -> None:
    result = grade_exercise("problem-solving", "graceful-no-mattress", "No, we don't do refunds.")
    assert {"offers_way", "no_hard_no", "uses_name"} <= set(result.missing)
    assert any(e.label == "bare_refusal" for e in result.evidence)


def test_a_paraphrase_must_keep_the_key_facts() -> None:
    item = get_module("active-listening").exercise("paraphrase-double-charge")
    vague = grade(item, "So you've had a problem with a payment and it has caused you trouble.")
    assert "facts" in vague.missing and not vague.passed
    assert any("you left out" in f.text for f in vague.feedback)
