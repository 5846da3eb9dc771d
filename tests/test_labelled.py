"""Reading labelled files in the cs_cases format: what each record teaches, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.team_data import team_records
from warmline.labelled import LabelledDataError, read_labelled


def write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


def test_each_kind_becomes_turns_or_pairs(tmp_path: Path) -> None:
    conv = team_records(1)[0]
    emotion = {"id": "e1", "kind": "emotion", "text": "Still nothing!", "emotions": []}
    pair = {
        "id": "p1",
        "kind": "pair",
        "context": [{"speaker": "customer", "text": "My bill doubled."}],
        "reply_a": "Noted.",
        "reply_b": "That jump is from the roaming add-on; I've removed it.",
        "better": "b",
    }
    data = read_labelled(write(tmp_path, conv, emotion, pair))
    assert len(data.customer) == 2 and len(data.agent) == 1 and len(data.pairs) == 1
    assert data.customer[1].labels == {"neutral"}  # no emotion listed means neutral
    agent = data.agent[0]
    assert agent.labels == {"follow_up"}
    assert len(agent.conversation.turns) == agent.index + 1
    assert data.pairs[0].better.turns[-1].text.startswith("That jump")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('{"kind": "review"}', "line 2: field 'kind' must be one of"),
        (
            '{"kind": "emotion", "text": "hm", "emotions": [{"label": "rage"}]}',
            "line 2: field 'emotions' has unknown label 'rage'",
        ),
        (
            '{"kind": "pair", "reply_a": "a", "reply_b": "b", "better": "c"}',
            "line 2: field 'better' must be 'a' or 'b'",
        ),
        ('{"kind": "conversation", "turns": []}', "line 2: field 'turns' must be a non-empty list"),
    ],
)
def test_bad_lines_name_the_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, team_records(1)[0], line)
    with pytest.raises(LabelledDataError, match=message) as info:
        read_labelled(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledDataError, match="cannot be read"):
        read_labelled(tmp_path / "nope.jsonl")


def test_evidence_spans_become_offsets_in_the_turn(tmp_path: Path) -> None:
    text = "Sorry about that. I've refunded the £4 fee."
    conv = {
        "id": "c1",
        "kind": "conversation",
        "turns": [
            {"speaker": "customer", "text": "Charged twice!", "emotions": []},
            {
                "speaker": "agent",
                "text": text,
                "behaviours": ["apology", "goodwill_gesture"],
                "anti_patterns": [],
                # one span is not in the text: it is left out, not guessed
                "evidence": {"apology": "Sorry about that.", "goodwill_gesture": "a voucher"},
            },
        ],
    }
    (agent,) = read_labelled(write(tmp_path, conv)).agent
    assert agent.evidence == {"apology": (0, 17)}
    assert text[slice(*agent.evidence["apology"])] == "Sorry about that."
