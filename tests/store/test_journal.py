"""The reflection journal: entries private to their author, shared one by one with one coach."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select

from tests.web.conftest import conversation
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import journal
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import InvalidInputError, NotFoundError
from warmline.store.practice_tables import JournalEntry
from warmline.store.tables import User
from warmline.store.users import create_user


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        pw = "long enough"
        create_user(s, email="ad@x.io", password=pw, role="admin")
        create_user(s, email="co@x.io", password=pw, role="coach", teams=["A"])
        create_user(s, email="cb@x.io", password=pw, role="coach", teams=["B"])
        create_user(s, email="ag@x.io", password=pw, role="agent", teams=["A"], agent_id="agent-1")
        create_user(
            s, email="mate@x.io", password=pw, role="agent", teams=["A"], agent_id="agent-2"
        )
    yield database
    database.dispose()


def _user(s: object, email: str) -> User:
    return s.scalars(select(User).where(User.email == email)).one()  # type: ignore[attr-defined, no-any-return]


def test_entries_are_private_to_their_author(db: Database) -> None:
    with db.session() as s:
        entry = journal.create_entry(
            s, _user(s, "ag@x.io"), felt="Tense", notes="Long call", feelings=["anxious", "drained"]
        )
        eid = entry.id
    with db.session() as s:
        assert journal.get_entry(s, _user(s, "ag@x.io"), eid).felt == "Tense"
        for other in ("co@x.io", "cb@x.io", "ad@x.io", "mate@x.io"):
            with pytest.raises(NotFoundError, match=f"no journal entry {eid}$"):
                journal.get_entry(s, _user(s, other), eid)
            with pytest.raises(NotFoundError):
                journal.share_entry(s, _user(s, other), eid, "co@x.io")
            with pytest.raises(NotFoundError):
                journal.delete_entry(s, _user(s, other), eid)
            assert journal.own_entries(s, _user(s, other)) == []
        with pytest.raises(NotFoundError, match="no journal entry 999$"):
            journal.get_entry(s, _user(s, "ad@x.io"), 999)


def test_sharing_opens_one_entry_to_one_coach_read_only(db: Database) -> None:
    with db.session() as s:
        agent = _user(s, "ag@x.io")
        shared = journal.create_entry(s, agent, felt="Shared one")
        private = journal.create_entry(s, agent, felt="Private one")
        assert [c.email for c in journal.coaches_for(s, agent)] == ["co@x.io"]
        journal.share_entry(s, agent, shared.id, "CO@x.io")
        journal.share_entry(s, agent, shared.id, "co@x.io")  # twice is once
        with pytest.raises(InvalidInputError, match="not one of your coaches"):
            journal.share_entry(s, agent, shared.id, "cb@x.io")
        with pytest.raises(InvalidInputError, match="not one of your coaches"):
            journal.share_entry(s, agent, shared.id, "ad@x.io")
        ids = (shared.id, private.id)
    with db.session() as s:
        coach = _user(s, "co@x.io")
        assert journal.get_entry(s, coach, ids[0]).felt == "Shared one"
        assert [e.id for e in journal.shared_with(s, coach)] == [ids[0]]
        with pytest.raises(NotFoundError):
            journal.get_entry(s, coach, ids[1])
        with pytest.raises(NotFoundError):  # read-only: no sharing on, no deleting
            journal.own_entry(s, coach, ids[0])
        for other in ("cb@x.io", "ad@x.io"):
            with pytest.raises(NotFoundError):
                journal.get_entry(s, _user(s, other), ids[0])
        journal.unshare_entry(s, _user(s, "ag@x.io"), ids[0], "co@x.io")
        with pytest.raises(NotFoundError):
            journal.get_entry(s, coach, ids[0])


def test_bad_entries_are_refused(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        import_conversations(
            s,
            [conversation("mine", "agent-1"), conversation("theirs", "agent-2")],
            analyzer=analyzer,
            options=ImportOptions(redactor=Redactor()),
        )
    with db.session() as s:
        agent = _user(s, "ag@x.io")
        with pytest.raises(InvalidInputError, match="empty"):
            journal.create_entry(s, agent, felt="  ")
        with pytest.raises(InvalidInputError, match="choose from"):
            journal.create_entry(s, agent, feelings=["euphoric"])
        with pytest.raises(InvalidInputError, match="not a conversation you can see"):
            journal.create_entry(s, agent, felt="x", conversation_id="theirs")
        with pytest.raises(InvalidInputError, match="not a conversation you can see"):
            journal.create_entry(s, agent, felt="x", conversation_id="missing")
        entry = journal.create_entry(s, agent, felt="x", conversation_id="mine")
        assert journal.conversation_ref(s, entry) == "mine"


def test_patterns_count_ticked_feelings_per_month(db: Database) -> None:
    with db.session() as s:
        agent = _user(s, "ag@x.io")
        for when, feelings in (
            ((2026, 10, 3), ["anxious"]),
            ((2026, 11, 1), ["anxious", "proud"]),
            ((2026, 11, 20), ["anxious"]),
        ):
            entry = journal.create_entry(s, agent, feelings=feelings)
            entry.created_at = datetime(*when, tzinfo=UTC)
        months = journal.patterns(journal.own_entries(s, agent))
    assert [(m.month, m.entries, dict(m.feelings)) for m in months] == [
        ("2026-10", 1, {"anxious": 1}),
        ("2026-11", 2, {"anxious": 2, "proud": 1}),
    ]


def test_no_analysis_of_journal_text_is_stored(db: Database) -> None:
    columns = {c["name"] for c in inspect(db.engine).get_columns("journal_entries")}
    assert columns == {
        "id",
        "author_id",
        "conversation_id",
        "felt",
        "customer_felt",
        "differently",
        "notes",
        "feelings",
        "created_at",
    }
    assert set(JournalEntry.__table__.columns.keys()) == columns
