"""The Northwind Home demo team: the committed data is fresh, valid, and shows what it should.

`make run` imports src/warmline/examples/demo_team.yaml (teams and logins) and demo_team.jsonl
(conversations written by tools/make_demo_team.py). These tests keep the two in step with the
generator and check that Warmline's engine sees the agents the way the data intends.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import warmline
from warmline.formats import InputError, read_conversations

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "warmline" / "examples"
JSONL = EXAMPLES / "demo_team.jsonl"
TEAM_YAML = EXAMPLES / "demo_team.yaml"


def _load_generator() -> ModuleType:
    """tools/ is not a package: import the generator from its path."""
    path = ROOT / "tools" / "make_demo_team.py"
    spec = importlib.util.spec_from_file_location("make_demo_team", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with JSONL.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def team() -> dict[str, Any]:
    with TEAM_YAML.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@pytest.fixture(scope="module")
def styles() -> dict[str, str]:
    with (ROOT / "tools" / "demo_team" / "people.yaml").open(encoding="utf-8") as handle:
        data: dict[str, str] = yaml.safe_load(handle)["styles"]
    return data


@pytest.fixture(scope="module")
def scores(records: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Each agent's conversation scores, from the engine."""
    by_agent: dict[str, list[int]] = defaultdict(list)
    for record in records:
        score = warmline.analyze(record).score
        assert score is not None
        by_agent[record["agent_id"]].append(score)
    return by_agent


def test_committed_file_is_a_fresh_generator_run(generator: ModuleType) -> None:
    fresh = generator.render(generator.build_records())
    assert JSONL.read_text(encoding="utf-8") == fresh, (
        "demo_team.jsonl is stale: run `python tools/make_demo_team.py`"
    )


def test_generator_is_deterministic(generator: ModuleType) -> None:
    assert generator.build_records(seed=7) == generator.build_records(seed=7)
    assert generator.build_records(seed=7) != generator.build_records(seed=8)


def test_every_record_reads_as_a_conversation(records: list[dict[str, Any]]) -> None:
    read = list(read_conversations(JSONL))
    errors = [r for r in read if isinstance(r, InputError)]
    assert errors == []
    assert len(read) == len(records) == 240


def test_ids_are_unique_and_numbered(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert ids == [f"nw-{n:04d}" for n in range(1, len(records) + 1)]


def test_records_have_the_demo_shape(records: list[dict[str, Any]], team: dict[str, Any]) -> None:
    teams = {t["name"] for t in team["teams"]}
    first_day, last_day = date(2026, 10, 10), date(2026, 11, 20)
    for record in records:
        assert record["channel"] in {"chat", "email", "phone", "social"}
        assert 2 <= len(record["turns"]) <= 10
        assert record["turns"][0]["speaker"] == "customer"
        meta = record["metadata"]
        assert meta["team"] in teams and meta["topic"]
        assert meta.get("csat", 3) in range(1, 6)
        times = [datetime.fromisoformat(t["timestamp"]) for t in record["turns"]]
        assert times == sorted(times)
        assert all(first_day <= t.date() <= last_day for t in times)
    assert sum("customer_name" in r for r in records) > 0.9 * len(records)
    assert len({r["channel"] for r in records}) == 4


def test_agents_match_the_team_file(records: list[dict[str, Any]], team: dict[str, Any]) -> None:
    agent_team = {u["agent_id"]: u["teams"][0] for u in team["users"] if u["role"] == "agent"}
    assert {r["agent_id"] for r in records} == set(agent_team)
    for record in records:
        assert record["metadata"]["team"] == agent_team[record["agent_id"]]


def test_team_file_has_the_demo_logins(team: dict[str, Any]) -> None:
    teams = {t["name"] for t in team["teams"]}
    assert teams == {"Northwind Care", "Northwind Billing"}
    users = {u["email"]: u for u in team["users"]}
    assert users["admin@northwind.example"]["role"] == "admin"
    assert users["coach@northwind.example"]["teams"] == ["Northwind Care"]
    assert users["billing-coach@northwind.example"]["teams"] == ["Northwind Billing"]
    agents = [u for u in team["users"] if u["role"] == "agent"]
    assert len([a for a in agents if a["teams"] == ["Northwind Care"]]) == 6
    assert len([a for a in agents if a["teams"] == ["Northwind Billing"]]) == 2
    for user in team["users"]:
        assert set(user.get("teams", [])) <= teams
        assert len(user["password"]) >= 8


def test_engine_ranks_the_agents_as_written(
    scores: dict[str, list[int]], styles: dict[str, str]
) -> None:
    means = {agent: statistics.mean(values) for agent, values in scores.items()}
    by_style: dict[str, list[str]] = defaultdict(list)
    for agent, style in styles.items():
        by_style[style].append(agent)
    (best,) = by_style["exceptional"]
    (worst,) = by_style["struggling"]
    assert means[best] > means[worst] + 20
    assert means[best] == max(means.values())
    assert means[worst] == min(means.values())


def test_conversations_both_calm_down_and_boil_over(records: list[dict[str, Any]]) -> None:
    results = [warmline.to_dict(warmline.analyze(r), explain=True) for r in records]
    assert sum(bool(r["deescalated"]) for r in results) >= 20
    assert sum(bool(r["escalated"]) for r in results) >= 5
    assert sum(len(r["missed_opportunities"]) for r in results) > 0
    assert sum(len(r["best_moments"]) for r in results) > 0
