"""Shared test data for the role-play tests: reply scripts and a valid scenario to break."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
REPLIES = DATA / "replies"


def replies(scenario_id: str, kind: str) -> list[str]:
    """The reply script of *kind* (empathic or robotic) written for a shipped scenario."""
    text = (REPLIES / f"{scenario_id}.{kind}.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def valid_data() -> dict[str, Any]:
    """A fresh copy of the minimal valid scenario in data/minimal.yaml."""
    data = yaml.safe_load((DATA / "minimal.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(data)
