"""The entry point: format detection, sources (file, folder, stream, stdin) and whole-source errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.formats.helpers import Writer, line, read, summary, turns_of
from warmline.formats import (
    FORMATS,
    RoleMappingError,
    UnsupportedFormatError,
    detect_format,
    read_conversations,
)

JSONL = line("j1", ("customer", "hi")) + "\n"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.jsonl", "jsonl"),
        ("a.JSON", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.csv", "csv"),
        ("a.tsv", "csv"),
        ("a.txt", "text"),
        ("a.md", "text"),
        ("a.vtt", "vtt"),
        ("a.srt", "srt"),
    ],
)
def test_detect_format_by_extension(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt
    assert fmt in FORMATS


def test_detect_format_of_a_folder_is_text(tmp_path: Path) -> None:
    assert detect_format(tmp_path) == "text"


def test_an_unknown_extension_says_what_is_accepted() -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.jsonl.*--format \(jsonl, csv"):
        detect_format("notes.log")


def test_whole_source_problems_raise_before_reading(tmp_path: Path, write: Writer) -> None:
    with pytest.raises(UnsupportedFormatError, match="does not exist"):
        read_conversations(tmp_path / "missing.jsonl")
    with pytest.raises(UnsupportedFormatError, match="extension"):
        read_conversations(write("calls.log", JSONL))
    with pytest.raises(UnsupportedFormatError, match="unknown format 'xml'"):
        read_conversations(write("a.jsonl", JSONL), format="xml")
    with pytest.raises(UnsupportedFormatError, match="has no files"):
        read_conversations(write("empty/.keep", "").parent)
    with pytest.raises(RoleMappingError):
        read_conversations(write("b.jsonl", JSONL), roles={"Sam": "boss"})


def test_format_overrides_the_extension(write: Writer) -> None:
    [conv] = read(write("calls.log", "Customer: hi\n"), format="text")
    assert conv.id == "calls"


def test_a_folder_of_mixed_files_is_read_file_by_file(write: Writer) -> None:
    write("in/1.jsonl", JSONL + line("j2", ("agent", "yo")) + "\n")
    write("in/2.csv", "id,speaker,text\nc1,customer,hi\n")
    write("in/3.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Customer>hi\n")
    folder = write("in/README", "not a conversation").parent
    assert [r.id for r in read(folder)] == ["j1", "j2", "c1", "3"]


def test_a_folder_with_a_format_reads_every_file_as_that_format(write: Writer) -> None:
    write("in/a.log", "Customer: one\n")
    folder = write("in/b", "Agent: two\n").parent
    assert [r.id for r in read(folder, format="text")] == ["a", "b"]


def test_streams_default_to_jsonl_or_follow_their_name(write: Writer) -> None:
    assert summary(list(read_conversations(io.BytesIO(JSONL.encode())))) == [("ok", None, "j1")]
    with write("x.csv", "id,speaker,text\nc1,customer,hi\n").open("rb") as stream:
        assert [r.id for r in read_conversations(stream)] == ["c1"]
    [conv] = read_conversations(io.BytesIO(b"Agent: hi\n"), format="text")
    assert turns_of(conv) == [("agent", "hi", None)] and conv.id == "stream"


def test_dash_reads_stdin() -> None:
    code = (
        "from warmline.formats import read_conversations\n"
        "for r in read_conversations('-'): print(type(r).__name__, r.id, getattr(r, 'source', ''))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=(JSONL + "oops\n").encode(),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode().splitlines() == ["Conversation j1 ", "InputError None <stdin>"]


def test_reading_is_lazy(write: Writer) -> None:
    path = write("a.jsonl", JSONL * 3)
    records = read_conversations(path)
    path.unlink()  # opened on first use, so nothing is held until then
    with pytest.raises(UnsupportedFormatError, match="cannot read"):
        next(records)
