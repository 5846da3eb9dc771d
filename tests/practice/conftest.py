"""Fixtures of the role-play tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.practice.llm_stub import Stub, running


@pytest.fixture
def stub() -> Iterator[Stub]:
    """An OpenAI-compatible stub server on 127.0.0.1."""
    with running() as server:
        yield server
