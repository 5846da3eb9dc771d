"""CSV and TSV: one row per turn, the rows of a conversation consecutive.

A conversation is emitted when the ``conversation_id`` changes, so only one conversation is
held at a time. The reader remembers which ids it has already emitted (one small entry per
conversation) to report an id whose rows are not grouped together. Errors point at the line
of the first bad row of a conversation.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from warmline.engine.model import MAX_TURNS
from warmline.formats.assemble import assemble
from warmline.formats.lines import MAX_LINE_BYTES, decode, iter_lines, too_long_message
from warmline.formats.records import InputError, Record
from warmline.formats.roles import RoleMap, resolve_speaker, unknown_speaker_message

if TYPE_CHECKING:
    from _csv import Reader

#: Column → the header names accepted for it, preferred first (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "conversation_id": ("conversation_id", "id", "conversation"),
    "speaker": ("speaker", "role", "author"),
    "text": ("text", "message"),
    "timestamp": ("timestamp", "time"),
    "agent_id": ("agent_id",),
    "customer_name": ("customer_name",),
    "channel": ("channel",),
}
REQUIRED_COLUMNS = ("conversation_id", "speaker", "text")
_CONVERSATION_FIELDS = ("agent_id", "customer_name", "channel")

#: A line that could not be read: its number and what was wrong.
Problem = tuple[int, str]


def read_csv(
    stream: BinaryIO,
    *,
    source: str,
    roles: RoleMap,
    delimiter: str | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Record]:
    """Yield one record per conversation of a CSV/TSV *stream* (delimiter sniffed if None)."""
    _allow_long_fields(max_line_bytes)
    lines = _DecodedLines(stream, max_line_bytes)
    first = next(lines, None)
    if first is None:
        yield InputError(1, None, f"the file is empty; {_NEEDED}", source)
        return
    delimiter = delimiter or ("\t" if "\t" in first and "," not in first else ",")
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header: _Header | None = None
    groups = _Grouper(source=source, roles=roles, delimiter=delimiter)
    for line, row, problem in _rows(reader, lines):
        if isinstance(row, csv.Error):
            yield from groups.close()
            yield InputError(line, None, f"malformed CSV row: {row}", source)
        elif header is not None:
            yield from groups.add(row, header, line, problem)
        elif isinstance(parsed := _parse_header(row), str):
            yield InputError(line, None, parsed, source)
            return
        else:
            header = parsed
    yield from groups.close()


def _rows(
    reader: Reader, lines: _DecodedLines
) -> Iterator[tuple[int, list[str] | csv.Error, Problem | None]]:
    """Yield each non-blank row (or the csv module's error) with its first line number."""
    end = 0
    while True:
        start = end + 1
        try:
            row: list[str] | csv.Error | None = next(reader, None)
        except csv.Error as exc:
            row = exc
        end = reader.line_num
        problem = lines.take_problem()
        if row is None:
            return
        if isinstance(row, csv.Error) or problem is not None or any(v.strip() for v in row):
            yield start, row, problem


_NEEDED = (
    "a CSV needs a header row with conversation_id, speaker and text columns (also accepted: "
    "id for conversation_id, role or author for speaker); optional: timestamp, agent_id, "
    "customer_name, channel"
)


@dataclass(frozen=True, slots=True)
class _Header:
    columns: dict[str, int]
    width: int


def _parse_header(row: list[str]) -> _Header | str:
    names = [" ".join(cell.split()).lower().replace(" ", "_").replace("-", "_") for cell in row]
    columns: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                columns[column] = names.index(alias)
                break
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if not missing:
        return _Header(columns, len(row))
    found = ", ".join(repr(cell) for cell in row)
    return f"missing column {' and '.join(missing)}: the header has {found}; {_NEEDED}"


@dataclass(slots=True)
class _Group:
    id: str
    line: int
    turns: list[dict[str, str]] = field(default_factory=list)
    turn_lines: list[int] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    error: Problem | None = None

    def fail(self, line: int, message: str) -> None:
        if self.error is None:
            self.error = (line, message)
        self.turns.clear()
        self.turn_lines.clear()


class _Grouper:
    """Collects consecutive rows into conversations and emits each when its id changes."""

    def __init__(self, *, source: str, roles: RoleMap, delimiter: str) -> None:
        self._source = source
        self._roles = roles
        self._delimiter = "tab" if delimiter == "\t" else repr(delimiter)
        self._group: _Group | None = None
        self._seen: dict[str, int] = {}

    def add(
        self, row: list[str], header: _Header, line: int, problem: Problem | None
    ) -> Iterator[Record]:
        """Add one data row, first emitting the previous conversation if the id changed."""
        values = {name: row[i] if i < len(row) else "" for name, i in header.columns.items()}
        conv_id = values["conversation_id"].strip()
        group = self._group
        if group is None or (conv_id and group.id != conv_id):
            yield from self.close()
            group = self._group = self._open(conv_id, line)
        if problem is not None:
            group.fail(*problem)
        elif not conv_id:
            group.fail(line, "conversation_id is empty; every row needs its conversation's id")
        elif len(row) > header.width and any(cell.strip() for cell in row[header.width :]):
            group.fail(line, self._too_many_fields(len(row), header.width))
        if group.error is None:
            self._add_turn(group, values, line)

    def close(self) -> Iterator[Record]:
        """Emit the conversation being collected, if any."""
        group, self._group = self._group, None
        if group is None:
            return
        if group.id:
            self._seen.setdefault(group.id, group.line)
        if group.error is not None:
            yield InputError(group.error[0], group.id or None, group.error[1], self._source)
            return
        data: dict[str, Any] = {"id": group.id, "turns": group.turns, **group.extra}
        yield assemble(data, turn_lines=group.turn_lines, source=self._source)

    def _open(self, conv_id: str, line: int) -> _Group:
        group = _Group(id=conv_id, line=line)
        if conv_id in self._seen:
            group.fail(
                line,
                f"conversation_id {conv_id!r} appears again after other conversations (its rows "
                f"began at line {self._seen[conv_id]}); rows must be grouped by conversation_id, "
                "so sort the file by conversation_id",
            )
        return group

    def _add_turn(self, group: _Group, values: dict[str, str], line: int) -> None:
        name = values["speaker"].strip()
        speaker = resolve_speaker(name, self._roles)
        if speaker is None:
            reason = unknown_speaker_message(name) if name else "the speaker is empty"
            group.fail(line, f"speaker: {reason}")
            return
        if len(group.turns) >= MAX_TURNS:
            group.fail(line, f"more than {MAX_TURNS:,} turns in one conversation; split it")
            return
        turn = {"speaker": speaker.value, "text": values["text"].replace("\r\n", "\n")}
        if values.get("timestamp", "").strip():
            turn["timestamp"] = values["timestamp"].strip()
        group.turns.append(turn)
        group.turn_lines.append(line)
        for key in _CONVERSATION_FIELDS:
            if values.get(key, "").strip() and key not in group.extra:
                group.extra[key] = values[key].strip()

    def _too_many_fields(self, found: int, expected: int) -> str:
        return (
            f"the row has {found} fields but the header has {expected}; "
            f"put text that contains a {self._delimiter} in double quotes"
        )


class _DecodedLines:
    """Decoded physical lines for :mod:`csv`, remembering which lines could not be read."""

    def __init__(self, stream: BinaryIO, max_line_bytes: int) -> None:
        self._raw = iter_lines(stream, max_bytes=max_line_bytes)
        self._max = max_line_bytes
        self._problems: dict[int, str] = {}

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = next(self._raw)
        if raw.data is None:
            self._problems[raw.number] = too_long_message(self._max)
            return "\n"
        decoded = decode(raw.data)
        if decoded.problem is not None:
            self._problems[raw.number] = decoded.problem
        return decoded.text

    def take_problem(self) -> Problem | None:
        """Return the first unreadable line of the row just parsed, and forget the others."""
        if not self._problems:
            return None
        line = min(self._problems)
        message = self._problems[line]
        self._problems.clear()
        return line, message


def _allow_long_fields(limit: int) -> None:
    # The csv module's default field limit (128 KiB) would turn one long turn into a parse
    # error that loses the row's id; lines are already bounded, so allow fields as long.
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
