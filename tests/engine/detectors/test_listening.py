"""Learned listening behaviours: added where the rules missed them, never duplicated or removed."""

from __future__ import annotations

import pytest

from tests.helpers import RULES, conv, labels_of, last_staff, rules_doc
from warmline.engine.detectors.listening import CANDIDATES, ListeningBehaviourDetector
from warmline.engine.detectors.mechanisms import mechanism_inputs
from warmline.engine.labels import KIND_BEHAVIOUR
from warmline.engine.learned import LinearHead, load_head
from warmline.engine.pipeline import Analyzer

GRIEF = "My mum passed away last week and I need to close her account."


def toy_head() -> LinearHead:
    """'heavy' makes reflect_feeling likely (threshold 0.6); 'sorry' makes apology likely."""
    return LinearHead(
        "toy",
        ("reflect_feeling", "apology"),
        (-3.0, -3.0),
        (0.6, 0.6),
        {"w:heavy": (1.0, (8.0, 0.0)), "w:sorry": (1.0, (0.0, 8.0))},
        {},
    )


def test_a_confident_label_the_rules_missed_is_added_on_its_evidence() -> None:
    reply = "Thanks for telling me. That is heavy."
    doc = rules_doc(GRIEF, reply)
    assert "reflect_feeling" not in {a.label for a in doc.on(1)}
    (ann,) = ListeningBehaviourDetector(toy_head()).detect(doc, 1)
    assert (ann.kind, ann.label, ann.detector) == (
        KIND_BEHAVIOUR,
        "reflect_feeling",
        "behaviour.listening@v1",
    )
    assert reply[ann.start : ann.end] == "That is heavy." and ann.score > 0.6
    assert "'heavy'" in ann.explanation


def test_labels_the_rules_found_are_not_added_again() -> None:
    doc = rules_doc(GRIEF, "I'm so sorry.")
    assert "apology" in {a.label for a in doc.on(1)}
    assert list(ListeningBehaviourDetector(toy_head()).detect(doc, 1)) == []


def test_below_its_threshold_nothing_is_added() -> None:
    doc = rules_doc(GRIEF, "Okay, noted.")
    assert list(ListeningBehaviourDetector(toy_head()).detect(doc, 1)) == []


def test_the_mechanism_head_reads_only_what_the_rules_found() -> None:
    doc = rules_doc(GRIEF, "Thanks for telling me. That is heavy.")
    before = mechanism_inputs(doc, 1)
    doc.annotations[1].extend(ListeningBehaviourDetector(toy_head()).detect(doc, 1))
    assert mechanism_inputs(doc, 1) == before


def test_the_shipped_head_and_its_card() -> None:
    head = load_head("listening")
    card = head.card
    assert list(head.labels) == card["labels_added"] and set(head.labels) <= set(CANDIDATES)
    assert all(0.5 <= t < 1.0 for t in head.thresholds)
    assert card["licence"] == "Apache-2.0" and card["rebuild"].startswith("make models")
    assert "training/listening.jsonl" in card["training_data"][0]
    for label, t in zip(head.labels, head.thresholds, strict=True):
        figures = card["metrics"]["per_label"][label]
        added = f"rules + head at {t:g}"
        assert figures[f"{added}, listening"] > figures["rules, listening"]
        assert figures[f"{added}, cs"] >= figures["rules, cs"]


@pytest.mark.parametrize(
    ("customer", "reply", "added"),
    [
        (
            "I'm doing a marathon in 3 weeks and I've injured my knee. Trained for a year. "
            "I could scream.",
            "A year of training and then an injury three weeks out — I'd want to scream too. "
            "That's gutting. Have you been able to see a physio yet?",
            "paraphrase",
        ),
        (
            "Your store changed my glasses prescription without telling me and now I have headaches.",
            "Sorry to hear about the headaches. Please book an appointment online.",
            "solution",
        ),
    ],
)
def test_an_analyzer_naming_it_adds_what_the_rules_missed(
    customer: str, reply: str, added: str
) -> None:
    # no longer a default detector (behaviour.sentences.v1 is), still there for those naming it
    assert added not in {a.label for a in rules_doc(customer, reply).on(1)}
    analyzer = Analyzer(detectors=[*RULES, "behaviour.listening.v1", "mechanism.model.v1"])
    turn = last_staff(analyzer.analyze(conv(("customer", customer), ("agent", reply))))
    assert added in labels_of(turn)
    ann = next(a for a in turn.annotations if a.label == added)
    assert ann.detector == "behaviour.listening@v1" and 0 <= ann.start < ann.end <= len(reply)
