"""Flatten analyses into table rows: one per turn and one per conversation.

Plain dicts of plain values, so the same rows go to Parquet or JSON Lines; the column names
and types are listed once here (and in docs/scale.md) and the Parquet schema is built from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmline.batch import Outcome
from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR
from warmline.engine.results import ConversationAnalysis, TurnAnalysis

#: Turn table columns → type (``str``, ``int``, ``float``, ``bool``, ``list[str]``, ``emotions``).
TURN_COLUMNS: dict[str, str] = {
    "conversation_id": "str",
    "turn_index": "int",
    "speaker": "str",
    "text": "str",
    "score": "int",
    "behaviours": "list[str]",
    "anti_patterns": "list[str]",
    "emotions": "emotions",
    "top_emotion": "str",
    "intensity": "int",
    "missed": "list[str]",
}

#: Conversation table columns → type; ``error`` is set (and the scores null) for a bad record.
CONVERSATION_COLUMNS: dict[str, str] = {
    "conversation_id": "str",
    "agent_id": "str",
    "channel": "str",
    "score": "int",
    "lowest_turn": "int",
    "lowest_turn_score": "int",
    "escalated": "bool",
    "deescalated": "bool",
    "n_turns": "int",
    "error": "str",
    "source": "str",
    "line": "int",
}


def conversation_row(outcome: Outcome, *, source: str) -> dict[str, Any]:
    """The conversation-table row of one outcome: its scores, or its error."""
    analysis = outcome.analysis
    if analysis is None:
        error = outcome.error
        return {
            **dict.fromkeys(CONVERSATION_COLUMNS),
            "conversation_id": error.id if error is not None else None,
            "error": error.message if error is not None else "unknown error",
            "source": error.source if error is not None else source,
            "line": error.line if error is not None else None,
        }
    conv = analysis.conversation
    lowest = _lowest_turn(analysis)
    return {
        "conversation_id": conv.id,
        "agent_id": conv.agent_id,
        "channel": conv.channel,
        "score": analysis.score,
        "lowest_turn": lowest[0] if lowest else None,
        "lowest_turn_score": lowest[1] if lowest else None,
        "escalated": analysis.escalated,
        "deescalated": analysis.deescalated,
        "n_turns": len(conv.turns),
        "error": None,
        "source": source,
        "line": None,
    }


def turn_rows(analysis: ConversationAnalysis) -> list[dict[str, Any]]:
    """The turn-table rows of one analysed conversation, in turn order."""
    conv_id = analysis.conversation.id
    return [_turn_row(conv_id, result) for result in analysis.turns]


def _turn_row(conv_id: str, result: TurnAnalysis) -> dict[str, Any]:
    turn = result.turn
    found = result.behaviours() if turn.speaker.is_staff else ()
    emotions = result.customer.emotions if result.customer is not None else ()
    top = emotions[0] if emotions else None
    return {
        "conversation_id": conv_id,
        "turn_index": turn.index,
        "speaker": turn.speaker.value,
        "text": turn.text,
        "score": result.score.value if result.score is not None else None,
        "behaviours": _unique(a.label for a in found if a.kind == KIND_BEHAVIOUR),
        "anti_patterns": _unique(a.label for a in found if a.kind == KIND_ANTI_PATTERN),
        "emotions": [
            {"label": e.label, "score": round(e.score, 3), "intensity": e.intensity}
            for e in emotions
        ],
        "top_emotion": top.label if top is not None else None,
        "intensity": top.intensity if top is not None else None,
        "missed": _unique(t.label for t in result.tips if t.missed),
    }


def _lowest_turn(analysis: ConversationAnalysis) -> tuple[int, int] | None:
    scored = [(t.score.value, t.turn.index) for t in analysis.turns if t.score is not None]
    if not scored:
        return None
    value, index = min(scored)
    return index, value


def _unique(labels: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(labels))
