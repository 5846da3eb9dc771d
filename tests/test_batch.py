"""warmline.batch: one outcome per record, in order, errors in place, strict stops early."""

from __future__ import annotations

from typing import Any

from warmline.batch import analyze_records, error_record
from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import Conversation
from warmline.engine.pipeline import Analyzer
from warmline.formats import InputError


def conversation(cid: str) -> Conversation:
    return Conversation.from_dict(
        {
            "id": cid,
            "turns": [
                {"speaker": "customer", "text": "Is the shop open on Sunday?"},
                {"speaker": "agent", "text": "Yes, from 10am to 4pm."},
            ],
        }
    )


class FailingAnalyzer:
    """A fake Analyzer that fails on one id, as an engine error would."""

    def __init__(self, real: Analyzer, fail_on: str, error: Exception | None = None) -> None:
        self.real = real
        self.fail_on = fail_on
        self.error = error or InvalidConversationError("cannot analyse this one", where="turns[1]")

    def analyze(self, conv: Conversation) -> Any:
        if conv.id == self.fail_on:
            raise self.error
        return self.real.analyze(conv)


def records() -> list[Conversation | InputError]:
    return [
        conversation("a"),
        InputError(2, None, "invalid JSON", "in.jsonl"),
        conversation("c"),
        InputError(4, "d", "no turns", "in.jsonl"),
        conversation("e"),
    ]


def test_one_outcome_per_record_in_order(analyzer: Analyzer) -> None:
    outcomes = list(analyze_records(iter(records()), analyzer))
    assert [o.record["id"] for o in outcomes] == ["a", 2, "c", "d", "e"]
    assert [o.failed for o in outcomes] == [False, True, False, True, False]
    assert outcomes[1].record == {"id": 2, "error": {"line": 2, "message": "invalid JSON"}}
    assert outcomes[0].analysis is not None and outcomes[0].record["turns"]


def test_strict_stops_after_the_first_error(analyzer: Analyzer) -> None:
    outcomes = list(analyze_records(records(), analyzer, strict=True))
    assert [o.record["id"] for o in outcomes] == ["a", 2]


def test_explain_adds_the_extra_fields(analyzer: Analyzer) -> None:
    (outcome,) = analyze_records([conversation("a")], analyzer, explain=True)
    assert {"trajectory", "breakdown", "escalated", "best_moments"} <= set(outcome.record)


def test_an_engine_error_on_one_conversation_is_recorded_in_place(analyzer: Analyzer) -> None:
    fake = FailingAnalyzer(analyzer, fail_on="c")
    outcomes = list(analyze_records(records(), fake, source="in.jsonl"))  # type: ignore[arg-type]
    assert [o.record["id"] for o in outcomes] == ["a", 2, "c", "d", "e"]
    failed = outcomes[2]
    assert failed.error is not None and failed.error.source == "in.jsonl"
    assert "cannot analyse this one" in failed.record["error"]["message"]
    assert failed.record["error"]["line"] is None
    assert not outcomes[4].failed


def test_an_unexpected_bug_on_one_conversation_does_not_end_the_run(analyzer: Analyzer) -> None:
    fake = FailingAnalyzer(analyzer, fail_on="c", error=ZeroDivisionError("division by zero"))
    outcomes = list(analyze_records(records(), fake, source="in.jsonl"))  # type: ignore[arg-type]
    assert [o.record["id"] for o in outcomes] == ["a", 2, "c", "d", "e"]
    message = outcomes[2].record["error"]["message"]
    assert "internal error ZeroDivisionError" in message and "report" in message
    assert outcomes[0].analysis is not None and not outcomes[4].failed


def test_records_are_read_lazily(analyzer: Analyzer) -> None:
    pulled: list[str] = []

    def source() -> Any:
        for cid in ("a", "b", "c"):
            pulled.append(cid)
            yield conversation(cid)

    stream = analyze_records(source(), analyzer)
    next(stream)
    assert pulled == ["a"]


def test_error_record_falls_back_to_the_position() -> None:
    error = InputError(None, None, "unreadable", "folder/x.txt")
    assert error_record(error, position=7) == {
        "id": 7,
        "error": {"line": None, "message": "unreadable"},
    }
