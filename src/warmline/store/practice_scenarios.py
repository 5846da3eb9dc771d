"""Scenarios for the web's role-plays: the shipped ones by id, and one built from a real
conversation: that customer's own words and the engine's reading of their mood, reacting to
replies like the customer of the closest shipped scenario, with customer lines that fit any
case (``warmline/practice/from_conversation.yaml``). A session from a conversation stores :func:`spec_from_conversation`
data, from which :func:`from_spec` rebuilds the same Scenario on every request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any, Final

import yaml

from warmline.engine.labels import EMOTIONS
from warmline.practice import Scenario, shipped_scenarios
from warmline.practice.scenario import LINE_KEYS
from warmline.store.errors import InvalidInputError, NotFoundError
from warmline.store.practice_tables import PracticeSession
from warmline.store.tables import Conversation

#: The engine's 1-3 emotion intensity → where a scenario built from a conversation starts.
_START_INTENSITY: Final = {1: 0.5, 2: 0.65, 3: 0.8}
_WORD = re.compile(r"[a-z']{3,}")
#: How many of the customer's messages a scenario from a conversation shows as its facts.
_MAX_SAID: Final = 4


def shipped(scenario_id: str) -> Scenario:
    """A shipped scenario by id (never a file path); :class:`NotFoundError` names the ids."""
    scenarios = shipped_scenarios()
    for scenario in scenarios:
        if scenario.id == scenario_id:
            return scenario
    known = ", ".join(s.id for s in scenarios)
    raise NotFoundError(f"no scenario {scenario_id!r}; the scenarios are: {known}")


def scenario_of(row: PracticeSession) -> Scenario:
    """The Scenario a stored session plays (shipped, or rebuilt from its conversation)."""
    return from_spec(row.custom) if row.custom else shipped(row.scenario_id)


def closest_scenario(text: str, emotion: str) -> Scenario:
    """The shipped scenario whose story shares most words with *text* (same emotion breaks ties)."""
    words = set(_WORD.findall(text.lower()))

    def likeness(s: Scenario) -> tuple[float, int]:
        story = " ".join((s.title, s.summary, s.persona.situation, s.persona.history))
        theirs = set(_WORD.findall(story.lower()))
        overlap = len(words & theirs) / (len(words | theirs) or 1)
        return overlap, int(s.emotion == emotion)

    return max(shipped_scenarios(), key=likeness)


def spec_from_conversation(conv: Conversation) -> dict[str, Any]:
    """What rebuilds a scenario from *conv*: its first customer turn and the engine's reading."""
    turns = conv.analysis.get("turns", [])
    first = next((t for t in turns if t.get("speaker") == "customer"), None)
    if first is None or not str(first.get("text", "")).strip():
        raise InvalidInputError(
            f"conversation {conv.external_id!r} has no customer turn to practise from"
        )
    emotions = sorted(first.get("emotions", []), key=lambda e: -float(e.get("score", 0)))
    top = emotions[0] if emotions else {}
    emotion = str(top.get("label", "neutral"))
    emotion = emotion if emotion in EMOTIONS else "neutral"
    base = closest_scenario(str(first["text"]), emotion)
    level = top.get("intensity")
    intensity = (
        _START_INTENSITY.get(level, base.intensity) if isinstance(level, int) else base.intensity
    )
    said = [
        str(t.get("text", "")).strip()
        for t in turns
        if t.get("speaker") == "customer" and str(t.get("text", "")).strip()
    ]
    return {
        "base": base.id,
        "conversation": conv.external_id,
        "name": (conv.customer_name or "").strip() or "the customer",
        "opening": said[0],
        "said": said[:_MAX_SAID],
        "emotion": emotion,
        "intensity": intensity,
    }


def from_spec(spec: Mapping[str, Any]) -> Scenario:
    """The scenario *spec* describes: the real customer's words and mood, the base's reactions."""
    base = shipped(str(spec["base"]))
    generic = _conversation_template()
    slug = re.sub(r"[^a-z0-9]+", "-", str(spec["conversation"]).lower()).strip("-") or "x"
    opening = str(spec["opening"])
    said = tuple(str(t) for t in spec.get("said") or [opening])
    persona = replace(
        base.persona,
        name=str(spec["name"]),
        situation=opening,
        history=f"Wrote in about this in conversation {spec['conversation']}.",
        wants=str(generic["wants"]),
        will_accept=str(generic["will_accept"]),
    )
    lines = {key: tuple(generic["lines"][key]) for key in generic["lines"]}
    lines["opening"] = (opening,)
    return replace(
        base,
        id=f"conversation-{slug}"[:120],
        title=f"Practise conversation {spec['conversation']}",
        summary=(
            f"Built from conversation {spec['conversation']}: the customer's own words and "
            f"mood. They react to your replies like the customer in “{base.title}”."
        ),
        persona=persona,
        facts=tuple(f"They wrote: “{text}”" for text in said),
        emotion=str(spec["emotion"]),
        intensity=float(spec["intensity"]),
        lines=lines,
    )


@cache
def _conversation_template() -> dict[str, Any]:
    """The customer lines and wishes that fit any case (shipped with the practice package)."""
    text = files("warmline.practice").joinpath("from_conversation.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    missing = [k for k in LINE_KEYS if k != "opening" and k not in data["lines"]]
    if missing:
        raise InvalidInputError(f"from_conversation.yaml: lines: missing {', '.join(missing)}")
    return data


__all__ = ["closest_scenario", "from_spec", "scenario_of", "shipped", "spec_from_conversation"]
