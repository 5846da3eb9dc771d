"""Assembling parsed turns: validation errors point at the line of the turn at fault."""

from __future__ import annotations

import pytest

from tests.formats.helpers import turns_of
from warmline.formats import InputError
from warmline.formats.assemble import assemble


def test_a_valid_conversation_is_built() -> None:
    data = {"id": "c1", "turns": [{"speaker": "customer", "text": "hi", "timestamp": "1"}]}
    assert turns_of(assemble(data, turn_lines=[4], source="s")) == [("customer", "hi", "1")]


@pytest.mark.parametrize(
    ("turns", "line", "message"),
    [
        (
            [{"speaker": "customer", "text": "ok"}, {"speaker": "agent", "text": "a\x00b"}],
            9,
            "turn 2: text contains NUL bytes",
        ),
        ([{"speaker": "customer", "text": "x" * 100_001}], 7, "turn 1: text is 100,001"),
        ([], None, "turns: the conversation has no turns"),
    ],
)
def test_errors_point_at_the_turn_line(
    turns: list[dict[str, str]], line: int | None, message: str
) -> None:
    record = assemble({"id": "c1", "turns": turns}, turn_lines=[7, 9][: len(turns)], source="s")
    assert isinstance(record, InputError)
    assert (record.line, record.id) == (line, "c1")
    assert record.message.startswith(message)
