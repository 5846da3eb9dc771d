"""The public API of ``warmline.practice``: the exported names, kept in sync with this list."""

from __future__ import annotations

import pytest

import warmline.practice

PUBLIC = [
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


def test_all_matches_the_frozen_list() -> None:
    assert sorted(warmline.practice.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_importable(name: str) -> None:
    assert getattr(warmline.practice, name) is not None


def test_list_scenarios_is_plain_data() -> None:
    items = warmline.practice.list_scenarios()
    assert len(items) == 9
    assert set(items[0]) == {"id", "title", "summary", "customer", "emotion", "intensity"}


def test_play_skips_blank_replies_and_ignores_those_after_the_end() -> None:
    scenario = warmline.practice.get_scenario("older-customer-login")
    rude = "Calm down, sweetie, it's really simple, even my gran can do it."
    result = warmline.practice.play(scenario, ["", "  ", rude, "Sorry!", "Hello?"], seed=0)
    assert result.outcome == "escalated"
    assert [r.text for r in result.replies] == [rude]


def test_an_exchange_is_json_ready() -> None:
    session = warmline.practice.Session(warmline.practice.get_scenario("cannot-grant"), seed=0)
    data = session.reply("Ravi, I can see why you'd want to return it.").to_dict()
    assert set(data) == {"reading", "line", "outcome", "done"}
    assert data["line"]["state"] in {"furious", "angry", "upset", "calming", "calm"}
    assert "missing" in data["reading"] and data["done"] is False
