"""Follow-up tasks on a real SQLite file and a real PostgreSQL server: the creation rule through
the import (and its negative cases), idempotent re-imports, scope, done/skip checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.store.people import add_people, user_by_email
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import followups
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.feedback_tables import FollowUp

ANGRY = "This is the third time I am writing about my refund and I am absolutely fed up. Nobody ever gets back to me!!"
CALM = "Hi, quick question about my refund."
THANKS = "Thank you so much, that is a huge relief. I really appreciate it."
STILL_ANGRY = "This is still useless. I am furious."
REPLY = "I am so sorry, that is really frustrating. I have refunded the full amount today and I will email you the confirmation by 5pm."


def record(cid: str, agent: str | None, first: str = ANGRY, last: str = THANKS, **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": cid,
        "turns": [
            {"speaker": "customer", "text": first, "timestamp": "2026-11-02T10:00:00Z"},
            {"speaker": "agent", "text": REPLY, "timestamp": "2026-11-02T10:05:00Z"},
            {"speaker": "customer", "text": last, "timestamp": "2026-11-03T09:00:00Z"},
        ],
        "metadata": {"topic": "refund"},
        **extra,
    }
    if agent:
        rec["agent_id"] = agent
    return rec


def store(s: Session, analyzer: Analyzer, *records: dict[str, Any]) -> None:
    import_conversations(s, list(records), analyzer=analyzer, options=ImportOptions(redactor=Redactor()))


@pytest.fixture
def db(database_url: str, analyzer: Analyzer) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        store(
            s, analyzer,
            record("a1-angry", "a1"),
            record("a1-calm", "a1", first=CALM),
            record("a1-worse", "a1", last=STILL_ANGRY),
            record("nobody", None),
            record("a2-angry", "a2"),
            record("a3-angry", "a3"),
        )  # fmt: skip
    yield database
    database.dispose()


def _task(s: Session, cid: str) -> FollowUp | None:
    return s.scalars(
        select(FollowUp).join(FollowUp.conversation).where(FollowUp.conversation.has(external_id=cid))
    ).first()


def test_the_rule_makes_a_task_only_for_a_strong_start_that_ended_calmer(db: Database) -> None:
    with db.session() as s:
        task = _task(s, "a1-angry")
        assert task is not None and task.status == "open" and task.agent_id == "a1"
        assert task.reason.startswith("Started very frustrated (frustration 0.9")
        assert "ended grateful: check the refund has reached them." in task.reason
        # due two days after the last timestamp
        assert task.due_at == datetime(2026, 11, 3, 9, tzinfo=UTC) + followups.DUE_AFTER
        assert task.evidence["intensity"] == followups.STRONG_INTENSITY
        assert _task(s, "a1-calm") is None  # a calm start needs no follow-up
        assert _task(s, "a1-worse") is None  # it did not end calmer
        assert _task(s, "nobody") is None  # no agent to give it to
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 3


def test_reimporting_never_duplicates_and_moves_only_an_open_task(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        a1 = user_by_email(s, "a1@x.io")
        done_id = followups.list_followups(s, a1).open[0].id
        followups.complete(s, a1, done_id, note="Called her, all fine")
    with db.session() as s:
        store(s, analyzer, record("a1-angry", "a1"), record("a1-angry-2", "a1"))
        store(s, analyzer, record("a1-angry", "a1"), record("a2-angry", "a1"))  # a2's moves to a1
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 4
        done = _task(s, "a1-angry")
        assert done is not None and done.status == "done" and done.note == "Called her, all fine"
        moved = _task(s, "a2-angry")
        assert moved is not None and moved.agent_id == "a1"


def test_scope_agents_see_theirs_coaches_their_team_admins_all(db: Database) -> None:
    with db.session() as s:
        def seen(email: str) -> list[str]:
            lst = followups.list_followups(s, user_by_email(s, email))
            return sorted(v.conversation for v in lst.open + lst.closed)

        assert seen("a1@x.io") == ["a1-angry"]
        assert seen("a3@x.io") == ["a3-angry"]
        assert seen("coach@x.io") == ["a1-angry", "a2-angry"]
        assert seen("coach_b@x.io") == ["a3-angry"]
        assert seen("admin@x.io") == ["a1-angry", "a2-angry", "a3-angry"]
        coach = followups.list_followups(s, user_by_email(s, "coach@x.io"))
        assert [(a.agent_id, a.open, a.overdue) for a in coach.stats] == [("a1", 1, 1), ("a2", 1, 1)]
        assert followups.due_count(s, user_by_email(s, "a1@x.io")) == 1


def test_done_and_skip_are_checked(db: Database) -> None:
    with db.session() as s:
        a1, a2 = user_by_email(s, "a1@x.io"), user_by_email(s, "a2@x.io")
        coach = user_by_email(s, "coach@x.io")
        mine = followups.list_followups(s, a1).open[0].id
        theirs = followups.list_followups(s, a2).open[0].id
        with pytest.raises(NotFoundError):
            followups.complete(s, a1, theirs)  # another agent's task does not exist for a1
        with pytest.raises(ForbiddenError, match="only the agent"):
            followups.complete(s, coach, mine)
        with pytest.raises(InvalidInputError, match="reason: say why"):
            followups.skip(s, a1, mine, reason_text="   ")
        with pytest.raises(InvalidInputError, match="at most"):
            followups.complete(s, a1, mine, note="x" * 2001)
        task = followups.skip(s, a1, mine, reason_text="Customer asked not to be contacted")
        assert task.status == "skipped" and task.closed_by == a1.id and task.closed_at is not None
        with pytest.raises(ConflictError, match="already skipped"):
            followups.complete(s, a1, mine)
        lst = followups.list_followups(s, a1)
        assert lst.open == [] and [v.status for v in lst.closed] == ["skipped"]
        assert followups.list_followups(s, coach).stats[0].skipped == 1
        with pytest.raises(InvalidInputError, match="status: expected"):
            followups.list_followups(s, a1, status="later")


def test_the_reason_names_the_feeling_the_ending_and_what_to_check() -> None:
    found = followups.Trigger("anxiety", 0.99, 3, "joy")
    assert followups.reason(found, "Double charge") == (
        "Started very worried (anxiety 0.99), ended happy: check the extra charge came back."
    )
    assert "check that what was promised has happened" in followups.reason(found, None)


def test_trigger_reads_the_stored_analysis() -> None:
    analysis: dict[str, Any] = {
        "deescalated": True,
        "turns": [
            {"speaker": "customer", "emotions": [{"label": "anger", "score": 0.59, "intensity": 3}]},
            {"speaker": "agent"},
            {"speaker": "customer", "emotions": [{"label": "neutral", "score": 0.8, "intensity": 1}]},
        ],
    }
    assert followups.trigger(analysis) is None  # not sure enough
    analysis["turns"][0]["emotions"][0]["score"] = 0.6
    found = followups.trigger(analysis)
    assert found is not None and found.emotion == "anger" and found.ended == "neutral"
    analysis["turns"][0]["emotions"][0]["intensity"] = 2
    assert followups.trigger(analysis) is None  # not strong enough
    assert followups.trigger({"deescalated": None, "turns": []}) is None


def test_a_task_due_soon_is_marked_so_and_counts_in_the_badge(db: Database) -> None:
    with db.session() as s:
        a3 = user_by_email(s, "a3@x.io")
        task = _task(s, "a3-angry")
        assert task is not None
        task.due_at = datetime.now(UTC) + timedelta(days=1)
        s.flush()
        view = followups.get_followup(s, a3, task.id)
        assert view.due_soon and not view.overdue
        assert followups.due_count(s, a3) == 1
        task.due_at = datetime.now(UTC) + followups.DUE_SOON + timedelta(days=1)
        s.flush()
        later = followups.get_followup(s, a3, task.id)
        assert not later.due_soon and not later.overdue
        assert followups.due_count(s, a3) == 0
        with pytest.raises(NotFoundError):
            followups.get_followup(s, user_by_email(s, "a1@x.io"), task.id)
