"""Retention purges, one customer's deletion and the HMAC-chained audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from tests.store.people import add_people
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store.audit import GENESIS, identifier_digest, list_events, record_event, verify_chain
from warmline.store.audit_tables import AuditEvent
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ForbiddenError, InvalidInputError
from warmline.store.journal import create_entry
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.practice import start_from_conversation
from warmline.store.practice_tables import JournalEntry, PracticeSession
from warmline.store.retention import forget_customer, purge_older_than
from warmline.store.reviews import add_review
from warmline.store.tables import Conversation, Label, Review, User

KEY = "test-key-" + "x" * 40
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _record(ext: str, when: datetime, *, customer_id: str | None = None, name: str = "Dana") -> dict[str, Any]:
    meta = {"customer_id": customer_id} if customer_id else {}
    return {
        "id": ext,
        "agent_id": "a1",
        "customer_name": name,
        "metadata": meta,
        "turns": [
            {"speaker": "customer", "text": "This is the third time my parcel went missing, I'm furious.", "timestamp": when.isoformat()},
            {"speaker": "agent", "text": "I'm so sorry, that's maddening. I'll send a replacement today."},
        ],
    }  # fmt: skip


@pytest.fixture
def db(database_url: str, analyzer: Analyzer) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        admin = _user(s, "admin")
        records = [
            _record("old-1", NOW - timedelta(days=400), customer_id="C-77"),
            _record("old-2", NOW - timedelta(days=200), name="Sam Lee"),
            _record("new-1", NOW - timedelta(days=10), customer_id="C-77"),
            _record("new-2", NOW - timedelta(days=5), name="sam lee"),
            _record("new-3", NOW - timedelta(days=1), customer_id="C-99", name="Ola"),
        ]
        import_conversations(s, records, analyzer=analyzer, options=ImportOptions(Redactor(), team="A"))
        new1 = s.scalar(select(Conversation).where(Conversation.external_id == "new-1"))
        assert new1 is not None
        add_review(s, _user(s, "coach"), new1, comment="good save")
        s.add(ConversationKpi(conversation_id=new1.id, csat=4, source="test"))
        start_from_conversation(s, _user(s, "a1"), "new-1", seed=1, analyzer=analyzer)
        create_entry(s, _user(s, "a1"), felt="tired but proud", conversation_id="new-1")
        s.flush()
        assert admin.id
    yield database
    database.dispose()


def _user(s: Session, who: str) -> User:
    user = s.scalar(select(User).where(User.email == f"{who}@x.io"))
    assert user is not None
    return user


def _ids(s: Session) -> set[str]:
    return set(s.scalars(select(Conversation.external_id)))


def test_the_customer_id_of_an_import_is_kept_for_deletion_requests(db: Database) -> None:
    with db.session() as s:
        refs = dict(s.execute(select(Conversation.external_id, Conversation.customer_ref)).all())
    assert refs == {"old-1": "C-77", "old-2": None, "new-1": "C-77", "new-2": None, "new-3": "C-99"}


def test_a_purge_deletes_only_what_is_older_and_audits_it(db: Database) -> None:
    with db.session() as s:
        dry = purge_older_than(s, KEY, days=90, actor=_user(s, "admin"), now=NOW, dry_run=True)
        assert (dry.conversations, dry.dry_run, dry.audit_event_id) == (2, True, None)
        assert _ids(s) == {"old-1", "old-2", "new-1", "new-2", "new-3"}
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0  # a dry run records nothing
        done = purge_older_than(s, KEY, days=90, actor=_user(s, "admin"), now=NOW)
        assert (done.conversations, done.dry_run) == (2, False)
    with db.session() as s:
        assert _ids(s) == {"new-1", "new-2", "new-3"}
        assert s.scalar(select(func.count()).select_from(Label).join(Conversation)) == s.scalar(
            select(func.count()).select_from(Label)
        ), "no label is left without its conversation"
        [event] = list_events(s)
        assert event.action == "retention.purge" and event.actor == "admin@x.io"
        assert event.detail["conversations"] == 2 and event.detail["older_than_days"] == 90
        assert verify_chain(s, KEY).ok


def test_forgetting_a_customer_by_id_removes_everything_hanging_off_their_conversations(db: Database) -> None:
    with db.session() as s:
        new1 = s.scalar(select(Conversation.id).where(Conversation.external_id == "new-1"))
        assert s.scalar(select(func.count()).select_from(PracticeSession)) == 1
        done = forget_customer(s, KEY, actor=_user(s, "admin"), customer_id="C-77")
        assert (done.conversations, done.practice_sessions) == (2, 1)
    with db.session() as s:
        assert _ids(s) == {"old-2", "new-2", "new-3"}
        for table, column in ((Label, Label.conversation_id), (Review, Review.conversation_id), (ConversationKpi, ConversationKpi.conversation_id)):
            assert s.scalar(select(func.count()).select_from(table).where(column == new1)) == 0, table
        assert s.scalar(select(func.count()).select_from(PracticeSession)) == 0
        entry = s.scalar(select(JournalEntry))
        assert entry is not None and entry.felt == "tired but proud" and entry.conversation_id is None
        [event] = list_events(s)
        assert event.action == "customer.forget"
        # the customer's id is not in the log, only a keyed digest that proves the request was done
        assert "C-77" not in str(event.detail)
        assert event.detail["identifier_digest"] == identifier_digest(KEY, "customer_id", "C-77")


def test_forgetting_by_name_ignores_case_and_needs_exactly_one_identifier(db: Database) -> None:
    with db.session() as s:
        admin = _user(s, "admin")
        assert forget_customer(s, KEY, actor=admin, customer_name="SAM LEE").conversations == 2
        assert _ids(s) == {"old-1", "new-1", "new-3"}
        with pytest.raises(InvalidInputError, match="exactly one"):
            forget_customer(s, KEY, actor=admin, customer_id="C-1", customer_name="x")
        with pytest.raises(InvalidInputError, match="exactly one"):
            forget_customer(s, KEY, actor=admin, customer_id="  ")
        nobody = forget_customer(s, KEY, actor=admin, customer_id="C-404")
        assert nobody.conversations == 0 and nobody.audit_event_id is not None  # a done request is audited


@pytest.mark.parametrize("who", ["coach", "a1"])
def test_only_admins_delete(db: Database, who: str) -> None:
    with db.session() as s:
        with pytest.raises(ForbiddenError):
            purge_older_than(s, KEY, days=1, actor=_user(s, who), now=NOW)
        with pytest.raises(ForbiddenError):
            forget_customer(s, KEY, actor=_user(s, who), customer_id="C-77")
        assert len(_ids(s)) == 5


@pytest.mark.parametrize("days", [0, -3, 1.5, True])
def test_a_bad_retention_period_is_refused(db: Database, days: Any) -> None:
    with db.session() as s, pytest.raises(InvalidInputError, match="days"):
        purge_older_than(s, KEY, days=days, actor="cli", now=NOW)


def test_the_chain_detects_an_altered_a_removed_and_a_forged_event(db: Database) -> None:
    with db.session() as s:
        for n in range(4):
            record_event(s, KEY, actor="cli", action="test.event", detail={"n": n})
        events = sorted(list_events(s), key=lambda e: e.id)
        assert events[0].prev_mac == GENESIS
        assert [e.prev_mac for e in events[1:]] == [e.mac for e in events[:-1]]
        assert verify_chain(s, KEY).to_dict() == {"ok": True, "events": 4, "first_bad_id": None, "reason": ""}
        assert not verify_chain(s, "another-key-" + "y" * 30).ok
        ids = [e.id for e in events]
    with db.session() as s:  # someone edits a count in the database
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(detail={"n": 99}))
    with db.session() as s:
        check = verify_chain(s, KEY)
        assert (check.ok, check.first_bad_id) == (False, ids[1]) and "altered" in check.reason
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(detail={"n": 1}))
    with db.session() as s:
        assert verify_chain(s, KEY).ok
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[2]})
    with db.session() as s:
        check = verify_chain(s, KEY)
        assert (check.ok, check.first_bad_id) == (False, ids[3]) and "removed" in check.reason


def test_deleting_the_acting_user_keeps_the_chain_valid(db: Database) -> None:
    with db.session() as s:
        extra = _user(s, "coach_b")
        extra.role = "admin"
        record_event(s, KEY, actor=extra, action="test.event", detail={})
    with db.session() as s:
        s.delete(_user(s, "coach_b"))
    with db.session() as s:
        [event] = list_events(s)
        assert event.actor_id is None and event.actor == "coach_b@x.io"
        assert verify_chain(s, KEY).ok
