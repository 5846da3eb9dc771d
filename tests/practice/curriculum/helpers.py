"""Small builders for curriculum tests: a valid module as data, to break one field at a time."""

from __future__ import annotations

import copy
from typing import Any

_MODULE: dict[str, Any] = {
    "id": "sample",
    "title": "Sample",
    "summary": "A module for tests.",
    "order": 1,
    "lessons": [{"id": "one", "title": "One", "body": "Text.", "key_points": ["A point."]}],
    "exercises": [
        {
            "id": "feel",
            "kind": "name_emotion",
            "skill": "recognising_emotion",
            "prompt": "Name it.",
            "context": "Where is my parcel? This is the third time I've asked!",
            "answer": "frustration",
            "model_answer": "frustrated",
            "poor_example": "happy",
        },
        {
            "id": "bias",
            "kind": "spot_bias",
            "skill": "bias_awareness",
            "prompt": "Which ones?",
            "sentences": ["Thanks for asking.", "You should have read the email."],
            "biased": [2],
            "model_answer": "2",
            "poor_example": "1",
        },
    ],
}


def module_data(**changes: Any) -> dict[str, Any]:
    """A valid module mapping, with top-level *changes* applied (None removes a field)."""
    data = copy.deepcopy(_MODULE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def exercise_data(index: int = 0, **changes: Any) -> dict[str, Any]:
    """A copy of exercise *index* of the sample module with *changes* (None removes a field)."""
    data = copy.deepcopy(_MODULE["exercises"][index])
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
