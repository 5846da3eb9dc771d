"""Small builders shared by the tests."""

from __future__ import annotations

from typing import Any

from warmline.engine.results import ConversationAnalysis


def conv(*turns: tuple[str, str], name: str | None = None, cid: str = "c1") -> dict[str, Any]:
    """A conversation dict from (speaker, text) pairs."""
    out: dict[str, Any] = {"id": cid, "turns": [{"speaker": s, "text": t} for s, t in turns]}
    if name:
        out["customer_name"] = name
    return out


def last_staff(result: ConversationAnalysis):  # type: ignore[no-untyped-def]
    """The last agent/bot turn of an analysis."""
    return [t for t in result.turns if t.turn.speaker.is_staff][-1]


def labels_of(turn) -> set[str]:  # type: ignore[no-untyped-def]
    """Behaviour and anti-pattern ids on a turn."""
    return {a.label for a in turn.behaviours()}
