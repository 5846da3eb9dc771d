"""Role-play sessions on the server: replay between requests, scope, debriefs, assignments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.store.people import add_practice_people, user_by_email
from tests.web.conftest import conversation
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import practice
from warmline.store import practice_assignments as assignments
from warmline.store.access import assignable_agents
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.users import create_user

REPLIES = Path(__file__).parents[1] / "practice" / "data" / "replies"
SCENARIO = "late-order-transferred"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_practice_people(s)
    yield database
    database.dispose()


def _script(name: str) -> list[str]:
    return (REPLIES / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def test_a_session_is_replayed_between_requests_to_its_debrief(
    db: Database, analyzer: Analyzer
) -> None:
    with db.session() as s:
        row = practice.start_session(
            s, user_by_email(s, "ag@x.io"), SCENARIO, seed=3, analyzer=analyzer
        )
        sid = row.id
        assert row.state["seed"] == 3 and row.log["lines"][0]["state"] == "opening"
    for text in _script(f"{SCENARIO}.empathic"):
        with db.session() as s:
            row, exchange = practice.add_reply(
                s, user_by_email(s, "ag@x.io"), sid, text, analyzer=analyzer
            )
            assert exchange["reading"]["score"] == row.log["readings"][-1]["score"]
            if exchange["done"]:
                break
    with db.session() as s:
        row = practice.get_session(s, user_by_email(s, "ag@x.io"), sid)
        assert row.outcome == "resolved" and row.finished_at is not None
        assert (
            row.debrief
            and row.debrief["outcome"] == "resolved"
            and row.debrief["comparison"] is None
        )
        assert row.score == row.debrief["score"] and row.replies == len(row.debrief["replies"])
        with pytest.raises(ConflictError, match="has ended"):
            practice.add_reply(
                s, user_by_email(s, "ag@x.io"), sid, "Anything else?", analyzer=analyzer
            )


def test_a_second_attempt_is_compared_with_the_first(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        first = practice.start_session(s, agent, SCENARIO, seed=1, analyzer=analyzer)
        practice.add_reply(s, agent, first.id, "Calm down, it is not my fault.", analyzer=analyzer)
        practice.end_session(s, agent, first.id, analyzer=analyzer)
        second = practice.start_session(s, agent, SCENARIO, seed=2, analyzer=analyzer)
        for text in _script(f"{SCENARIO}.empathic"):
            _, ex = practice.add_reply(s, agent, second.id, text, analyzer=analyzer)
            if ex["done"]:
                break
        comparison = second.debrief["comparison"] if second.debrief else None
        assert comparison and comparison["attempts"] == 2
        assert comparison["previous_outcomes"] == ["unfinished"]
        assert [r.id for r in practice.attempts(s, agent.id, SCENARIO)] == [first.id, second.id]


def test_bad_input_and_unknown_scenarios_are_refused(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        with pytest.raises(NotFoundError, match="the scenarios are"):
            practice.start_session(s, agent, "no-such-scenario")
        with pytest.raises(NotFoundError):
            practice.start_session(s, agent, "src/warmline/practice/scenarios/cannot-grant.yaml")
        row = practice.start_session(s, agent, SCENARIO, analyzer=analyzer)
        with pytest.raises(InvalidInputError, match="write what you would say"):
            practice.add_reply(s, agent, row.id, "   ", analyzer=analyzer)
        with pytest.raises(InvalidInputError, match="under 2000"):
            practice.add_reply(s, agent, row.id, "x" * 2001, analyzer=analyzer)
        with pytest.raises(InvalidInputError, match="seed"):
            practice.start_session(s, agent, SCENARIO, seed=-1)


def test_scope_coaches_read_their_teams_admins_all_only_the_owner_plays(
    db: Database, analyzer: Analyzer
) -> None:
    with db.session() as s:
        row = practice.start_session(
            s, user_by_email(s, "ag@x.io"), SCENARIO, seed=0, analyzer=analyzer
        )
        sid = row.id
    with db.session() as s:
        assert practice.get_session(s, user_by_email(s, "co@x.io"), sid).id == sid
        assert practice.get_session(s, user_by_email(s, "ad@x.io"), sid).id == sid
        for outsider in ("cb@x.io", "ob@x.io"):
            with pytest.raises(NotFoundError):
                practice.get_session(s, user_by_email(s, outsider), sid)
        with pytest.raises(ForbiddenError, match="read it, not play it"):
            practice.add_reply(
                s, user_by_email(s, "co@x.io"), sid, "Let me help.", analyzer=analyzer
            )
        seen = {
            email: [r.id for r in practice.list_sessions(s, user_by_email(s, email))]
            for email in ("ag@x.io", "co@x.io", "cb@x.io", "ad@x.io", "ob@x.io")
        }
    assert seen == {
        "ag@x.io": [sid],
        "co@x.io": [sid],
        "cb@x.io": [],
        "ad@x.io": [sid],
        "ob@x.io": [],
    }


def test_a_session_from_a_conversation_respects_scope(db: Database, analyzer: Analyzer) -> None:
    record = conversation("low-1", "agent-1", team="A")
    record["customer_name"] = "Dana"
    with db.session() as s:
        import_conversations(
            s, [record], analyzer=analyzer, options=ImportOptions(redactor=Redactor())
        )
    with db.session() as s:
        row = practice.start_from_conversation(
            s, user_by_email(s, "ag@x.io"), "low-1", seed=5, analyzer=analyzer
        )
        assert row.custom and row.custom["conversation"] == "low-1" and row.custom["name"] == "Dana"
        assert row.log["lines"][0]["text"] == record["turns"][0]["text"]
        assert (
            row.custom["emotion"] in ("anger", "frustration")
            and 0.5 <= row.custom["intensity"] <= 0.8
        )
        scenario = practice.scenario_of(row)
        assert scenario.persona.name == "Dana" and scenario.id == "conversation-low-1"
        # the case is this customer's, not the shipped story's: their words, lines that fit any case
        base = practice.shipped(row.custom["base"])
        customer_said = [t["text"] for t in record["turns"] if t["speaker"] == "customer"]
        assert scenario.facts == tuple(f"They wrote: “{t}”" for t in customer_said[:4])
        assert not set(base.facts) & set(scenario.facts) and base.summary not in scenario.summary
        for key, said in scenario.lines.items():
            assert key == "opening" or not set(said) & set(base.lines[key]), key
        _, ex = practice.add_reply(
            s,
            user_by_email(s, "ag@x.io"),
            row.id,
            "Dana, I'm sorry. I'll sort it now.",
            analyzer=analyzer,
        )
        assert ex["reading"]["index"] == 0
        with pytest.raises(ForbiddenError):
            practice.start_from_conversation(
                s, user_by_email(s, "ob@x.io"), "low-1", analyzer=analyzer
            )
        with pytest.raises(NotFoundError):
            practice.start_from_conversation(
                s, user_by_email(s, "ag@x.io"), "nope", analyzer=analyzer
            )


def test_closest_scenario_reads_the_story() -> None:
    chosen = practice.closest_scenario(
        "I received a kettle instead of the blender I ordered and want a refund", "anger"
    )
    assert chosen.id == "wrong-item-refund"


def test_assignments_follow_the_agents_sessions(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        coach, agent = user_by_email(s, "co@x.io"), user_by_email(s, "ag@x.io")
        a = assignments.assign(
            s, coach, scenario_id=SCENARIO, agent_email="ag@x.io", due=date(2020, 1, 1)
        )
        [st] = assignments.assignments(s, agent)
        assert (st.status, st.attempts, st.overdue, st.title) == ("not started", 0, True, st.title)
        row = practice.start_session(s, agent, SCENARIO, seed=0, analyzer=analyzer)
        practice.add_reply(s, agent, row.id, "OK.", analyzer=analyzer)
        assert assignments.assignments(s, agent)[0].status == "attempted"
        row = practice.start_session(s, agent, SCENARIO, seed=0, analyzer=analyzer)
        for text in _script(f"{SCENARIO}.empathic"):
            _, ex = practice.add_reply(s, agent, row.id, text, analyzer=analyzer)
            if ex["done"]:
                break
        [st] = assignments.assignments(s, coach)
        assert (st.assignment.id, st.status, st.attempts, st.overdue) == (
            a.id,
            "resolved",
            2,
            False,
        )
        assert assignments.assignments(s, user_by_email(s, "cb@x.io")) == []
        assert len(assignments.assignments(s, user_by_email(s, "ad@x.io"))) == 1
        with pytest.raises(ForbiddenError):
            assignments.assign(
                s, user_by_email(s, "cb@x.io"), scenario_id=SCENARIO, agent_email="ag@x.io"
            )
        with pytest.raises(ForbiddenError):
            assignments.assign(s, agent, scenario_id=SCENARIO, agent_email="ag@x.io")
        with pytest.raises(InvalidInputError, match="no agent"):
            assignments.assign(s, coach, scenario_id=SCENARIO, agent_email="co@x.io")
        with pytest.raises(NotFoundError):
            assignments.assign(s, coach, scenario_id="nope", agent_email="ag@x.io")
        assert [u.email for u in assignable_agents(s, coach)] == ["ag@x.io"]
        assert [u.email for u in assignable_agents(s, user_by_email(s, "ad@x.io"))] == [
            "ag@x.io",
            "ob@x.io",
        ]


@sqlite_only
def test_a_coach_does_not_see_a_fellow_coachs_sessions(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        create_user(s, email="co2@x.io", password="long enough", role="coach", teams=["A"])
        row = practice.start_session(
            s, user_by_email(s, "co2@x.io"), SCENARIO, seed=0, analyzer=analyzer
        )
        with pytest.raises(NotFoundError):
            practice.get_session(s, user_by_email(s, "co@x.io"), row.id)
        assert practice.get_session(s, user_by_email(s, "ad@x.io"), row.id).id == row.id
