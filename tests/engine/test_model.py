"""The interchange input model: valid records round-trip, bad ones say what and where."""

from __future__ import annotations

import pytest

from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import MAX_TURN_CHARS, Conversation, Speaker, conversation_from_dict


def test_round_trip() -> None:
    data = {
        "id": "c-1",
        "customer_name": "Ada",
        "agent_id": "a7",
        "channel": "chat",
        "metadata": {"order": 55102},
        "turns": [
            {"speaker": "customer", "text": "hi", "timestamp": "2026-01-02T10:00:00Z"},
            {"speaker": "bot", "text": "hello"},
        ],
    }
    conv = Conversation.from_dict(data)
    assert (
        conv.turns[1].speaker is Speaker.BOT and conv.turns[0].timestamp == "2026-01-02T10:00:00Z"
    )
    assert conv.to_dict() == data


BAD = [
    ("not a dict", "conversation"),
    ({"turns": [{"speaker": "customer", "text": "x"}]}, "id"),
    ({"id": "", "turns": [{"speaker": "customer", "text": "x"}]}, "id"),
    ({"id": "a", "turns": []}, "turns"),
    ({"id": "a", "turns": "hello"}, "turns"),
    ({"id": "a", "turns": [{"speaker": "manager", "text": "x"}]}, "turns[0].speaker"),
    ({"id": "a", "turns": [{"speaker": "agent", "text": 5}]}, "turns[0].text"),
    (
        {"id": "a", "turns": [{"speaker": "agent", "text": "x" * (MAX_TURN_CHARS + 1)}]},
        "turns[0].text",
    ),
    ({"id": "a", "turns": [{"speaker": "agent", "text": "a\x00b"}]}, "turns[0].text"),
    (
        {"id": "a", "turns": [{"speaker": "agent", "text": "x"}], "customer_name": 3},
        "customer_name",
    ),
    ({"id": "a", "turns": [{"speaker": "agent", "text": "x"}], "metadata": [1]}, "metadata"),
]


@pytest.mark.parametrize(("data", "where"), BAD)
def test_bad_records_name_the_field(data: object, where: str) -> None:
    with pytest.raises(InvalidConversationError) as info:
        conversation_from_dict(data)
    assert info.value.where == where
    assert str(info.value).startswith(where)


def test_unknown_speaker_message_says_what_is_allowed() -> None:
    with pytest.raises(InvalidConversationError, match="use 'customer', 'agent' or 'bot'"):
        conversation_from_dict({"id": "a", "turns": [{"speaker": "boss", "text": "x"}]})
