"""The redaction rules measured on the project's own labelled set (tests/data/pii_set.jsonl).

The floors below are the quality the rules must keep: a change that loses recall or starts
erasing order numbers fails here. `benchmarks/redaction.py` prints the full table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmline.engine.errors import ConfigError
from warmline.redact import KINDS, Redactor
from warmline.redact_eval import evaluate, load_set

SET = Path(__file__).parent / "data" / "pii_set.jsonl"


def test_the_set_covers_every_kind_and_keeps_look_alikes() -> None:
    items = load_set(SET)
    assert len(items) >= 100
    kinds = {s.kind for item in items for s in item.spans}
    assert kinds == set(KINDS)
    assert sum(1 for item in items if not item.spans) >= 20  # sentences where nothing may go


def test_recall_and_precision_floors_per_kind() -> None:
    scores = evaluate(Redactor(), load_set(SET))
    for kind, score in scores.kinds.items():
        assert score.marked >= 10, kind
        assert score.recall is not None and score.recall >= 0.9, (kind, scores.missed)
        assert score.precision is not None and score.precision >= 0.9, (kind, scores.wrong)
    total = scores.total()
    assert total.leak_free_recall is not None and total.leak_free_recall >= 0.97, scores.missed
    assert total.precision is not None and total.precision >= 0.97, scores.wrong


def test_a_partly_redacted_span_is_a_miss_not_a_hit(tmp_path: Path) -> None:
    text = "Call +46 8 123 456 78 now"
    path = tmp_path / "one.jsonl"
    path.write_text(
        json.dumps({"id": "x", "text": text, "spans": [{"kind": "phone", "start": 5, "end": 21}]})
    )
    half = Redactor(frozenset({"phone"}))
    found = half.redact(text).found
    scores = evaluate(half, load_set(path))
    covered = bool(found) and found[0].start <= 5 and found[-1].end >= 21
    assert scores.kinds["phone"].found == (1 if covered else 0)
    assert scores.kinds["phone"].marked == 1


def test_switching_a_kind_off_shows_as_lost_recall() -> None:
    scores = evaluate(Redactor(frozenset(KINDS) - {"iban"}), load_set(SET))
    assert scores.kinds["iban"].recall == 0.0
    assert scores.kinds["iban"].redacted == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "pii.jsonl:1: expected"),
        ('{"text": "abc", "spans": [{"kind": "ssn", "start": 0, "end": 1}]}', "span ssn 0-1"),
        ('{"text": "abc", "spans": [{"kind": "email", "start": 2, "end": 9}]}', "span email 2-9"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "pii.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_set(path)
