"""Shared fixtures: one Analyzer for the whole session (patterns compiled once)."""

from __future__ import annotations

import pytest

from warmline.engine.pipeline import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()
