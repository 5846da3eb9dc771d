"""JSON Lines reader: happy path, every kind of bad line, and the memory guard."""

from __future__ import annotations

import io
import json

import pytest

from tests.formats.helpers import Writer, conversation, line, read, summary, turns_of
from warmline.engine.model import MAX_TURN_CHARS
from warmline.formats import InputError
from warmline.formats.jsonl import parse_line, read_jsonl

GOOD_A = line("a", ("customer", "My parcel is late."), ("agent", "Sorry, checking now."))
GOOD_B = line("b", ("customer", "Thanks!"))


def test_reads_every_field_of_the_interchange_format(write: Writer) -> None:
    record = {
        "id": "c1",
        "turns": [
            {"speaker": "customer", "text": "line one\nline two", "timestamp": "10:02"},
            {"speaker": "Agent", "text": "Hello Priya"},
            {"speaker": "bot", "text": "Anything else?"},
        ],
        "customer_name": "Priya",
        "agent_id": "sam",
        "channel": "chat",
        "metadata": {"queue": "billing", "tags": [1, 2]},
    }
    [conv] = read(write("in.jsonl", json.dumps(record) + "\n"))
    assert turns_of(conv) == [
        ("customer", "line one\nline two", "10:02"),
        ("agent", "Hello Priya", None),
        ("bot", "Anything else?", None),
    ]
    expected = json.loads(json.dumps(record))
    expected["turns"][1]["speaker"] = "agent"
    assert conversation(conv).to_dict() == expected


def test_bom_crlf_blank_lines_and_a_missing_final_newline_are_fine(write: Writer) -> None:
    data = b"\xef\xbb\xbf" + GOOD_A.encode() + b"\r\n\r\n   \n" + GOOD_B.encode()
    assert summary(read(write("in.jsonl", data))) == [("ok", None, "a"), ("ok", None, "b")]


TWO_MB = "x" * (2 * 1024 * 1024)

# (bad line, expected id on the error, words the message must contain)
BAD_LINES: list[tuple[bytes, str | None, str]] = [
    (b'{"id": "m1", "turns": [', "m1", "invalid JSON"),
    (b"not json at all", None, "invalid JSON"),
    (line("s1", ("manager", "hi")).encode(), "s1", "turns[0].speaker: unknown speaker 'manager'"),
    (b'{"id": "e1", "turns": []}', "e1", "no turns"),
    (line("big", ("customer", TWO_MB)).encode(), "big", f"over the limit of {MAX_TURN_CHARS:,}"),
    (b"\x00\x01\x02\xffELF\x00\x00", None, "NUL bytes"),
    (
        '{"id": "u1", "turns": [{"speaker": "customer", "text": "caf\u00e9"}]}'.encode("latin-1"),
        "u1",
        "not valid UTF-8 (byte 0xe9",
    ),
    (b"[1, 2, 3]", None, "expected a JSON object, got list"),
    (b'"just a string"', None, "expected a JSON object"),
    (b'{"turns": [{"speaker": "customer", "text": "hi"}]}', None, "id"),
    (b'{"id": "t1", "turns": [{"speaker": "customer", "text": 5}]}', "t1", "text must be a string"),
    (b'{"id": "n1", "turns": [{"speaker": "customer", "text": "a\\u0000b"}]}', "n1", "NUL"),
    (b'{"id": "d1", "turns": [{"speaker": "customer", "text": "\\ud83d"}]}', "d1", "surrogate"),
    (b"[" * 100_000, None, "invalid JSON"),
    (b'{"id": "i1", "n": ' + b"9" * 5000 + b"}", "i1", "invalid JSON"),
    (b'{"channel": "chat", "id": "k1", "turns": [{]}', "k1", "invalid JSON"),
]


@pytest.mark.parametrize(("bad", "conv_id", "words"), BAD_LINES)
def test_a_bad_line_is_an_error_at_its_line_and_the_run_goes_on(
    write: Writer, bad: bytes, conv_id: str | None, words: str
) -> None:
    data = b"\n".join([GOOD_A.encode(), b"", bad, GOOD_B.encode()]) + b"\n"
    records = read(write("in.jsonl", data))
    assert summary(records) == [("ok", None, "a"), ("error", 3, conv_id), ("ok", None, "b")]
    error = records[1]
    assert isinstance(error, InputError)
    assert words in error.message
    assert error.source.endswith("in.jsonl")


def test_all_bad_inputs_of_the_issue_in_one_file_keep_their_order(write: Writer) -> None:
    bad = [case[0] for case in BAD_LINES[:7]]
    data = b"\n".join([GOOD_A.encode(), *bad, GOOD_B.encode()])
    records = read(write("in.jsonl", data))
    assert summary(records) == [
        ("ok", None, "a"),
        ("error", 2, "m1"),
        ("error", 3, None),
        ("error", 4, "s1"),
        ("error", 5, "e1"),
        ("error", 6, "big"),
        ("error", 7, None),
        ("error", 8, "u1"),
        ("ok", None, "b"),
    ]


def test_a_line_over_the_limit_is_skipped_without_holding_it() -> None:
    long = b'{"id": "long", "turns": "' + b"y" * 5000 + b'"}\n'
    stream = io.BytesIO(GOOD_A.encode() + b"\n" + long + GOOD_B.encode() + b"\n")
    records = list(read_jsonl(stream, source="s", max_line_bytes=1000))
    assert summary(records) == [("ok", None, "a"), ("error", 2, None), ("ok", None, "b")]
    assert isinstance(records[1], InputError)
    assert "longer than 1,000 bytes" in records[1].message


def test_a_64_mib_line_is_reported_and_skipped(write: Writer) -> None:
    huge = b'{"id": "huge", "turns": "' + b"z" * (64 * 1024 * 1024) + b'"}'
    path = write("huge.jsonl", b"\n".join([GOOD_A.encode(), huge, GOOD_B.encode()]))
    records = read(path)
    assert summary(records) == [("ok", None, "a"), ("error", 2, None), ("ok", None, "b")]
    assert isinstance(records[1], InputError)
    assert "longer than 64 MiB" in records[1].message


def test_a_pretty_printed_json_document_gives_one_error_not_one_per_line(write: Writer) -> None:
    doc = json.dumps([json.loads(GOOD_A), json.loads(GOOD_B)], indent=2)
    records = read(write("in.json", doc))
    assert len(records) == 1
    assert isinstance(records[0], InputError)
    assert "JSON Lines" in records[0].message and records[0].line == 1


def test_integer_ids_become_strings() -> None:
    record = parse_line(
        b'{"id": 42, "turns": [{"speaker": "customer", "text": "hi"}]}', line=1, source="s"
    )
    assert not isinstance(record, InputError) and record.id == "42"


def test_paired_surrogate_escapes_are_a_valid_character() -> None:
    data = b'{"id": "e", "turns": [{"speaker": "customer", "text": "\\ud83d\\ude00"}]}'
    record = parse_line(data, line=1, source="s")
    assert turns_of(record) == [("customer", "\U0001f600", None)]
