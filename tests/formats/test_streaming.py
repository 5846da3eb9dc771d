"""Streaming: a long input is read with flat memory, one record at a time."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

from warmline.formats import InputError, read_conversations

LINES = 200_000
WINDOW = 10_000


class GeneratedFile(io.RawIOBase):
    """A read-only file whose bytes come from a generator, so the input itself takes no memory."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(target):
            chunk = next(self._lines, None)
            if chunk is None:
                break
            self._pending += chunk
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def jsonl_lines() -> Iterator[bytes]:
    for i in range(LINES):
        if i % 1000 == 999:
            yield b"{broken\n"
        else:
            yield (
                b'{"id": "c%d", "turns": [{"speaker": "customer", "text": "Where is my order?"}]}\n'
                % i
            )


def test_200k_lines_stream_with_bounded_memory() -> None:
    # tracemalloc slows allocation several times over, so memory is traced in two windows:
    # the first records (anything read up front, such as the whole file, shows there) and
    # the last ones (anything kept per record, such as a list of them all, shows there).
    records = read_conversations(io.BufferedReader(GeneratedFile(jsonl_lines())), format="jsonl")
    peaks: list[int] = []
    count = errors = 0
    tracemalloc.start()
    try:
        for record in records:
            count += 1
            errors += isinstance(record, InputError)
            if count == WINDOW:
                peaks.append(tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
            elif count == LINES - WINDOW:
                tracemalloc.start()
        peaks.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()
    assert (count, errors) == (LINES, LINES // 1000)
    assert max(peaks) < 2 * 1024 * 1024, f"peak memory {peaks} bytes"
