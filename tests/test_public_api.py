"""The public API of the ``warmline`` package: the exported names and their behaviour."""

from __future__ import annotations

from importlib.metadata import version

import pytest

import warmline
from tests.helpers import conv

PUBLIC = [
    "Analyzer",
    "Annotation",
    "BatchResult",
    "Conversation",
    "ConversationAnalysis",
    "DraftCheck",
    "InvalidConversationError",
    "Speaker",
    "Turn",
    "TurnAnalysis",
    "WarmlineError",
    "__version__",
    "analyze",
    "analyze_many",
    "check_draft",
    "to_dict",
]


def test_all_matches_the_frozen_list() -> None:
    assert sorted(warmline.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_importable(name: str) -> None:
    assert getattr(warmline, name) is not None
    namespace: dict[str, object] = {}
    exec(f"from warmline import {name}", namespace)
    assert name in namespace


def test_version_is_the_installed_distribution_version() -> None:
    assert warmline.__version__ == version("warmline")


def test_analyze_a_dict() -> None:
    data = conv(
        ("customer", "My order still hasn't arrived and I'm really frustrated."),
        ("agent", "I'm sorry, Ana. I've reshipped it by express today; it arrives tomorrow."),
        name="Ana",
        cid="api-1",
    )
    result = warmline.analyze(data)
    assert isinstance(result, warmline.ConversationAnalysis)
    assert result.conversation.id == "api-1"
    assert [t.turn.speaker for t in result.turns] == [
        warmline.Speaker.CUSTOMER,
        warmline.Speaker.AGENT,
    ]
    out = warmline.to_dict(result)
    assert out["id"] == "api-1"
    assert set(out) >= {"id", "score", "deescalated", "turns"}
    assert out["score"] is None or 0 <= out["score"] <= 100


def test_analyze_a_conversation_object() -> None:
    data = conv(("customer", "What time do you open?"), ("agent", "We open at 9am."), cid="api-2")
    result = warmline.analyze(warmline.Conversation.from_dict(data))
    assert result.conversation.id == "api-2"


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "x", "turns": []},
        {"id": "x", "turns": [{"speaker": "manager", "text": "hi"}]},
        {"turns": [{"speaker": "customer", "text": "hi"}]},
        {"id": "x", "turns": [{"speaker": "customer", "text": 42}]},
        ["not", "an", "object"],
    ],
)
def test_analyze_a_bad_dict_raises_invalid_conversation(bad: object) -> None:
    with pytest.raises(warmline.InvalidConversationError) as caught:
        warmline.analyze(bad)  # type: ignore[arg-type]
    assert isinstance(caught.value, warmline.WarmlineError)
    assert str(caught.value)


def test_analyze_many_keeps_order_ids_and_records_errors() -> None:
    items = [
        conv(
            ("customer", "Hi, is the shop open on Sunday?"), ("agent", "Yes, 10am-4pm."), cid="m1"
        ),
        {"id": "m2", "turns": []},
        conv(("customer", "Thanks for the quick help!"), ("agent", "You're welcome."), cid="m3"),
    ]
    results = list(warmline.analyze_many(iter(items)))
    assert [r.id for r in results] == ["m1", "m2", "m3"]
    assert isinstance(results[0], warmline.BatchResult)
    assert results[0].analysis is not None and results[0].error is None
    assert results[1].analysis is None and results[1].error
    assert results[2].analysis is not None


def test_analyze_many_raise_policy_propagates() -> None:
    with pytest.raises(warmline.InvalidConversationError):
        list(warmline.analyze_many([{"id": "bad", "turns": []}], errors="raise"))
