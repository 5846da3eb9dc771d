"""Customer emotion detection: table of messages, expected labels present and absent."""

from __future__ import annotations

import pytest

from tests.helpers import conv
from warmline.engine.labels import EMOTIONS

CASES = [
    # text, must contain, must not contain
    (
        "This is the THIRD time I'm explaining this and nobody has called me back.",
        {"frustration"},
        {"neutral", "joy"},
    ),
    (
        "I am absolutely furious, this is a disgrace and I'm going to the ombudsman.",
        {"anger"},
        {"neutral"},
    ),
    ("I don't understand this letter at all. Which is it??", {"confusion"}, {"neutral"}),
    (
        "I'm so worried, the rent comes out tomorrow and my money is gone.",
        {"anxiety"},
        {"neutral", "joy"},
    ),
    (
        "My husband passed away last month and the account is still in his name.",
        {"sadness"},
        {"joy"},
    ),
    ("Thank you so much, you've been brilliant!", {"gratitude"}, {"neutral", "anger"}),
    ("We're so excited for the trip, can't wait!", {"joy"}, {"neutral"}),
    ("Really disappointed, I expected much better for the price.", {"disappointment"}, {"neutral"}),
    ("What time does the Leeds store open on Sunday?", {"neutral"}, {"anger", "frustration"}),
    ("Order 88123 for £49.99 placed on 3 May.", {"neutral"}, {"anger", "anxiety"}),
    # Sarcasm: positive words inside a complaint are not joy.
    ("Oh fantastic, another price rise for the same rubbish signal 🙃", {"anger"}, {"joy"}),
    # Negation: "not worried" is not worry.
    ("I'm not worried about it, just wondering when it ships.", set(), {"anxiety"}),
]


@pytest.mark.parametrize(("text", "present", "absent"), CASES)
def test_emotions(analyzer, text: str, present: set[str], absent: set[str]) -> None:
    state = analyzer.analyze(conv(("customer", text))).turns[0].customer
    found = {e.label for e in state.emotions}
    assert present <= found, f"expected {present} in {found}"
    assert not (absent & found), f"did not expect {absent & found}"


def test_scores_and_intensities_are_in_range(analyzer) -> None:
    state = (
        analyzer.analyze(conv(("customer", "WHERE IS MY REFUND!!! third email this week")))
        .turns[0]
        .customer
    )
    assert state.emotions
    for e in state.emotions:
        assert e.label in EMOTIONS
        assert 0.0 <= e.score <= 1.0
        assert e.intensity in (1, 2, 3)
    assert max(e.intensity for e in state.emotions) == 3, "capitals, !!! and repetition: strong"
    assert not {e.label for e in state.emotions} & {"joy", "gratitude"}


def test_neutral_never_combines(analyzer) -> None:
    for text in ("hello", "Can I change my delivery address?", "ok"):
        labels = [
            e.label for e in analyzer.analyze(conv(("customer", text))).turns[0].customer.emotions
        ]
        assert "neutral" not in labels or labels == ["neutral"]


def test_terse_reply_keeps_the_earlier_feeling(analyzer) -> None:
    result = analyzer.analyze(
        conv(
            ("customer", "Third time I've called about this and it's STILL not fixed. Ridiculous."),
            ("agent", "Can you give me the account number?"),
            ("customer", "FK-55871."),
        )
    )
    later = {e.label for e in result.turns[2].customer.emotions}
    assert "frustration" in later


def test_evidence_span_points_at_a_cue(analyzer) -> None:
    text = "Honestly I'm so confused by this bill."
    state = analyzer.analyze(conv(("customer", text))).turns[0].customer
    ev = next(e.evidence for e in state.emotions if e.label == "confusion")
    assert ev is not None and "confused" in text[ev.start : ev.end]
