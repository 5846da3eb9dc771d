"""Role-play practice: simulated customers who react to a trainee's replies, and a debrief.

A :class:`Scenario` (a YAML file a trainer writes) describes the customer and how they react;
a :class:`Session` plays it, reading each reply with the engine; :func:`debrief` sums it up.
:func:`play` runs a whole script of replies. This package is a pure library: it prints
nothing and imports no web, CLI or storage module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from warmline.engine.pipeline import Analyzer
from warmline.practice.debrief import Debrief, debrief
from warmline.practice.errors import (
    PracticeError,
    ScenarioError,
    SessionOverError,
    UnknownScenarioError,
)
from warmline.practice.loader import get_scenario, load_scenario, parse_scenario, shipped_scenarios
from warmline.practice.scenario import OUTCOMES, Scenario
from warmline.practice.simulator import CustomerLine, Exchange, Session
from warmline.practice.voice import OpenAICompatibleVoice, ScriptedVoice, Voice, voice_from_env


def list_scenarios() -> list[dict[str, Any]]:
    """The shipped scenarios as plain data: id, title, summary, customer, starting emotion."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "summary": s.summary,
            "customer": s.persona.name,
            "emotion": s.emotion,
            "intensity": s.intensity,
        }
        for s in shipped_scenarios()
    ]


def play(
    scenario: Scenario,
    replies: Iterable[str],
    *,
    seed: int = 0,
    voice: Voice | None = None,
    analyzer: Analyzer | None = None,
    previous: Sequence[Debrief | Mapping[str, Any]] = (),
) -> Debrief:
    """Play *replies* in order until they run out or the session ends; the debrief.

    Blank replies are skipped. Replies left over after the session ends are ignored.
    """
    options: dict[str, Any] = {}
    if voice is not None:
        options["voice"] = voice
    if analyzer is not None:
        options["analyzer"] = analyzer
    session = Session(scenario, seed, **options)
    for text in replies:
        if session.done:
            break
        if text.strip():
            session.reply(text.strip())
    return debrief(session, previous=previous)


__all__ = [
    "OUTCOMES",
    "CustomerLine",
    "Debrief",
    "Exchange",
    "OpenAICompatibleVoice",
    "PracticeError",
    "Scenario",
    "ScenarioError",
    "ScriptedVoice",
    "Session",
    "SessionOverError",
    "UnknownScenarioError",
    "Voice",
    "debrief",
    "get_scenario",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "play",
    "shipped_scenarios",
    "voice_from_env",
]
