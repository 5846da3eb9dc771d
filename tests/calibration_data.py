"""A conversation with three staff turns for the calibration and rubric tests, and answers."""

from __future__ import annotations

from typing import Any

from warmline.store.calibration import TurnAnswer


def calibration_conversation(cid: str, agent_id: str, *, team: str = "A") -> dict[str, Any]:
    """An upset customer and three staff turns that differ in what they do well."""
    return {
        "id": cid,
        "agent_id": agent_id,
        "channel": "chat",
        "customer_name": "Dana Reyes",
        "metadata": {"team": team},
        "turns": [
            {"speaker": "customer", "text": "My order 48213-K still hasn't arrived and I'm furious.", "timestamp": "2026-11-02T10:00:00Z"},
            {"speaker": "agent", "text": "Dana, I'm so sorry, that's really frustrating. I've reshipped it today by express."},
            {"speaker": "customer", "text": "It's the third time. Why should I believe you?"},
            {"speaker": "agent", "text": "Please read our policy. Orders take time."},
            {"speaker": "customer", "text": "Fine. Will I get a tracking number?"},
            {"speaker": "agent", "text": "Yes, I'll email you the tracking by 5pm today. Is there anything else I can help with?"},
        ],
    }  # fmt: skip


#: The staff turns of :func:`calibration_conversation`.
STAFF = (1, 3, 5)


def answers(
    labels: dict[int, set[str]], scores: dict[int, int | None]
) -> dict[int, TurnAnswer]:
    """Answers for the staff turns: the labels present and the score of each."""
    return {t: TurnAnswer(frozenset(labels.get(t, set())), scores.get(t)) for t in STAFF}
