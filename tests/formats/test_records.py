"""InputError formatting."""

from __future__ import annotations

from warmline.formats import InputError


def test_an_input_error_reads_as_source_line_message() -> None:
    assert str(InputError(7, "c1", "bad", "in.jsonl")) == "in.jsonl:7: bad"
    assert str(InputError(None, "c1", "bad", "<stdin>")) == "<stdin>: bad"
