"""Importing conversations: redaction, analysis, upsert by id, labels, scope and filters."""

from __future__ import annotations

import pytest

from tests.web.conftest import conversation
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store.conversations import (
    ConversationFilter,
    ImportOptions,
    ImportRefused,
    get_conversation,
    import_conversations,
    list_conversations,
)
from warmline.store.db import Database, upgrade
from warmline.store.errors import ForbiddenError, NotFoundError
from warmline.store.tables import Label, User
from warmline.store.users import create_user


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


def _options(**kw: object) -> ImportOptions:
    return ImportOptions(redactor=Redactor(), **kw)  # type: ignore[arg-type]


def _users(db: Database) -> dict[str, User]:
    with db.session() as s:
        return {
            "admin": create_user(s, email="ad@x.io", password="long enough", role="admin"),
            "coach": create_user(s, email="co@x.io", password="long enough", role="coach", teams=["A"]),
            "agent": create_user(s, email="ag@x.io", password="long enough", role="agent", teams=["A"], agent_id="agent-1"),
        }


def test_import_stores_analysis_and_flattened_labels(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        result = import_conversations(s, [conversation("c1", "agent-1", team="A")], analyzer=analyzer, options=_options())
    assert (result.created, result.updated, result.ids) == (1, 0, ["c1"])
    users = _users(db)
    with db.session() as s:
        row = get_conversation(s, users["admin"], "c1")
        kinds = {(lab.kind, lab.label) for lab in s.query(Label).filter_by(conversation_id=row.id)}
        assert ("emotion", "anger") in kinds or ("emotion", "frustration") in kinds
        assert any(kind == "behaviour" for kind, _ in kinds)
        assert row.score == row.analysis["score"] and row.turn_count == 2
        assert row.started_at.isoformat().startswith("2026-11-02T10:00:00")


def test_reimport_replaces_labels_without_duplicates(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        import_conversations(s, [conversation("c1", "agent-1")], analyzer=analyzer, options=_options())
    with db.session() as s:
        again = import_conversations(s, [conversation("c1", "agent-1", angry=False)], analyzer=analyzer, options=_options())
    assert (again.created, again.updated) == (0, 1)
    users = _users(db)
    with db.session() as s:
        rows, total = list_conversations(s, users["admin"], ConversationFilter())
        assert total == 1
        emotions = [lab.label for lab in s.query(Label).filter_by(conversation_id=rows[0].id, kind="emotion")]
        assert "anger" not in emotions


def test_one_bad_record_refuses_the_whole_import(db: Database, analyzer: Analyzer) -> None:
    items = [conversation("c1", "agent-1"), {"id": "c2", "turns": []}, conversation("c1", "agent-1")]
    with pytest.raises(ImportRefused) as info, db.session() as s:
        import_conversations(s, items, analyzer=analyzer, options=_options())
    messages = [e.message for e in info.value.result.errors]
    assert any("no turns" in m for m in messages) and any("appears twice" in m for m in messages)
    users = _users(db)
    with db.session() as s:
        assert list_conversations(s, users["admin"], ConversationFilter())[1] == 0


def test_scope_and_filters(db: Database, analyzer: Analyzer) -> None:
    users = _users(db)
    records = [conversation("mine", "agent-1"), conversation("other", "agent-9"), conversation("team", None, team="A")]
    with db.session() as s:
        import_conversations(s, records, analyzer=analyzer, options=_options())
    with db.session() as s:
        assert {r.external_id for r in list_conversations(s, users["agent"], ConversationFilter())[0]} == {"mine"}
        assert {r.external_id for r in list_conversations(s, users["coach"], ConversationFilter())[0]} == {"mine", "team"}
        assert list_conversations(s, users["admin"], ConversationFilter(agent_id="agent-9"))[1] == 1
        with pytest.raises(ForbiddenError):
            get_conversation(s, users["agent"], "other")
        with pytest.raises(NotFoundError):
            get_conversation(s, users["admin"], "missing")


def test_agent_override_and_redaction_count(db: Database, analyzer: Analyzer) -> None:
    record = conversation("c1", None)
    record["turns"][0]["text"] += " Call me on 020 7946 0958."
    with db.session() as s:
        result = import_conversations(s, [record], analyzer=analyzer, options=_options(agent_id="agent-7"))
    assert result.redactions == 1
    users = _users(db)
    with db.session() as s:
        row = get_conversation(s, users["admin"], "c1")
        assert row.agent_id == "agent-7" and "[phone]" in row.record["turns"][0]["text"]
