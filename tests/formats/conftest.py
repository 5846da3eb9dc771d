"""Fixtures for the format reader tests: real files under a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.helpers import Writer


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write bytes or text to a file under tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return _write
