"""Shared inputs and readers for the batch tests: demo conversations as files, tables read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import warmline

DEMO = Path(warmline.__file__).parent / "examples" / "demo.jsonl"


def demo_lines() -> list[str]:
    """The bundled demo conversations, one JSON line each."""
    return [line for line in DEMO.read_text("utf-8").splitlines() if line.strip()]


def read_rows(output: Path, table: str) -> list[dict[str, Any]]:
    """Every row of one output table (Parquet or JSON Lines parts), in a stable order."""
    rows: list[dict[str, Any]] = []
    for path in sorted((output / table).glob("part-*")):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows += pq.read_table(path).to_pylist()
        else:
            rows += [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    return sorted(rows, key=lambda r: (str(r["conversation_id"]), r.get("turn_index", -1)))


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder of two JSONL files: the demo set split in two, with one broken line."""
    folder = tmp_path / "in"
    folder.mkdir()
    lines = demo_lines()
    half = len(lines) // 2
    (folder / "a.jsonl").write_text("\n".join(lines[:half]) + "\n", "utf-8")
    broken = [*lines[half:], '{"id": "broken-1", "turns": [', '{"id": "no-turns", "turns": []}']
    (folder / "b.jsonl").write_text("\n".join(broken) + "\n", "utf-8")
    return folder
