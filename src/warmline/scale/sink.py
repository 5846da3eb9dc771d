"""Write a partition's tables atomically, and remember which partitions are done.

Each table file is written to a hidden temporary name and renamed into place, and the
partition's progress marker (``_progress/part-NNNNN.json``) is written the same way only after
both tables, so a run killed at any moment leaves either a complete partition with its marker
or no marker at all. A rerun redoes unmarked partitions under the same names: no duplicates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warmline.engine.errors import WarmlineError
from warmline.scale.plan import Partition
from warmline.scale.rows import CONVERSATION_COLUMNS, TURN_COLUMNS

#: Output formats of a batch run.
OUTPUT_FORMATS = ("parquet", "jsonl")
PROGRESS = "_progress"
TABLES = {"turns": TURN_COLUMNS, "conversations": CONVERSATION_COLUMNS}


class ResumeMismatchError(WarmlineError, ValueError):
    """The output folder holds a run over other inputs or in another format."""


def write_table(
    output: Path, table: str, partition: Partition, rows: Sequence[dict[str, Any]], fmt: str
) -> Path:
    """Write *rows* as ``<output>/<table>/part-NNNNN.<fmt>`` atomically; return the path."""
    folder = output / table
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{partition.name}.{fmt}"
    tmp = folder / f".{partition.name}.{fmt}.{os.getpid()}.tmp"
    if fmt == "parquet":
        _write_parquet(tmp, rows, TABLES[table])
    else:
        with tmp.open("wb") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False).encode("utf-8", "replace") + b"\n")
    os.replace(tmp, target)
    return target


def write_marker(output: Path, partition: Partition, fmt: str, counts: dict[str, int]) -> None:
    """Record *partition* as complete (the last step of writing it)."""
    folder = output / PROGRESS
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{partition.name}.{os.getpid()}.tmp"
    body = {"partition": partition.key(), "output_format": fmt, **counts}
    tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / f"{partition.name}.json")


def completed(output: Path, plan: Sequence[Partition], fmt: str) -> dict[int, dict[str, Any]]:
    """Return the markers of the partitions of *plan* already written, by partition number.

    Raises :class:`ResumeMismatchError` when a marker describes another input or format.
    """
    folder = output / PROGRESS
    if not folder.is_dir():
        return {}
    done: dict[int, dict[str, Any]] = {}
    by_name = {p.name: p for p in plan}
    for path in sorted(folder.glob("part-*.json")):
        marker = json.loads(path.read_text("utf-8"))
        partition = by_name.get(path.stem)
        if partition is None or marker.get("partition") != partition.key():
            raise ResumeMismatchError(
                f"{output} holds the output of a run over other inputs ({path.name}); "
                "write to a new folder, or delete this one to start over"
            )
        if marker.get("output_format") != fmt:
            raise ResumeMismatchError(
                f"{output} was written as {marker.get('output_format')}; rerun with "
                f"--output-format {marker.get('output_format')} or write to a new folder"
            )
        done[partition.number] = marker
    return done


def remove_partial(output: Path) -> int:
    """Delete the temporary files a killed run left behind; return how many there were."""
    stale = [p for folder in (*TABLES, PROGRESS) for p in (output / folder).glob(".part-*.tmp")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def parquet_schema(columns: dict[str, str]) -> Any:
    """The pyarrow schema of a table from its column → type mapping."""
    import pyarrow as pa

    emotions = pa.list_(
        pa.struct([("label", pa.string()), ("score", pa.float64()), ("intensity", pa.int64())])
    )
    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "list[str]": pa.list_(pa.string()),
        "emotions": emotions,
    }
    return pa.schema([(name, types[kind]) for name, kind in columns.items()])


def _write_parquet(path: Path, rows: Sequence[dict[str, Any]], columns: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows), schema=parquet_schema(columns))
    pq.write_table(table, path)
