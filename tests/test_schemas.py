"""The shipped JSON Schemas: valid draft 2020-12, in sync with labels.py, and matching real data."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from warmline import schemas
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS, FOCUS_VALUES, MECHANISMS
from warmline.engine.model import Conversation, Speaker
from warmline.engine.pipeline import Analyzer
from warmline.engine.serialize import analysis_to_dict


def demo_lines() -> list[dict[str, Any]]:
    text = resources.files("warmline").joinpath("examples/demo.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", schemas.NAMES)
def test_schema_is_valid_2020_12(name: str) -> None:
    schema = schemas.load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_load_accepts_file_names_and_rejects_unknown_names() -> None:
    assert schemas.load("analysis.schema.json") == schemas.load("analysis")
    with pytest.raises(ValueError, match="conversation"):
        schemas.load("nope")


def test_input_enums_match_the_model() -> None:
    turn = schemas.load("conversation")["$defs"]["turn"]
    assert turn["properties"]["speaker"]["enum"] == [s.value for s in Speaker]


def test_output_enums_match_labels() -> None:
    defs = schemas.load("analysis")["$defs"]
    turn = defs["turn"]["properties"]
    assert turn["speaker"]["enum"] == [s.value for s in Speaker]
    assert turn["emotions"]["items"]["properties"]["label"]["enum"] == list(EMOTIONS)
    assert turn["behaviours"]["items"]["properties"]["id"]["enum"] == list(ALL_BEHAVIOURS)
    assert turn["focus"]["enum"] == list(FOCUS_VALUES)
    assert list(turn["mechanisms"]["properties"]) == list(MECHANISMS)
    assert turn["mechanisms"]["required"] == list(MECHANISMS)
    top = defs["analysis"]["properties"]
    assert top["trajectory"]["items"]["properties"]["label"]["enum"] == list(EMOTIONS)
    assert top["best_moments"]["items"]["properties"]["id"]["enum"] == list(ALL_BEHAVIOURS)
    missed = top["missed_opportunities"]["items"]["properties"]["label"]["enum"]
    assert missed == list(ALL_BEHAVIOURS)


def test_demo_file_validates_against_the_input_schema() -> None:
    validator = Draft202012Validator(schemas.load("conversation"))
    lines = demo_lines()
    assert len(lines) == 8
    for line in lines:
        validator.validate(line)
        Conversation.from_dict(line)
        assert {"customer_name", "agent_id", "channel"} <= set(line)
    assert len({line["id"] for line in lines}) == len(lines)


def test_input_schema_rejects_what_the_model_rejects() -> None:
    validator = Draft202012Validator(schemas.load("conversation"))
    bad = [
        {"id": "x", "turns": []},
        {"id": "x", "turns": [{"speaker": "manager", "text": "hi"}]},
        {"turns": [{"speaker": "customer", "text": "hi"}]},
        {"id": "", "turns": [{"speaker": "customer", "text": "hi"}]},
    ]
    for item in bad:
        assert not validator.is_valid(item), item


@pytest.mark.parametrize("explain", [False, True])
def test_analyses_of_the_demo_validate_against_the_output_schema(
    analyzer: Analyzer, explain: bool
) -> None:
    validator = Draft202012Validator(schemas.load("analysis"))
    for line in demo_lines():
        validator.validate(analysis_to_dict(analyzer.analyze(line), explain=explain))


def test_output_schema_accepts_error_lines() -> None:
    validator = Draft202012Validator(schemas.load("analysis"))
    validator.validate({"id": "c9", "error": {"line": 9, "message": "invalid JSON"}})
    validator.validate({"id": 4, "error": {"line": 4, "message": "not valid UTF-8"}})
    validator.validate({"id": "c9", "error": {"line": None, "message": "no turns"}})
    assert not validator.is_valid({"id": "c9", "error": {"line": 0, "message": ""}})
