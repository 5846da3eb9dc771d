"""Scenario files: the shipped ones load, and every malformed field is reported precisely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.practice.helpers import DATA, valid_data
from warmline.practice.errors import ScenarioError, UnknownScenarioError
from warmline.practice.loader import (
    MIN_VARIANTS,
    get_scenario,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)
from warmline.practice.scenario import LINE_KEYS, mood_for

SHIPPED = {
    "abusive-customer",
    "cannot-grant",
    "late-order-transferred",
    "older-customer-login",
    "personal-loss",
    "product-fell-short",
    "public-negative-review",
    "surprise-for-loved-one",
    "wrong-item-refund",
}


def test_the_nine_scenarios_ship_and_load() -> None:
    assert {s.id for s in shipped_scenarios()} == SHIPPED


@pytest.mark.parametrize("scenario", shipped_scenarios(), ids=lambda s: s.id)
def test_every_shipped_scenario_is_complete(scenario: Any) -> None:
    assert set(scenario.lines) == set(LINE_KEYS)
    assert all(len(v) >= MIN_VARIANTS for v in scenario.lines.values())
    assert scenario.intensity < scenario.reactions.escalate_at
    assert scenario.resolution.requires, "every shipped scenario names what resolves it"
    assert scenario.persona.name and scenario.facts


def test_the_minimal_file_is_valid() -> None:
    scenario = load_scenario(DATA / "minimal.yaml")
    assert scenario.id == "minimal"
    assert scenario.patience.poor_replies == 1
    assert scenario.patience.max_replies == 8  # the default
    assert scenario.resolution.requires == (("solution",),)
    assert scenario.source.endswith("minimal.yaml")


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data[key]
    if value is _DELETE:
        del data[last]
    else:
        data[last] = value


_DELETE = object()

BROKEN = [
    ("title", _DELETE, "title", "this field to be present"),
    ("persona.name", "", "persona.name", "a non-empty string"),
    ("persona.age", 70, "persona.age", "one of the fields"),
    ("facts", [], "facts", "a list of at least 1"),
    ("start.emotion", "rage", "start.emotion", "one of anger"),
    ("start.intensity", 1.5, "start.intensity", "a number from 0 to 1"),
    ("start.intensity", "high", "start.intensity", "a number"),
    ("patience.poor_replies", -1, "patience.poor_replies", "a whole number from 0 to 20"),
    ("patience.poor_replies", True, "patience.poor_replies", "a whole number"),
    ("reactions.calms", {}, "reactions.calms", "at least one signal"),
    (
        "reactions.calms.kindness",
        0.2,
        "reactions.calms.kindness",
        "a behaviour, anti-pattern or cue id",
    ),
    ("reactions.inflames.blame", 2, "reactions.inflames.blame", "a number from 0 to 1"),
    (
        "reactions.missing",
        {"blame": 0.1},
        "reactions.missing.blame",
        "a behaviour, anti-pattern or cue id",
    ),
    ("resolution.requires", ["solution", "magic"], "resolution.requires[1]", "a behaviour"),
    ("resolution.forbids", "blame", "resolution.forbids", "a list of signal ids"),
    ("lines.angry", ["only one"], "lines.angry", "a list of at least 2"),
    ("lines.calm", ["fine", ""], "lines.calm[1]", "a non-empty string"),
    ("lines.resolved", _DELETE, "lines.resolved", "this field to be present"),
    ("id", "Has Spaces", "id", "lower-case letters"),
    ("cues", {"boundary": ["(unclosed"]}, "cues.boundary[0]", "a valid regular expression"),
    ("cues", {"blame": ["x"]}, "cues.blame", "a new lower-case id"),
    ("tips", {"solution": 3}, "tips.solution", "a non-empty string"),
]


@pytest.mark.parametrize(("path", "value", "field", "expected"), BROKEN)
def test_a_malformed_field_names_the_file_the_field_and_what_is_expected(
    path: str, value: Any, field: str, expected: str
) -> None:
    data = valid_data()
    _set(data, path, value)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, file="trainer.yaml")
    error = caught.value
    assert error.file == "trainer.yaml"
    assert error.field == field
    assert expected in error.expected
    assert str(error).startswith(f"trainer.yaml: {field}: expected ")


def test_a_cue_can_be_used_as_a_signal_once_declared() -> None:
    data = valid_data()
    data["cues"] = {"boundary": [r"\brespectful\b"]}
    data["reactions"]["calms"]["boundary"] = 0.1
    data["resolution"]["requires"] = ["solution", ["boundary", "offer_human"]]
    scenario = parse_scenario(data)
    assert scenario.cues[0].found_in("Let's keep this RESPECTFUL, please.")
    assert scenario.resolution.requires[1] == ("boundary", "offer_human")


def test_the_file_must_be_a_mapping() -> None:
    with pytest.raises(ScenarioError, match="expected a mapping of fields"):
        parse_scenario(["not", "a", "mapping"], file="list.yaml")


def test_invalid_yaml_and_a_missing_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="valid YAML") as caught:
        load_scenario(bad)
    assert caught.value.file == str(bad) and caught.value.field == ""
    with pytest.raises(ScenarioError, match="readable"):
        load_scenario(tmp_path / "missing.yaml")


def test_get_scenario_by_id_by_path_and_unknown() -> None:
    assert get_scenario("cannot-grant").persona.name == "Ravi"
    assert get_scenario(str(DATA / "minimal.yaml")).id == "minimal"
    with pytest.raises(UnknownScenarioError) as caught:
        get_scenario("no-such-scenario")
    assert set(caught.value.known) == SHIPPED
    assert "abusive-customer" in str(caught.value)


@pytest.mark.parametrize(
    ("intensity", "mood"),
    [
        (1.0, "furious"),
        (0.8, "furious"),
        (0.79, "angry"),
        (0.45, "upset"),
        (0.2, "calming"),
        (0.0, "calm"),
    ],
)
def test_mood_by_intensity(intensity: float, mood: str) -> None:
    assert mood_for(intensity) == mood


def test_a_cue_quotes_the_sentence_it_matched() -> None:
    data = valid_data()
    data["cues"] = {"boundary": [r"\brespectful\b"]}
    cue = parse_scenario(data).cues[0]
    text = "I want to help. I need us to keep this respectful, though! Shall we go on?"
    assert cue.quote(text) == "I need us to keep this respectful, though!"
    assert cue.quote("keep it respectful") == "keep it respectful"
    assert cue.quote("Nothing here.") is None
