"""Empathy mechanisms: the rules' levels from behaviours, the learned head, and how they combine."""

from __future__ import annotations

import pytest

from tests.helpers import conv, last_staff
from warmline.engine.detectors import DEFAULT_DETECTORS
from warmline.engine.detectors.mechanisms import (
    LEVELS,
    MechanismDetector,
    MechanismModelDetector,
    head_levels,
    mechanism_inputs,
    rule_levels,
)
from warmline.engine.labels import KIND_BEHAVIOUR, KIND_MECHANISM, MECHANISMS
from warmline.engine.learned import LinearHead, load_head
from warmline.engine.model import Annotation, conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.registry import Document

ANGRY = "This is the third time I've chased this order and it's still not here. Ridiculous."
GRIEF = "My mum passed away last week and I need to close her account."
NEUTRAL = "Hi, what time does the Leeds store open on Sunday?"


def found(*labels: str) -> list[Annotation]:
    return [
        Annotation(1, KIND_BEHAVIOUR, lab, i, i + 1, 0.9, "test@v1") for i, lab in enumerate(labels)
    ]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ((), {}),
        (("apology",), {"emotional_reactions": 1}),
        (("acknowledge_emotion",), {"emotional_reactions": 2}),
        (("validate", "acknowledge_emotion"), {"emotional_reactions": 2}),
        (("reflect_feeling",), {"emotional_reactions": 1, "interpretations": 2}),
        (("personalization",), {"interpretations": 1}),
        (("clarifying_question", "paraphrase"), {"explorations": 2, "interpretations": 2}),
        # a cold anti-pattern cancels weak warmth, not strong warmth
        (("apology", "hollow_apology"), {}),
        (("acknowledge_emotion", "robotic_script"), {"emotional_reactions": 2}),
    ],
)
def test_rule_levels_follow_the_behaviours(
    labels: tuple[str, ...], expected: dict[str, int]
) -> None:
    levels = rule_levels(found(*labels))
    assert {m: level for m, (level, _) in levels.items()} == expected


def toy_head() -> LinearHead:
    """Rates interpretations only: 'sounds' pushes it to 2, 'understand' to 1."""
    labels = tuple(f"interpretations={v}" for v in LEVELS)
    return LinearHead(
        "toy",
        labels,
        (1.0, 0.0, 0.0),
        (0.5, 0.5, 0.5),
        {"w:sounds": (1.0, (0.0, 0.0, 5.0)), "w:understand": (1.0, (0.0, 5.0, 0.0))},
        {},
    )


def detect(
    detector: MechanismModelDetector | MechanismDetector, customer: str, agent: str
) -> list[Annotation]:
    analyzer = Analyzer(
        detectors=[d for d in DEFAULT_DETECTORS if not d.startswith("mechanism.")], calibrate=False
    )
    doc = analyzer.detect(conv(("customer", customer), ("agent", agent)))
    return list(detector.detect(doc, 1))


def test_the_head_rates_its_mechanisms_and_the_rules_the_rest() -> None:
    reply = "I'm so sorry about your mum. I understand. What would help most today?"
    anns = detect(MechanismModelDetector(toy_head()), GRIEF, reply)
    levels = {a.label: a.value for a in anns}
    # interpretations from the toy head ('understand' -> 1); the others as the rules rate them
    assert levels["interpretations"] == 1
    ruled = {a.label: a.value for a in detect(MechanismDetector(), GRIEF, reply)}
    assert {m: v for m, v in levels.items() if m != "interpretations"} == {
        m: v for m, v in ruled.items() if m != "interpretations"
    }
    assert levels["explorations"] == 2
    for a in anns:
        assert a.kind == KIND_MECHANISM and a.detector == "mechanism.model@v1"
        assert 0 <= a.start < a.end <= len(reply) and 0.0 <= a.score <= 1.0


def test_a_level_without_a_supporting_behaviour_points_at_the_head_evidence() -> None:
    reply = "Okay. That sounds heavy."
    (ann,) = [
        a
        for a in detect(MechanismModelDetector(toy_head()), NEUTRAL, reply)
        if a.label == "interpretations"
    ]
    assert ann.value == 2
    assert "sounds" in reply[ann.start : ann.end] and "'sounds'" in ann.explanation


def test_level_zero_is_not_reported() -> None:
    anns = detect(MechanismModelDetector(toy_head()), NEUTRAL, "10am.")
    assert anns == []


def test_head_levels_is_a_softmax_within_each_mechanism() -> None:
    ((level, p),) = head_levels(toy_head(), ["w:sounds"], {}).values()
    assert level == 2 and 0.5 < p < 1.0
    ((level, p),) = head_levels(toy_head(), [], {}).values()
    assert level == 0 and p == pytest.approx(1 / (1 + 2 / 2.718281828459045))


def test_mechanism_inputs_read_the_reply_its_behaviours_and_the_customer() -> None:
    analyzer = Analyzer(
        detectors=[d for d in DEFAULT_DETECTORS if not d.startswith("mechanism.")], calibrate=False
    )
    reply = "It sounds like chasing this order three times has been exhausting. Has it shipped?"
    doc = analyzer.detect(conv(("customer", ANGRY), ("agent", reply)))
    keys, dense = mechanism_inputs(doc, 1)
    assert "w:sounds" in keys and "b:it sounds" in keys
    assert dense["cue:sounds"] > 0 and dense["questions"] > 0 and dense["cue:yes_no_question"] > 0
    assert 0 < dense["overlap"] <= 1  # 'chased', 'order', 'three'... repeated from the customer
    assert any(k.startswith("customer:") for k in dense)
    assert any(k.startswith("rule:") for k in dense)
    alone = Document.of(conversation_from_dict(conv(("agent", reply))))
    _, dense_alone = mechanism_inputs(alone, 0)
    assert "overlap" not in dense_alone and not any(k.startswith("rule:") for k in dense_alone)


def test_the_shipped_head_and_its_card() -> None:
    head = load_head("mechanisms")
    card = head.card
    rated = card["mechanisms"]
    assert rated and set(rated) <= set(MECHANISMS)
    assert head.labels == tuple(f"{m}={v}" for m in rated for v in LEVELS)
    assert "training/listening.jsonl" in card["training_data"][0]
    assert card["licence"] == "Apache-2.0" and card["rebuild"].startswith("make models")
    for mech in rated:  # only mechanisms that beat the rules on every held-out split are rated
        for split, scores in card["metrics"]["model"].items():
            assert scores[mech] > card["metrics"]["rules (mechanism.rules.v1)"][split][mech]


@pytest.mark.parametrize(
    ("customer", "reply", "expected"),
    [
        (NEUTRAL, "10am.", {"emotional_reactions": 0, "interpretations": 0, "explorations": 0}),
        (ANGRY, "Please provide your order number.", {"interpretations": 0}),
        (ANGRY, "I understand.", {"interpretations": 1}),
        (
            GRIEF,
            "Losing your mum and then having to deal with paperwork in the same week must feel "
            "overwhelming.",
            {"interpretations": 2},
        ),
    ],
)
def test_default_analyzer_rates_interpretations_by_how_specific_they_are(
    customer: str, reply: str, expected: dict[str, int]
) -> None:
    turn = last_staff(Analyzer().analyze(conv(("customer", customer), ("agent", reply))))
    assert {m: turn.mechanisms[m] for m in expected} == expected
