"""Learned behaviours, sentence by sentence: added where the rules missed them, on the sentence
that shows them, never duplicated or removed."""

from __future__ import annotations

import pytest

from tests.helpers import RULES, conv, labels_of, last_staff, rules_doc
from warmline.engine.detectors.mechanisms import mechanism_inputs
from warmline.engine.detectors.sentences import (
    SentenceBehaviourDetector,
    sentence_inputs,
    sentence_labels,
)
from warmline.engine.labels import ALL_BEHAVIOURS, KIND_ANTI_PATTERN, KIND_BEHAVIOUR
from warmline.engine.learned import LinearHead, load_head
from warmline.engine.pipeline import Analyzer

LATE = "The engineer didn't turn up AGAIN. I took the day off work for this."


def toy_head() -> LinearHead:
    """'mine' makes ownership likely (threshold 0.6); 'noted' makes rushed_closure likely."""
    return LinearHead(
        "toy",
        ("ownership", "rushed_closure"),
        (-3.0, -3.0),
        (0.6, 0.6),
        {"w:mine": (1.0, (8.0, 0.0)), "w:noted": (1.0, (0.0, 8.0))},
        {},
    )


def test_a_confident_label_is_added_on_the_sentence_that_shows_it() -> None:
    reply = "Thanks for waiting. This one is mine now. Noted, closing it here."
    doc = rules_doc(LATE, reply)
    assert not {"ownership", "rushed_closure"} & {a.label for a in doc.on(1)}
    found = {a.label: a for a in SentenceBehaviourDetector(toy_head()).detect(doc, 1)}
    owned, closed = found["ownership"], found["rushed_closure"]
    assert reply[owned.start : owned.end] == "This one is mine now."
    assert reply[closed.start : closed.end] == "Noted, closing it here."
    assert (owned.kind, closed.kind) == (KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    assert owned.detector == "behaviour.sentences@v1" and owned.score > 0.6
    assert "p=0." in owned.explanation


def test_labels_the_rules_found_are_not_added_again() -> None:
    doc = rules_doc(LATE, "I'll sort this out myself, it's mine to fix.")
    assert "ownership" in {a.label for a in doc.on(1)}
    assert "ownership" not in {
        a.label for a in SentenceBehaviourDetector(toy_head()).detect(doc, 1)
    }


def test_a_label_is_not_added_beside_one_it_excludes_nor_a_bots_label_to_an_agent() -> None:
    head = LinearHead(
        "toy",
        ("graceful_no", "bare_refusal", "offer_human"),
        (-3.0, -3.0, -3.0),
        (0.6, 0.6, 0.6),
        {"w:no": (1.0, (6.0, 8.0, 0.0)), "w:person": (1.0, (0.0, 0.0, 8.0))},
        {},
    )
    doc = rules_doc(LATE, "Our answer is no. A person will call.")
    # both refusals pass their threshold: only the likelier is added; offer_human is for bots
    assert [a.label for a in SentenceBehaviourDetector(head).detect(doc, 1)] == ["bare_refusal"]
    bot = Analyzer(detectors=RULES, calibrate=False).detect(
        conv(("customer", LATE), ("bot", "Our answer is no. A person will call."))
    )
    added = {a.label for a in SentenceBehaviourDetector(head).detect(bot, 1)}
    assert added == {"bare_refusal", "offer_human"}


def test_sentences_of_one_or_two_words_are_left_to_the_rules() -> None:
    doc = rules_doc(LATE, "Noted. Mine now.")
    assert sentence_inputs(doc, 1) == []
    assert list(SentenceBehaviourDetector(toy_head()).detect(doc, 1)) == []


def test_below_its_threshold_nothing_is_added() -> None:
    doc = rules_doc(LATE, "Okay, one moment please.")
    assert list(SentenceBehaviourDetector(toy_head()).detect(doc, 1)) == []


def test_each_sentence_knows_which_rule_findings_are_inside_it_and_which_elsewhere() -> None:
    reply = "I'm so sorry about that. Would Thursday morning suit you?"
    doc = rules_doc(LATE, reply)
    (first, _, dense1), (second, _, dense2) = sentence_inputs(doc, 1)
    assert reply[slice(*first)] == "I'm so sorry about that."
    assert dense1["rule:apology"] == 1.0 and "turn:apology" not in dense1
    assert dense2["turn:apology"] == 1.0 and "rule:apology" not in dense2
    assert (dense1["first"], dense1["last"], dense2["first"], dense2["last"]) == (1, 0, 0, 1)
    assert (dense1["question"], dense2["question"]) == (0.0, 1.0)
    assert dense1["customer:frustration"] == 1.0  # the customer's emotion before the reply


def test_a_sentence_is_a_training_positive_for_the_evidence_it_holds() -> None:
    spans = [(0, 10), (11, 30), (31, 40)]
    evidence = {"apology": (0, 5), "solution": (12, 35)}
    assert sentence_labels(spans, evidence) == [
        frozenset({"apology"}),
        frozenset({"solution"}),
        frozenset({"solution"}),
    ]


def test_the_mechanism_head_reads_what_the_sentence_model_added() -> None:
    doc = rules_doc(LATE, "Thanks for waiting. This one is mine now.")
    assert "rule:ownership" not in mechanism_inputs(doc, 1)[1]
    doc.annotations[1].extend(SentenceBehaviourDetector(toy_head()).detect(doc, 1))
    assert mechanism_inputs(doc, 1)[1]["rule:ownership"] == 1.0


def test_the_shipped_head_and_its_card() -> None:
    head = load_head("sentences")
    card = head.card
    assert list(head.labels) == card["labels_added"] and set(head.labels) <= set(ALL_BEHAVIOURS)
    assert all(t in card["options"]["thresholds_tried"] for t in head.thresholds)
    assert card["licence"] == "Apache-2.0" and card["rebuild"].startswith("make models")
    assert "cases/cases-a.jsonl" in card["training_data"][0]
    assert "test.jsonl" not in card["training_data"][0]
    for label, t in zip(head.labels, head.thresholds, strict=True):
        assert f"rules + head at {t:g}" in card["metrics"]["per_label"][label]


@pytest.mark.parametrize(
    ("customer", "reply", "added", "evidence"),
    [
        (
            "My mum passed away last week and I need to close her account.",
            "No problem at all!! Super easy, just pop her death certificate in the app and "
            "you're all set 😊",
            "solution",
            "Super easy, just pop her death certificate in the app and you're all set 😊",
        ),
        (
            "I've been waiting three weeks for my refund and nobody replies to my emails.",
            "Three weeks of silence after asking for your own money back, no wonder you're "
            "fed up. I've pushed the refund through today.",
            "validate",
            "Three weeks of silence after asking for your own money back, no wonder you're fed up.",
        ),
    ],
)
def test_default_analyzer_adds_what_the_rules_missed(
    customer: str, reply: str, added: str, evidence: str
) -> None:
    assert added not in {a.label for a in rules_doc(customer, reply).on(1)}
    turn = last_staff(Analyzer().analyze(conv(("customer", customer), ("agent", reply))))
    assert added in labels_of(turn)
    ann = next(a for a in turn.annotations if a.label == added)
    assert ann.detector == "behaviour.sentences@v1" and reply[ann.start : ann.end] == evidence
    # its score is the sentence model's probability, not overwritten by the rules' calibration
    assert ann.score >= load_head("sentences").threshold(added)
