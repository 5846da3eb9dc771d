"""Reading bytes safely: bounded physical lines, strict UTF-8, and bounded whole-file reads.

Every reader goes through here so that a giant line, binary junk or a wrong encoding turns
into a clear message for that record instead of an exception or an out-of-memory crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

#: Longest physical line a line-based reader will hold in memory; longer lines are skipped.
MAX_LINE_BYTES = 64 * 1024 * 1024
#: Largest one-conversation file (transcript, subtitles) that is read.
MAX_FILE_BYTES = 64 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
_DRAIN_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawLine:
    """One physical line: its 1-based number and bytes, or None when it was too long."""

    number: int
    data: bytes | None


def iter_lines(stream: BinaryIO, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[RawLine]:
    """Yield the physical lines of *stream*, skipping past (not holding) any over *max_bytes*."""
    number = 0
    while True:
        chunk = stream.readline(max_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(_DRAIN_CHUNK)
            yield RawLine(number, None)
        else:
            yield RawLine(
                number, chunk[len(_BOM) :] if number == 1 and chunk.startswith(_BOM) else chunk
            )


def too_long_message(max_bytes: int = MAX_LINE_BYTES) -> str:
    """Return the message for a physical line longer than *max_bytes*."""
    return (
        f"the line is longer than {_size(max_bytes)} and was skipped; "
        "is this a binary file, or one conversation per line?"
    )


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text; when the bytes were not clean UTF-8, what was wrong and on which line."""

    text: str
    problem: str | None = None
    line: int = 1


def decode(data: bytes) -> Decoded:
    """Decode *data* as strict UTF-8; on failure keep a lossy text and say what was wrong."""
    nul = data.find(b"\x00")
    if nul >= 0:
        return Decoded(
            data.replace(b"\x00", b"").decode("utf-8", "replace"),
            "binary data (NUL bytes); is this a binary file? Warmline reads UTF-8 text",
            line_of_offset(data, nul),
        )
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        return Decoded(
            data.decode("utf-8", "replace"),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {column}); "
            "save the file as UTF-8",
            line_of_offset(data, exc.start),
        )


def read_bounded(stream: BinaryIO, *, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """Read all of *stream*, or return None if it is larger than *max_bytes*."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None
    return data[len(_BOM) :] if data.startswith(_BOM) else data


def too_big_message(max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the message for a one-conversation file larger than *max_bytes*."""
    return f"the file is larger than {_size(max_bytes)}, too big for one conversation"


def line_of_offset(data: bytes, offset: int) -> int:
    """Return the 1-based line number of byte *offset* in *data*."""
    return data.count(b"\n", 0, offset) + 1


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    return f"{n:,} bytes"
