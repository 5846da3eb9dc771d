"""Bounded line reading, strict decoding and bounded whole-file reads."""

from __future__ import annotations

import io

import pytest

from warmline.formats.lines import decode, iter_lines, read_bounded


def lines_of(data: bytes, limit: int) -> list[tuple[int, bytes | None]]:
    return [(raw.number, raw.data) for raw in iter_lines(io.BytesIO(data), max_bytes=limit)]


def test_lines_keep_their_endings_and_numbers() -> None:
    assert lines_of(b"\xef\xbb\xbfa\r\nb\n\nc", 10) == [
        (1, b"a\r\n"),
        (2, b"b\n"),
        (3, b"\n"),
        (4, b"c"),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"12345\nab\n", [(1, b"12345\n"), (2, b"ab\n")]),  # exactly the limit plus newline
        (b"123456\nab\n", [(1, None), (2, b"ab\n")]),
        (b"12345", [(1, b"12345")]),
        (b"123456", [(1, None)]),
        (b"x" * 100 + b"\n" + b"y" * 100, [(1, None), (2, None)]),
    ],
)
def test_lines_over_the_limit_are_skipped(
    data: bytes, expected: list[tuple[int, bytes | None]]
) -> None:
    assert lines_of(data, 5) == expected


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"fine\n", 1, None),
        (b"ab\xffc", 1, "byte 0xff at column 3"),
        (b"ok\nok\n\xc3(", 3, "byte 0xc3 at column 1"),
        (b"a\x00b", 1, "NUL bytes"),
    ],
)
def test_decode_says_what_and_where(data: bytes, line: int, words: str | None) -> None:
    decoded = decode(data)
    assert decoded.line == line
    if words is None:
        assert decoded.problem is None
    else:
        assert decoded.problem is not None and words in decoded.problem


def test_read_bounded() -> None:
    assert read_bounded(io.BytesIO(b"\xef\xbb\xbfabc"), max_bytes=6) == b"abc"
    assert read_bounded(io.BytesIO(b"abcd"), max_bytes=3) is None
