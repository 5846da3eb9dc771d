"""Read the records of one partition: a chunk of JSON Lines, of Parquet, or a whole file.

Every reader yields a Conversation or an :class:`~warmline.formats.InputError` per record, in
file order, like :mod:`warmline.formats`. A file that cannot be opened at all becomes one
error record for its partition, never an exception: one broken file must not end a run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from itertools import groupby
from pathlib import Path
from typing import Any

from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import conversation_from_dict
from warmline.formats import InputError, Record, read_conversations
from warmline.formats.jsonl import parse_line
from warmline.formats.lines import iter_lines, too_long_message
from warmline.scale.plan import Partition

_BATCH_ROWS = 1024
_TURN_COLUMNS = ("conversation_id", "speaker", "text")
_CONVERSATION_FIELDS = ("agent_id", "customer_name", "channel")


def read_partition(
    partition: Partition, *, roles: Mapping[str, str] | None = None
) -> Iterator[Record]:
    """Yield the records of *partition* in file order; a failure to read becomes an error record."""
    try:
        if partition.format == "parquet":
            yield from _read_parquet(partition)
        elif partition.format == "jsonl" and partition.stop is not None:
            yield from _read_jsonl_chunk(partition)
        else:
            yield from read_conversations(partition.path, format=partition.format, roles=roles)
    except (OSError, ValueError) as exc:  # unreadable file, corrupt Parquet (ArrowInvalid)
        message = f"cannot read {partition.path!r}: {exc}"
        yield InputError(None, None, message, partition.path)


def _read_jsonl_chunk(partition: Partition) -> Iterator[Record]:
    with Path(partition.path).open("rb") as stream:
        for raw in iter_lines(stream):
            if raw.number < partition.start:
                continue
            if partition.stop is not None and raw.number >= partition.stop:
                return
            if raw.data is None:
                yield InputError(raw.number, None, too_long_message(), partition.path)
            elif raw.data.strip():
                yield parse_line(raw.data, line=raw.number, source=partition.path)


def _read_parquet(partition: Partition) -> Iterator[Record]:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(partition.path)
    names = set(file.schema_arrow.names)
    rows = (row for batch in file.iter_batches(batch_size=_BATCH_ROWS) for row in batch.to_pylist())
    if "turns" in names:
        yield from _conversation_rows(rows, partition)
    elif set(_TURN_COLUMNS) <= names:
        yield from _turn_rows(rows, partition.path)
    else:
        raise ValueError(
            "a Parquet input needs a 'turns' list column (one row per conversation) or the "
            "columns conversation_id, speaker, text (one row per turn); see docs/scale.md"
        )


def _conversation_rows(rows: Iterator[dict[str, Any]], partition: Partition) -> Iterator[Record]:
    for index, row in enumerate(rows):
        if index < partition.start:
            continue
        if partition.stop is not None and index >= partition.stop:
            return
        yield _to_record(_clean(row), index + 1, partition.path)


def _turn_rows(rows: Iterator[dict[str, Any]], source: str) -> Iterator[Record]:
    row_number = 0
    for conv_id, group in groupby(rows, key=lambda r: r["conversation_id"]):
        turns = list(group)
        first = row_number + 1
        row_number += len(turns)
        data: dict[str, Any] = {"id": conv_id, "turns": []}
        for turn in turns:
            item = {"speaker": turn["speaker"], "text": turn["text"]}
            if turn.get("timestamp") is not None:
                item["timestamp"] = turn["timestamp"]
            data["turns"].append(item)
            for key in _CONVERSATION_FIELDS:
                if data.get(key) is None and turn.get(key) not in (None, ""):
                    data[key] = turn[key]
        yield _to_record(data, first, source)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Drop nulls (null is "not given" in the interchange format); parse JSON metadata."""
    out = {k: v for k, v in row.items() if v is not None}
    if isinstance(out.get("turns"), list):
        out["turns"] = [
            {k: v for k, v in t.items() if v is not None} if isinstance(t, dict) else t
            for t in out["turns"]
        ]
    if isinstance(out.get("metadata"), str):
        try:
            out["metadata"] = json.loads(out["metadata"])
        except ValueError:
            out["metadata"] = {"raw": out["metadata"]}
    return out


def _to_record(data: dict[str, Any], row: int, source: str) -> Record:
    try:
        return conversation_from_dict(data)
    except InvalidConversationError as exc:
        conv_id = data.get("id")
        ident = str(conv_id) if isinstance(conv_id, str | int) and conv_id != "" else None
        return InputError(row, ident, f"row {row}: {exc}", source)
