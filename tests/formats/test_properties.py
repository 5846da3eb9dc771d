"""Properties: JSONL round-trips any valid conversations, and no input bytes ever raise."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from warmline.engine.model import Conversation, Speaker, Turn
from warmline.formats import FORMATS, InputError, read_conversations

_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def conversations(draw: st.DrawFn) -> Conversation:
    """A valid conversation, as the interchange format allows it."""
    turns = draw(
        st.lists(
            st.tuples(st.sampled_from(Speaker), _text, st.none() | _text), min_size=1, max_size=5
        )
    )
    optional = st.none() | st.text(min_size=1, max_size=20)
    return Conversation(
        id=draw(st.text(min_size=1, max_size=20)),
        turns=tuple(
            Turn(i, speaker, text, stamp) for i, (speaker, text, stamp) in enumerate(turns)
        ),
        customer_name=draw(optional),
        agent_id=draw(optional),
        channel=draw(optional),
        metadata=draw(st.dictionaries(_text, _json_value, max_size=3)),
    )


@settings(max_examples=150, deadline=None)
@given(
    convs=st.lists(conversations(), max_size=8),
    ascii_only=st.booleans(),
    newline=st.sampled_from([b"\n", b"\r\n", b"\n\n"]),
)
def test_jsonl_round_trips_in_order(
    convs: list[Conversation], ascii_only: bool, newline: bytes
) -> None:
    lines = [json.dumps(c.to_dict(), ensure_ascii=ascii_only).encode() for c in convs]
    records = list(read_conversations(io.BytesIO(newline.join(lines)), format="jsonl"))
    assert records == convs


_fragments = st.sampled_from(
    [
        b'{"id": "a", "turns": [{"speaker": "customer", "text": "hi"}]}',
        b'{"id": "b", "turns": [',
        b"Customer: hi",
        b"Agent:",
        b"Priya: hello",
        b"id,speaker,text",
        b'c1,agent,"open',
        b"WEBVTT",
        b"00:00:01.000 --> 00:00:02.000",
        b"<v Sam>hi",
        b"1",
        b"\xef\xbb\xbf",
        b"\x00\xff\xfe",
        b"[[[[",
        b"\\ud800",
    ]
)
_junk = st.binary(max_size=300) | st.lists(_fragments | st.binary(max_size=8), max_size=20).map(
    b"\n".join
)


@settings(max_examples=300, deadline=None)
@given(data=_junk, fmt=st.sampled_from(FORMATS))
def test_arbitrary_bytes_only_ever_yield_records(data: bytes, fmt: str) -> None:
    records = list(read_conversations(io.BytesIO(data), format=fmt, roles={"Sam": "agent"}))
    lines = data.count(b"\n") + 1
    for record in records:
        assert isinstance(record, Conversation | InputError)
        if isinstance(record, InputError):
            assert record.message
            assert record.line is None or 1 <= record.line <= lines
