"""The graders' words, read from ``grading.yaml``: emotion vocabulary and feedback templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from warmline.engine.labels import EMOTIONS
from warmline.practice.curriculum.errors import CurriculumError

_FILE = "grading.yaml"


@dataclass(frozen=True, slots=True)
class GradingText:
    """Emotion words (emotion → the words that name it) and feedback templates."""

    emotion_words: Mapping[str, tuple[str, ...]]
    feedback: Mapping[str, Mapping[str, str]]

    def say(self, check: str, tone: str, **values: Any) -> str:
        """The ``worked`` or ``try`` line of *check*, with its placeholders filled in."""
        return self.feedback[check][tone].format(**values)

    def emotion_of(self, word: str) -> str | None:
        """The emotion a word or short phrase names, or None when it names none."""
        key = _norm(word)
        for emotion, words in self.emotion_words.items():
            if key == emotion or key in words:
                return emotion
        return None


def _norm(word: str) -> str:
    return " ".join(word.lower().replace("-", " ").split()).strip(" .!?,")


@lru_cache(maxsize=1)
def grading_text() -> GradingText:
    """The shipped grading text (read once)."""
    raw = yaml.safe_load((files("warmline.practice.curriculum") / _FILE).read_text("utf-8"))
    if not isinstance(raw, dict) or set(raw) != {"emotion_words", "feedback"}:
        raise CurriculumError(_FILE, "", "the fields emotion_words and feedback")
    words = raw["emotion_words"]
    if not isinstance(words, dict) or set(words) != set(EMOTIONS):
        raise CurriculumError(_FILE, "emotion_words", f"a word list for each of {EMOTIONS}")
    return GradingText(
        emotion_words={e: tuple(_norm(str(w)) for w in ws) for e, ws in words.items()},
        feedback={k: dict(v) for k, v in raw["feedback"].items()},
    )


__all__ = ["GradingText", "grading_text"]
