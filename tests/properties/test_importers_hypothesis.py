"""Properties of every importer beyond tests/formats/test_properties.py (JSONL and bytes).

* CSV/TSV, "Customer:/Agent:" transcripts and WebVTT/SRT subtitles round-trip generated
  conversations written in their format.
* Files on disk with every known extension, arbitrary text in any encoding-ish shape and
  arbitrary role mappings: the reader raises only its documented errors
  (:class:`UnsupportedFormatError`, :class:`RoleMappingError`) up front, then yields only
  Conversation or InputError records, and the import validation turns those into stored-or-
  refused without raising.
* Each example has a deadline, so an input that makes a reader hang fails the test.

The number of examples each property tried is printed in the summary (``-s`` or the
terminal summary of pytest) by tests/properties/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Literal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.properties.counts import counted
from warmline.engine.model import Conversation, Speaker
from warmline.formats import (
    EXTENSIONS,
    InputError,
    RoleMappingError,
    UnsupportedFormatError,
    read_conversations,
)
from warmline.store.conversations import validate_records

# Deadlines are generous (two shared cores) but finite: a reader that loops fails.
FAST = settings(max_examples=100, deadline=5000, suppress_health_check=[HealthCheck.too_slow])

_WORDS = st.sampled_from(
    ["order", "late", "sorry", "refund", "thanks", "it's", "42", "café", "naïve", "日本", "😀",
     "help!", "really?", "ok,", "ünïcode", "tracking", "Friday.", "don't", "a", "x-1"]
)  # fmt: skip
_sentence = st.lists(_WORDS, min_size=1, max_size=8).map(" ".join)
_speaker = st.sampled_from([Speaker.CUSTOMER, Speaker.AGENT])
_turns = st.lists(st.tuples(_speaker, _sentence), min_size=1, max_size=6)
_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}", fullmatch=True)


def _alternating(turns: list[tuple[Speaker, str]]) -> list[tuple[Speaker, str]]:
    """Subtitles merge consecutive cues of one speaker: give each turn the other speaker."""
    first = turns[0][0]
    other = Speaker.AGENT if first is Speaker.CUSTOMER else Speaker.CUSTOMER
    return [(first if i % 2 == 0 else other, text) for i, (_, text) in enumerate(turns)]


def _turns_of(record: object) -> list[tuple[Speaker, str]]:
    assert isinstance(record, Conversation), str(record)
    return [(t.speaker, t.text) for t in record.turns]


@FAST
@given(
    convs=st.dictionaries(_ids, _turns, min_size=1, max_size=5),
    delimiter=st.sampled_from([",", "\t"]),
    quote_all=st.booleans(),
)
def test_csv_and_tsv_round_trip(
    convs: dict[str, list[tuple[Speaker, str]]], delimiter: str, quote_all: bool
) -> None:
    counted("csv round trip")
    out = io.StringIO()
    quoting: Literal[0, 1] = 1 if quote_all else 0  # csv.QUOTE_ALL, csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\n")
    writer.writerow(["conversation_id", "speaker", "text"])
    for conv_id, turns in convs.items():
        writer.writerows([conv_id, speaker.value, text] for speaker, text in turns)
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    records = list(read_conversations(data, format="csv"))
    assert [r.id for r in records if isinstance(r, Conversation)] == list(convs)
    assert [_turns_of(r) for r in records] == list(convs.values())


_clock = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


@FAST
@given(
    turns=_turns,
    stamps=st.booleans(),
    clock=_clock,
    crlf=st.booleans(),
    title=st.sampled_from(["", "# Call with a customer\n\n", "Transcript\n"]),
)
def test_customer_agent_transcripts_round_trip(
    turns: list[tuple[Speaker, str]], stamps: bool, clock: str, crlf: bool, title: str
) -> None:
    counted("transcript round trip")
    lines = [
        (f"[{clock}] " if stamps else "") + f"{speaker.value.title()}: {text}"
        for speaker, text in turns
    ]
    newline = "\r\n" if crlf else "\n"
    data = (title + newline.join(lines) + newline).encode("utf-8")
    (record,) = read_conversations(io.BytesIO(data), format="text")
    assert _turns_of(record) == turns
    assert isinstance(record, Conversation)
    assert all((t.timestamp == clock) if stamps else t.timestamp is None for t in record.turns)


def _cue_time(seconds: int, comma: bool) -> str:
    text = f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"
    return text.replace(".", ",") if comma else text


@FAST
@given(turns=_turns.map(_alternating), vtt=st.booleans(), voice_tags=st.booleans())
def test_subtitles_round_trip(
    turns: list[tuple[Speaker, str]], vtt: bool, voice_tags: bool
) -> None:
    counted("subtitle round trip")
    cues = []
    for number, (speaker, text) in enumerate(turns, start=1):
        timing = f"{_cue_time(number, not vtt)} --> {_cue_time(number + 1, not vtt)}"
        name = speaker.value.title()
        body = f"<v {name}>{text}" if vtt and voice_tags else f"{name}: {text}"
        cues.append(f"{timing}\n{body}" if vtt else f"{number}\n{timing}\n{body}")
    data = (("WEBVTT\n\n" if vtt else "") + "\n\n".join(cues) + "\n").encode("utf-8")
    (record,) = read_conversations(io.BytesIO(data), format="vtt" if vtt else "srt")
    assert _turns_of(record) == turns


# -- arbitrary input through files on disk ------------------------------------------------------

_texty = st.text(max_size=200) | st.lists(
    st.sampled_from(
        ["Customer:", "Agent: hi", "Priya:", "id,speaker,text", "c1,agent,\"x", "\t", ",", "\"",
         "WEBVTT", "00:00:01.000 --> 00:00:02.000", "<v Sam>", "{", "}", "[", "\ufeff", "\x00",
         "\r", "\u2028", "\ud7ff", "10:02 PM -"]
    ) | st.text(max_size=10),
    max_size=25,
).map("\n".join)  # fmt: skip
_encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
_role_maps = st.none() | st.dictionaries(
    st.text(max_size=12), st.sampled_from(["customer", "agent", "bot", "staff", ""]), max_size=3
)


def _reads_only_records(path: Path, roles: dict[str, str] | None) -> list[object]:
    """Read *path*; allowed to refuse up front only with the documented errors."""
    try:
        records = list(read_conversations(path, roles=roles))
    except (UnsupportedFormatError, RoleMappingError) as exc:
        assert str(exc)  # refused with a message
        return []
    for record in records:
        assert isinstance(record, Conversation | InputError)
        if isinstance(record, InputError):
            assert record.message and record.source.startswith(str(path))
    return list(records)


@settings(max_examples=250, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_texty,
    encoding=_encodings,
    suffix=st.sampled_from(sorted(EXTENSIONS)),
    roles=_role_maps,
)
@example(text="[" * 100_000, encoding="utf-8", suffix=".jsonl", roles=None)
@example(text='{"id": 1' + "0" * 5000 + "}", encoding="utf-8", suffix=".json", roles=None)
@example(text="Customer: hi\r\rAgent: hello", encoding="utf-16", suffix=".txt", roles=None)
@example(text="", encoding="utf-8", suffix=".vtt", roles={"Sam": "boss"})
def test_any_file_with_a_known_extension_yields_records_or_a_documented_error(
    tmp_path_factory: object, text: str, encoding: str, suffix: str, roles: dict[str, str] | None
) -> None:
    counted("files on disk")
    folder = Path(tmp_path_factory.mktemp("prop"))  # type: ignore[attr-defined]
    path = folder / f"input{suffix}"
    errors = "surrogatepass" if encoding.startswith("utf") else "replace"
    path.write_bytes(text.encode(encoding, errors=errors))
    records = _reads_only_records(path, roles)
    good, bad = validate_records(records)  # what every import does next: never raises
    assert len(good) + len(bad) >= len(records)
    assert all(e.message for e in bad)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.tuples(st.sampled_from(sorted(EXTENSIONS)), _texty),
        min_size=1,
        max_size=4,
    )
)
def test_a_folder_of_arbitrary_files_yields_records_never_raises_midway(
    tmp_path_factory: object, files: dict[str, tuple[str, str]]
) -> None:
    counted("folders")
    folder = Path(tmp_path_factory.mktemp("folder"))  # type: ignore[attr-defined]
    for stem, (suffix, text) in files.items():
        (folder / f"{stem}{suffix}").write_bytes(text.encode("utf-8", errors="surrogatepass"))
    records = _reads_only_records(folder, None)
    assert all(isinstance(r, Conversation | InputError) for r in records)


@FAST
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
))  # fmt: skip
def test_any_json_value_as_a_jsonl_line_or_api_item_is_a_record_or_a_clear_error(
    value: object,
) -> None:
    counted("json values")
    try:
        line = json.dumps(value).encode("utf-8")
    except ValueError:
        return
    (record,) = read_conversations(io.BytesIO(line), format="jsonl")
    assert isinstance(record, Conversation | InputError)
    good, bad = validate_records([value])  # the API's path: raw dicts, not reader records
    assert len(good) + len(bad) == 1
    assert all(e.message for e in bad)
