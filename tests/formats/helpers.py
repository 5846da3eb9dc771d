"""Helpers for the format reader tests: build lines, read files back, summarise records."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from warmline.engine.model import Conversation
from warmline.formats import InputError, Record, read_conversations


def line(conv_id: str, *turns: tuple[str, str], **extra: Any) -> str:
    """Return one interchange-format JSONL line."""
    data = {"id": conv_id, "turns": [{"speaker": s, "text": t} for s, t in turns], **extra}
    return json.dumps(data)


def read(
    path: Path, *, format: str | None = None, roles: Mapping[str, str] | None = None
) -> list[Record]:
    """Read every record of *path*."""
    return list(read_conversations(path, format=format, roles=roles))


def summary(records: list[Record]) -> list[tuple[str, int | None, str | None]]:
    """Reduce records to (kind, line, id) for order-and-position assertions."""
    return [
        ("error", r.line, r.id) if isinstance(r, InputError) else ("ok", None, r.id)
        for r in records
    ]


def conversation(record: Record) -> Conversation:
    """Return *record* as a Conversation, failing with its message if it is an InputError."""
    assert isinstance(record, Conversation), str(record)
    return record


def turns_of(record: Record) -> list[tuple[str, str, str | None]]:
    """Return (speaker, text, timestamp) for each turn, failing on an InputError."""
    return [(t.speaker.value, t.text, t.timestamp) for t in conversation(record).turns]


#: Writes bytes or text to a named file under tmp_path and returns its path.
Writer = Callable[[str, str | bytes], Path]
