"""Score exports per conversation, turn and annotation, within scope, on SQLite and PostgreSQL;
CSV kept safe from spreadsheet formulas, Parquet read back with pyarrow."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.store.people import add_people, user_by_email
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import exports
from warmline.store.conversations import ConversationFilter, ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import InvalidInputError
from warmline.store.kpis import import_kpis, parse_kpi_text


def _record(cid: str, agent: str, day: int, customer: str, reply: str) -> dict[str, Any]:
    return {
        "id": cid,
        "agent_id": agent,
        "channel": "chat" if day % 2 else "email",
        "turns": [
            {"speaker": "customer", "text": customer, "timestamp": f"2026-11-{day:02d}T10:00:00Z"},
            {"speaker": "agent", "text": reply, "timestamp": f"2026-11-{day:02d}T10:05:00Z"},
        ],
    }


ANGRY = "My parcel is two weeks late and nobody answers. I'm furious."
WARM = "I'm so sorry, that sounds really frustrating. I'll chase the courier myself and email you by 5pm."
COLD = "As I said, it's your responsibility to check the tracking."


@pytest.fixture
def db(database_url: str, analyzer: Analyzer) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        team_a = [_record("c-1", "a1", 2, ANGRY, WARM), _record("c-2", "a2", 3, ANGRY, COLD)]
        team_b = [_record("c-3", "a3", 4, '=HYPERLINK("http://x") hi, is my order late?', WARM)]
        for records, team in ((team_a, "A"), (team_b, "B")):
            import_conversations(
                s, records, analyzer=analyzer, options=ImportOptions(Redactor(), team=team)
            )
        import_kpis(s, None, parse_kpi_text("conversation_id,csat,fcr\nc-1,5,true\nc-2,2,false\n"))
    yield database
    database.dispose()


def _rows(db: Database, who: str | None, level: str, **flt: Any) -> list[dict[str, Any]]:
    with db.session() as s:
        user = user_by_email(s, f"{who}@x.io") if who else None
        return list(exports.score_rows(s, user, ConversationFilter(**flt), level=level))


def test_conversation_rows_carry_scores_and_kpis_in_scope(db: Database) -> None:
    rows = _rows(db, None, "conversation")
    assert [r["conversation_id"] for r in rows] == ["c-1", "c-2", "c-3"]  # oldest first
    by_id = {r["conversation_id"]: r for r in rows}
    assert by_id["c-1"]["csat"] == 5 and by_id["c-1"]["fcr"] is True
    assert by_id["c-3"]["csat"] is None and by_id["c-3"]["team"] == "B"
    assert by_id["c-1"]["score"] > by_id["c-2"]["score"]
    assert by_id["c-2"]["anti_patterns"] >= 1 and by_id["c-1"]["behaviours"] >= 2
    assert by_id["c-1"]["started_at"] == datetime(2026, 11, 2, 10, tzinfo=UTC)
    # Scope: a coach sees their team, an agent their own conversations.
    assert [r["conversation_id"] for r in _rows(db, "coach", "conversation")] == ["c-1", "c-2"]
    assert [r["conversation_id"] for r in _rows(db, "a2", "turn")] == ["c-2", "c-2"]
    assert _rows(db, "a3", "behaviour", agent_id="a1") == []


def test_filters_narrow_the_rows(db: Database) -> None:
    since = datetime(2026, 11, 3, tzinfo=UTC)
    assert [r["conversation_id"] for r in _rows(db, None, "conversation", since=since)] == [
        "c-2",
        "c-3",
    ]
    assert [r["conversation_id"] for r in _rows(db, None, "conversation", channel="email")] == [
        "c-1",
        "c-3",
    ]
    assert [r["conversation_id"] for r in _rows(db, "admin", "conversation", agent_id="a2")] == [
        "c-2"
    ]


def test_turn_rows_have_speaker_score_emotion_and_labels(db: Database) -> None:
    rows = _rows(db, "admin", "turn", agent_id="a1")
    customer, agent = rows
    assert (customer["turn"], customer["speaker"], customer["score"]) == (0, "customer", None)
    assert customer["emotion"] in {"anger", "frustration"} and customer["emotion_intensity"] >= 1
    assert customer["timestamp"] == "2026-11-02T10:00:00Z"
    assert agent["speaker"] == "agent" and agent["score"] > 50 and agent["need"] in {"some", "high"}
    assert "acknowledge_emotion" in agent["behaviours"].split(";")
    assert agent["text"] == WARM


def test_behaviour_rows_are_one_per_annotation_with_evidence_and_points(db: Database) -> None:
    rows = _rows(db, "admin", "behaviour", agent_id="a2")
    kinds = {r["kind"] for r in rows}
    assert {"emotion", "anti_pattern"} <= kinds
    blame = next(r for r in rows if r["label"] == "blame")
    assert blame["evidence"] and blame["evidence"] in COLD
    assert COLD[blame["start"] : blame["end"]] == blame["evidence"]
    assert blame["points"] is not None and blame["points"] < 0  # an anti-pattern costs points
    emotion = next(r for r in rows if r["kind"] == "emotion")
    assert emotion["start"] is None and emotion["intensity"] >= 1 and 0 < emotion["confidence"] <= 1


def test_csv_keeps_formulas_as_text(db: Database) -> None:
    rows = _rows(db, None, "turn", agent_id="a3")
    text = "".join(exports.csv_lines(rows, "turn"))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == exports.table("turn").names
    assert parsed[0]["text"].startswith("'=HYPERLINK")
    assert parsed[0]["started_at"] == "2026-11-04T10:00:00Z"
    assert parsed[1]["score"].isdigit() and parsed[0]["score"] == ""
    assert exports.spreadsheet_safe("-1+2") == "'-1+2" and exports.spreadsheet_safe(None) == ""


@pytest.mark.parametrize("level", exports.LEVELS)
def test_parquet_round_trips_with_typed_columns(db: Database, level: str) -> None:
    rows = _rows(db, "coach", level)
    data = exports.parquet_bytes(rows, level)
    back = pq.read_table(io.BytesIO(data))
    assert back.column_names == exports.table(level).names
    assert back.num_rows == len(rows) > 0
    assert str(back.schema.field("started_at").type) == "timestamp[us, tz=UTC]"
    assert back.column("conversation_id").to_pylist() == [r["conversation_id"] for r in rows]


def test_an_empty_parquet_export_still_has_its_columns(tmp_path: Any) -> None:
    path = tmp_path / "empty.parquet"
    assert exports.write_parquet([], "conversation", str(path)) == 0
    assert pq.read_table(path).column_names == exports.table("conversation").names


def test_bad_level_and_format_say_what_to_use() -> None:
    with pytest.raises(InvalidInputError, match="conversation, turn, behaviour"):
        exports.table("turns")
    with pytest.raises(InvalidInputError, match="csv or parquet"):
        exports.check_format("xlsx")


def test_missing_pyarrow_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(exports.ParquetUnavailable, match="pip install pyarrow"):
        exports.parquet_bytes([], "turn")
