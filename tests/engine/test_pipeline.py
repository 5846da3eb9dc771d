"""Engine invariants, property-tested: offsets inside turns, scores in range, determinism,
batch results independent of batch size, and the batch error policy."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmline.engine.errors import InvalidConversationError
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS, MECHANISMS
from warmline.engine.pipeline import Analyzer
from warmline.engine.serialize import analysis_to_dict

PHRASES = [
    "I'm so sorry about that",
    "this is the THIRD time!!",
    "thanks so much",
    "order 55102 for £4.99",
    "Can you help?",
    "as I already said",
    "I've refunded it today",
    "calm down",
    "Anything else?",
    "I can't do that, but I can offer a voucher",
    "my mum passed away",
    "🙂",
    "ok.",
    "WHY",
    "—",
    "\n",
    "Let me explain very slowly, sweetie.",
    "I'll call you on Friday",
    "you useless clowns",
]
texts = st.lists(
    st.one_of(
        st.sampled_from(PHRASES), st.text(st.characters(blacklist_characters="\x00"), max_size=40)
    ),
    min_size=1,
    max_size=5,
).map(" ".join)
turns = st.lists(
    st.tuples(st.sampled_from(["customer", "agent", "bot"]), texts), min_size=1, max_size=6
)
conversations = st.builds(
    lambda ts, name: {
        "id": "p",
        "customer_name": name,
        "turns": [{"speaker": s, "text": t} for s, t in ts],
    },
    turns,
    st.one_of(st.none(), st.sampled_from(["Priya", "José", "O'Neil"])),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(conversations)
def test_invariants(analyzer: Analyzer, data: dict) -> None:
    result = analyzer.analyze(data)
    out = analysis_to_dict(result, explain=True)
    assert out["score"] is None or 0 <= out["score"] <= 100
    for turn, raw in zip(out["turns"], data["turns"], strict=True):
        text = raw["text"]
        assert turn["text"] == text
        if turn["speaker"] == "customer":
            assert turn["emotions"] and {e["label"] for e in turn["emotions"]} <= set(EMOTIONS)
            assert all(
                0 <= e["score"] <= 1 and e["intensity"] in (1, 2, 3) for e in turn["emotions"]
            )
            assert turn["focus"] in ("feelings", "solution")
        else:
            assert 0 <= turn["score"] <= 100
            assert set(turn["mechanisms"]) == set(MECHANISMS)
            assert all(v in (0, 1, 2) for v in turn["mechanisms"].values())
            for b in turn["behaviours"]:
                assert b["id"] in ALL_BEHAVIOURS
                assert 0 <= b["start"] < b["end"] <= len(text)
                assert 0 < b["score"] <= 1
    for ann in (a for t in result.turns for a in t.annotations):
        assert 0 <= ann.start <= ann.end <= len(data["turns"][ann.turn]["text"])
    assert analysis_to_dict(analyzer.analyze(data), explain=True) == out, (
        "analysis must be deterministic"
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(conversations, min_size=1, max_size=6), st.integers(min_value=1, max_value=4))
def test_batches_give_the_same_results_as_one_by_one(
    analyzer: Analyzer, convs: list[dict], size: int
) -> None:
    convs = [{**c, "id": f"c{i}"} for i, c in enumerate(convs)]
    single = [analysis_to_dict(analyzer.analyze(c)) for c in convs]
    batched = []
    for start in range(0, len(convs), size):
        batched += [
            analysis_to_dict(r.analysis) for r in analyzer.analyze_many(convs[start : start + size])
        ]
    assert batched == single


def test_analyze_many_records_errors_and_keeps_going(analyzer: Analyzer) -> None:
    items = [
        {"id": "good-1", "turns": [{"speaker": "customer", "text": "hi"}]},
        {"id": "bad", "turns": [{"speaker": "manager", "text": "x"}]},
        {"turns": []},
        {"id": "good-2", "turns": [{"speaker": "agent", "text": "hello"}]},
    ]
    results = list(analyzer.analyze_many(items))
    assert [r.id for r in results] == ["good-1", "bad", "3", "good-2"]
    assert results[0].analysis and results[3].analysis
    assert results[1].error and "turns[0].speaker" in results[1].error
    assert results[2].error and results[2].analysis is None


def test_analyze_many_raise_policy(analyzer: Analyzer) -> None:
    with pytest.raises(InvalidConversationError):
        list(analyzer.analyze_many([{"id": "x", "turns": []}], errors="raise"))


def test_analyzer_is_picklable_and_works_after_a_round_trip(analyzer: Analyzer) -> None:
    clone = pickle.loads(pickle.dumps(analyzer))
    data = {
        "id": "x",
        "turns": [
            {"speaker": "customer", "text": "Where is my refund?!"},
            {"speaker": "agent", "text": "I've refunded it today."},
        ],
    }
    assert analysis_to_dict(clone.analyze(data)) == analysis_to_dict(analyzer.analyze(data))
