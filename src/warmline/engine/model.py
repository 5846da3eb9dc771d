"""The conversation model: Conversation → Turn → Annotation, and the analysis results built on it.

Everything here is a small frozen dataclass. Offsets are character offsets into ``Turn.text``
(Python string indices), so ``turn.text[a.start:a.end]`` is always the evidence of ``a``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from warmline.engine.errors import InvalidConversationError

#: Longest turn the engine accepts, in characters. A turn longer than this is almost always
#: a paste accident or a whole mailbox in one field; it is rejected with a clear error.
MAX_TURN_CHARS = 100_000
#: Most turns in one conversation.
MAX_TURNS = 2_000


class Speaker(StrEnum):
    """Who wrote a turn."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"

    @property
    def is_staff(self) -> bool:
        """True for the agent and bot sides, whose turns are scored for empathy."""
        return self is not Speaker.CUSTOMER


@dataclass(frozen=True, slots=True)
class Turn:
    """One message in a conversation."""

    index: int
    speaker: Speaker
    text: str
    timestamp: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """An ordered list of turns plus what is known about the customer and the channel."""

    id: str
    turns: tuple[Turn, ...]
    customer_name: str | None = None
    agent_id: str | None = None
    channel: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> Conversation:
        """Build a conversation from the interchange format, raising on anything malformed."""
        return conversation_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Return the conversation in the interchange input format."""
        out: dict[str, Any] = {"id": self.id, "turns": []}
        for turn in self.turns:
            item: dict[str, Any] = {"speaker": turn.speaker.value, "text": turn.text}
            if turn.timestamp is not None:
                item["timestamp"] = turn.timestamp
            out["turns"].append(item)
        for key in ("customer_name", "agent_id", "channel"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


@dataclass(frozen=True, slots=True)
class Annotation:
    """One finding on one turn, with its evidence span and where it came from.

    ``kind`` is one of the ``KIND_*`` constants in :mod:`warmline.engine.labels`; ``value``
    carries an integer level where the label has one (emotion intensity 1-3, mechanism
    level 0-2). ``detector`` is the registered ``name@version`` that produced it.
    """

    turn: int
    kind: str
    label: str
    start: int
    end: int
    score: float
    detector: str
    explanation: str = ""
    value: int | None = None


_OPTIONAL_STR_FIELDS = ("customer_name", "agent_id", "channel")


def conversation_from_dict(data: Any) -> Conversation:
    """Validate one interchange-format record and turn it into a :class:`Conversation`."""
    if not isinstance(data, Mapping):
        raise InvalidConversationError(
            f"expected a JSON object, got {type(data).__name__}", where="conversation"
        )
    conv_id = data.get("id")
    if not isinstance(conv_id, str | int) or isinstance(conv_id, bool) or str(conv_id) == "":
        raise InvalidConversationError("a non-empty string is required", where="id")
    raw_turns = data.get("turns")
    if not isinstance(raw_turns, list):
        raise InvalidConversationError("a list of turns is required", where="turns")
    if not raw_turns:
        raise InvalidConversationError("the conversation has no turns", where="turns")
    if len(raw_turns) > MAX_TURNS:
        raise InvalidConversationError(
            f"{len(raw_turns)} turns is more than the limit of {MAX_TURNS}", where="turns"
        )
    turns = tuple(_turn_from_dict(i, raw) for i, raw in enumerate(raw_turns))
    extra: dict[str, str | None] = {}
    for key in _OPTIONAL_STR_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidConversationError("must be a string when present", where=key)
        extra[key] = value or None
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise InvalidConversationError("must be a JSON object when present", where="metadata")
    return Conversation(
        id=str(conv_id),
        turns=turns,
        customer_name=extra["customer_name"],
        agent_id=extra["agent_id"],
        channel=extra["channel"],
        metadata=dict(metadata),
    )


def _turn_from_dict(index: int, raw: Any) -> Turn:
    where = f"turns[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidConversationError("each turn must be a JSON object", where=where)
    speaker = raw.get("speaker")
    try:
        role = Speaker(str(speaker).strip().lower())
    except ValueError:
        raise InvalidConversationError(
            f"unknown speaker {speaker!r}; use 'customer', 'agent' or 'bot'",
            where=f"{where}.speaker",
        ) from None
    text = raw.get("text")
    if not isinstance(text, str):
        raise InvalidConversationError("text must be a string", where=f"{where}.text")
    if len(text) > MAX_TURN_CHARS:
        raise InvalidConversationError(
            f"text is {len(text):,} characters, over the limit of {MAX_TURN_CHARS:,}",
            where=f"{where}.text",
        )
    if "\x00" in text:
        raise InvalidConversationError(
            "text contains NUL bytes; is this a binary file?", where=f"{where}.text"
        )
    timestamp = raw.get("timestamp")
    if timestamp is not None and not isinstance(timestamp, str):
        timestamp = str(timestamp)
    return Turn(index=index, speaker=role, text=text, timestamp=timestamp)
