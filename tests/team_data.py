"""A small labelled file in the cs_cases format with a house rule the shipped rules do not know.

This team counts "You'll hear a peep from me ..." as a follow-up promise; Warmline's shipped
detectors do not read that phrase as one (they do read the plainer "I'll ping you ..."). Training on it must teach the team head the rule without breaking the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_ASKS = (
    "Where is my parcel? It was due on {day}.",
    "My refund still has not arrived, it has been a week.",
    "The engineer did not turn up on {day}.",
    "Can you tell me when my replacement card will come?",
    "I was charged twice for the {day} order.",
)
_WHEN = (
    "once it lands",
    "when the refund clears",
    "as soon as the depot replies",
    "the moment the engineer confirms",
    "when the card is posted",
)
_FACTS = (
    "it is at the depot now",
    "the refund was sent on {day}",
    "a new slot is booked for {day}",
    "the card was printed this morning",
    "the second charge is reversed",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def team_records(n: int = 40) -> list[dict[str, Any]]:
    """*n* two-turn conversations; every other reply carries the house follow-up phrase."""
    out = []
    for i in range(n):
        day = _DAYS[i % len(_DAYS)]
        fact = _FACTS[i % len(_FACTS)].format(day=day).capitalize()
        ping = i % 2 == 0
        when = _WHEN[(i // 2) % len(_WHEN)]
        reply = f"{fact}. You'll hear a peep from me {when}." if ping else f"{fact}."
        out.append(
            {
                "id": f"team-{i:03d}",
                "kind": "conversation",
                "turns": [
                    {
                        "speaker": "customer",
                        "text": _ASKS[i % len(_ASKS)].format(day=day),
                        "emotions": [{"label": "frustration" if i % 3 == 0 else "neutral"}],
                    },
                    {
                        "speaker": "agent",
                        "text": reply,
                        "behaviours": ["follow_up"] if ping else [],
                        "anti_patterns": [],
                    },
                ],
            }
        )
    return out


def write_team_file(path: Path, n: int = 40) -> Path:
    """Write :func:`team_records` as JSON lines to *path* and return it."""
    path.write_text("".join(json.dumps(r) + "\n" for r in team_records(n)), encoding="utf-8")
    return path
