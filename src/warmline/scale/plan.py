"""The partitions of a batch run: which input files, cut into chunks, numbered in a stable order.

A partition is one input file, or a fixed-size chunk of a big JSON Lines or Parquet file. The
plan depends only on the inputs and the chunk size, so a rerun over the same inputs numbers
its partitions the same way and can skip the ones an earlier run already wrote.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmline.formats import EXTENSIONS, FORMATS, UnsupportedFormatError

#: Extensions read as Parquet (one row per conversation, or one row per turn).
PARQUET_EXTENSIONS = (".parquet", ".pq")
#: Every format a batch run reads: the stream readers' formats plus Parquet.
BATCH_FORMATS = (*FORMATS, "parquet")
#: Conversations per partition when a file is cut into chunks.
DEFAULT_PARTITION_SIZE = 10_000

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of work: records ``[start, stop)`` of one input file.

    For JSON Lines ``start``/``stop`` are 1-based physical line numbers, for Parquet 0-based
    row numbers; ``stop`` is None for "to the end of the file".
    """

    number: int
    path: str
    format: str
    start: int = 0
    stop: int | None = None

    @property
    def name(self) -> str:
        """The file stem of this partition's outputs, ``part-00042``."""
        return f"part-{self.number:05d}"

    def key(self) -> dict[str, Any]:
        """What identifies this partition in its progress marker."""
        return {"path": self.path, "format": self.format, "start": self.start, "stop": self.stop}


def find_inputs(sources: Iterable[str], *, format: str | None = None) -> list[tuple[Path, str]]:
    """Resolve files, folders and glob patterns to ``(file, format)`` pairs in a stable order.

    Raises :class:`UnsupportedFormatError` when a source matches nothing readable.
    """
    found: list[tuple[Path, str]] = []
    for source in sources:
        if _GLOB_CHARS & set(source):
            paths = sorted(Path(p) for p in glob.glob(source, recursive=True))
            matched = [(p, f) for p in paths if p.is_file() and (f := _format_of(p, format))]
            what = f"the pattern {source!r} matches no readable file"
        elif Path(source).is_dir():
            paths = sorted(Path(source).iterdir(), key=lambda p: p.name)
            matched = [
                (p, f)
                for p in paths
                if p.is_file() and not p.name.startswith(".") and (f := _format_of(p, format))
            ]
            what = f"the folder {source!r} has no readable file"
        elif Path(source).is_file():
            fmt = _format_of(Path(source), format)
            if fmt is None:
                raise UnsupportedFormatError(_unknown_extension(source))
            matched = [(Path(source), fmt)]
            what = ""
        else:
            raise UnsupportedFormatError(f"{source!r} does not exist; check the path")
        if not matched:
            known = ", ".join([*EXTENSIONS, *PARQUET_EXTENSIONS])
            raise UnsupportedFormatError(f"{what} (files ending in {known}, or use --format)")
        found += matched
    return found


def plan_partitions(
    sources: Iterable[str],
    *,
    format: str | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
) -> list[Partition]:
    """Return the partitions of *sources*, numbered from 0 in input order."""
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    plan: list[Partition] = []
    for path, fmt in find_inputs(sources, format=format):
        for start, stop in _chunks(path, fmt, partition_size):
            plan.append(Partition(len(plan), str(path), fmt, start, stop))
    return plan


def _format_of(path: Path, format: str | None) -> str | None:
    if format is not None:
        return format
    suffix = path.suffix.lower()
    return "parquet" if suffix in PARQUET_EXTENSIONS else EXTENSIONS.get(suffix)


def _unknown_extension(source: str) -> str:
    known = ", ".join([*EXTENSIONS, *PARQUET_EXTENSIONS])
    return (
        f"cannot tell the format of {source!r} from its extension; use a file ending in "
        f"{known}, or name the format with --format"
    )


def _chunks(path: Path, fmt: str, size: int) -> list[tuple[int, int | None]]:
    """Cut one file into ``(start, stop)`` ranges of *size* records; a whole file is one."""
    if fmt == "jsonl":
        lines = _count_lines(path)
        if lines <= size:
            return [(1, None)]
        return [(s, min(s + size, lines + 1)) for s in range(1, lines + 1, size)]
    if fmt == "parquet":
        rows = _parquet_rows(path)
        if rows is None or rows <= size:
            return [(0, None)]
        return [(s, min(s + size, rows)) for s in range(0, rows, size)]
    return [(0, None)]


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _parquet_rows(path: Path) -> int | None:
    """Rows of a conversation-per-row Parquet file; None for a turn-per-row file (not cut)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
    except (OSError, ValueError):
        return None  # reported as an error row when the partition is read
    if "turns" not in meta.schema_arrow.names:
        return None  # one row per turn: cutting could split a conversation
    return int(meta.metadata.num_rows)
