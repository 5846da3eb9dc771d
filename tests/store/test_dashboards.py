"""Dashboard queries on hand-built rows whose expected figures are worked out by hand below.

The rows (team, agent, UTC start, score, lowest turn score, escalated, channel):

    c1  A  a1  11-01 09:00  80  70  no   chat    labels: acknowledge x2 + apology (turn 1), acknowledge (turn 3)
    c2  A  a1  11-01 23:30  60  60  no   chat    labels: acknowledge (turn 1); missed follow_up
    c3  A  a1  11-02 00:30  90  88  no   email
    c4  A  a2  11-01 12:00  30  10  yes  chat    labels: blame (turn 1); missed follow_up, acknowledge_emotion
    c5  B  a3  11-03 10:00  50  50  no   email
    c6  A  a2  11-02 15:00  --  --  --   email   (not scored)
    c7  A  a2  11-03 08:00  20  20  no   chat
    c8  A  a2  11-03 09:00  70  35  yes  chat
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.store.people import add_people
from warmline.store import dashboards as dash
from warmline.store.conversations import ConversationFilter
from warmline.store.db import Database, upgrade
from warmline.store.tables import Conversation, Label, User
from warmline.store.users import get_or_create_team

Turn = tuple[int, str, int | None, list[tuple[str, int, int]]]

ROWS: list[dict[str, Any]] = [
    {"id": "c1", "team": "A", "agent": "a1", "at": (11, 1, 9, 0), "score": 80, "low": 70, "esc": False, "channel": "chat",
     "turns": [(1, "So sorry, I hear how stressful this is.", 70, [("acknowledge_emotion", 0, 8), ("apology", 0, 9), ("acknowledge_emotion", 10, 38)]),
               (3, "I'll call you on Friday to check it arrived.", 95, [("acknowledge_emotion", 0, 4), ("follow_up", 0, 44)])],
     "missed": []},
    {"id": "c2", "team": "A", "agent": "a1", "at": (11, 1, 23, 30), "score": 60, "low": 60, "esc": False, "channel": "chat",
     "turns": [(1, "That sounds frustrating.", 60, [("acknowledge_emotion", 0, 24)])], "missed": ["follow_up"]},
    {"id": "c3", "team": "A", "agent": "a1", "at": (11, 2, 0, 30), "score": 90, "low": 88, "esc": False, "channel": "email",
     "turns": [(1, "Dana, I've refunded it and emailed the receipt.", 88, [])], "missed": []},
    {"id": "c4", "team": "A", "agent": "a2", "at": (11, 1, 12, 0), "score": 30, "low": 10, "esc": True, "channel": "chat",
     "turns": [(1, "You should have read the policy.", 10, [("blame", 0, 32)])], "missed": ["follow_up", "acknowledge_emotion"]},
    {"id": "c5", "team": "B", "agent": "a3", "at": (11, 3, 10, 0), "score": 50, "low": 50, "esc": False, "channel": "email",
     "turns": [(1, "Done.", 50, [])], "missed": []},
    {"id": "c6", "team": "A", "agent": "a2", "at": (11, 2, 15, 0), "score": None, "low": None, "esc": None, "channel": "email",
     "turns": [], "missed": []},
    {"id": "c7", "team": "A", "agent": "a2", "at": (11, 3, 8, 0), "score": 20, "low": 20, "esc": False, "channel": "chat",
     "turns": [(1, "Closing this now.", 20, [])], "missed": []},
    {"id": "c8", "team": "A", "agent": "a2", "at": (11, 3, 9, 0), "score": 70, "low": 35, "esc": True, "channel": "chat",
     "turns": [(1, "Let me check.", 35, []), (3, "Fixed, and I'll follow up.", 80, [])], "missed": []},
]  # fmt: skip


def _at(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _insert(session: Session, spec: dict[str, Any]) -> None:
    turns: list[dict[str, Any]] = [
        {"index": 0, "speaker": "customer", "text": "Where is my order?"}
    ]
    labels = []
    for index, words, score, behaviours in spec["turns"]:
        turns.append({
            "index": index, "speaker": "agent", "text": words, "score": score,
            "behaviours": [{"id": b, "start": s, "end": e, "score": 0.9} for b, s, e in behaviours],
        })  # fmt: skip
        for b, s, e in behaviours:
            kind = "anti_pattern" if b == "blame" else "behaviour"
            labels.append(Label(turn=index, kind=kind, label=b, start=s, end=e, score=0.9))
    labels += [Label(turn=-1, kind="missed", label=m) for m in spec["missed"]]
    labels.append(Label(turn=0, kind="emotion", label="frustration", score=0.8))
    session.add(
        Conversation(
            external_id=spec["id"],
            team_id=get_or_create_team(session, spec["team"]).id,
            agent_id=spec["agent"],
            channel=spec["channel"],
            customer_name="Dana",
            started_at=_at(*spec["at"]),
            score=spec["score"],
            lowest_turn_score=spec["low"],
            escalated=spec["esc"],
            deescalated=False if spec["esc"] is not None else None,
            record={"id": spec["id"], "turns": []},
            analysis={"id": spec["id"], "score": spec["score"], "turns": turns},
            labels=labels,
        )
    )


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        for spec in ROWS:
            _insert(s, spec)
    yield database
    database.dispose()


def _user(s: Session, who: str) -> User:
    user = s.query(User).filter_by(email=f"{who}@x.io").one()
    return user


ALL = ConversationFilter()


def test_daily_scores_group_by_utc_day(db: Database) -> None:
    with db.session() as s:
        got = [
            (d.agent_id, d.day, d.conversations, d.mean_score)
            for d in dash.daily_scores(s, _user(s, "admin"), ALL)
        ]
    assert got == [
        ("a1", date(2026, 11, 1), 2, 70.0),
        ("a1", date(2026, 11, 2), 1, 90.0),
        ("a2", date(2026, 11, 1), 1, 30.0),
        ("a2", date(2026, 11, 2), 1, None),
        ("a2", date(2026, 11, 3), 2, 45.0),
        ("a3", date(2026, 11, 3), 1, 50.0),
    ]


def test_days_stay_utc_whatever_the_database_session_time_zone(
    db: Database, database_url: str
) -> None:
    with db.session() as s:
        if database_url.startswith("postgresql"):
            # 23:30 UTC on 1 November is already 2 November in Auckland.
            s.execute(text("SET TIME ZONE 'Pacific/Auckland'"))
        days = dash.daily_scores(s, _user(s, "a1"), ALL)
    assert [(d.day.day, d.conversations) for d in days] == [(1, 2), (2, 1)]


def test_scope_and_filters_narrow_the_days(db: Database) -> None:
    nov2 = ConversationFilter(since=_at(11, 2, 0, 0), until=_at(11, 2, 23, 59))
    with db.session() as s:
        coach = {(d.agent_id, d.day.day) for d in dash.daily_scores(s, _user(s, "coach"), ALL)}
        agent = {(d.agent_id, d.day.day) for d in dash.daily_scores(s, _user(s, "a3"), ALL)}
        ranged = {(d.agent_id, d.day.day) for d in dash.daily_scores(s, _user(s, "admin"), nov2)}
        email = {
            (d.agent_id, d.day.day)
            for d in dash.daily_scores(s, _user(s, "admin"), ConversationFilter(channel="email"))
        }
    assert coach == {("a1", 1), ("a1", 2), ("a2", 1), ("a2", 2), ("a2", 3)}
    assert agent == {("a3", 3)}
    assert ranged == {("a1", 2), ("a2", 2)}
    assert email == {("a1", 2), ("a2", 2), ("a3", 3)}


def test_agent_summaries_best_mean_first(db: Database) -> None:
    with db.session() as s:
        got = dash.agent_summaries(s, _user(s, "coach"), ALL)
    assert got == [
        dash.AgentSummary("a1", conversations=3, scored=3, mean_score=76.7, escalated=0),
        dash.AgentSummary("a2", conversations=4, scored=3, mean_score=40.0, escalated=2),
    ]


def test_label_breakdown_counts_conversations_and_distinct_turns(db: Database) -> None:
    with db.session() as s:
        got = dash.label_breakdown(s, _user(s, "coach"), ALL)
    assert got.conversations == 7
    behaviours = {c.label: (c.conversations, c.turns) for c in got.behaviours}
    # acknowledge: c1 turns 1 and 3 (twice in turn 1 counts once), c2 turn 1.
    assert behaviours == {"acknowledge_emotion": (2, 3), "apology": (1, 1), "follow_up": (1, 1)}
    assert got.behaviours[0].label == "acknowledge_emotion"
    assert got.behaviours[0].share == pytest.approx(2 / 7)
    assert [(c.label, c.conversations, c.turns) for c in got.anti_patterns] == [("blame", 1, 1)]
    assert [(c.label, c.conversations) for c in got.missed] == [
        ("follow_up", 2),
        ("acknowledge_emotion", 1),
    ]


def test_needing_review_escalated_first_then_lowest(db: Database) -> None:
    with db.session() as s:
        items, total = dash.needing_review(s, _user(s, "coach"), ALL)
        only_b, total_b = dash.needing_review(s, _user(s, "coach_b"), ALL)
    assert [i.external_id for i in items] == ["c4", "c8", "c7"] and total == 3
    assert items[1].reasons == ("the customer escalated", "a reply scored 35")
    assert items[2].reasons == ("empathy score 20", "a reply scored 20")
    assert (only_b, total_b) == ([], 0)


def test_recognition_needs_margin_and_enough_conversations(db: Database) -> None:
    # Coach scope: scored means (80+60+90+30+20+70)/6 = 58.3; a1's is 76.7 over 3.
    with db.session() as s:
        coach = _user(s, "coach")
        default = dash.recognition(s, coach, ALL)  # 3 conversations < 5
        three = dash.recognition(s, coach, ALL, min_conversations=3)
        strict = dash.recognition(s, coach, ALL, min_conversations=3, margin=20)  # 76.7 < 78.3
        alone = dash.recognition(s, _user(s, "a1"), ALL, min_conversations=1)
    assert default == [] and strict == [] and alone == []
    assert [r.agent.agent_id for r in three] == ["a1"]
    assert three[0].scope_mean == 58.3
    moments = three[0].moments
    assert [(m.external_id, m.turn, m.score) for m in moments] == [("c1", 3, 95), ("c3", 1, 88)]
    assert moments[0].text == "I'll call you on Friday to check it arrived."
    assert dash.Span(0, 44, "follow_up") in moments[0].spans


def test_agent_dashboard_is_one_agents_view(db: Database) -> None:
    with db.session() as s:
        got = dash.agent_dashboard(s, _user(s, "coach"), "a2", ALL)
        outside = dash.agent_dashboard(s, _user(s, "coach_b"), "a2", ALL)
    assert got.agent == dash.AgentSummary("a2", 4, 3, 40.0, 2)
    assert [d.day.day for d in got.days] == [1, 2, 3]
    assert [(c.label, c.conversations) for c in got.breakdown.missed] == [
        ("acknowledge_emotion", 1),
        ("follow_up", 1),
    ]
    assert [(m.external_id, m.score) for m in got.moments] == [("c8", 80), ("c7", 20), ("c4", 10)]
    assert outside.agent.conversations == 0 and outside.days == [] and outside.moments == []


def test_team_dashboard_totals(db: Database) -> None:
    with db.session() as s:
        got = dash.team_dashboard(
            s, _user(s, "admin"), ConversationFilter(team_id=None, channel="chat")
        )
    # chat: c1 80, c2 60, c4 30, c7 20, c8 70 -> mean 52.0, two escalated.
    assert (got.conversations, got.mean_score, got.escalated, got.review_total) == (5, 52.0, 2, 3)


def test_export_rows_with_label_counts(db: Database) -> None:
    with db.session() as s:
        rows = list(dash.export_rows(s, _user(s, "coach"), ConversationFilter(channel="chat")))
        mine = list(dash.export_rows(s, _user(s, "a3"), ALL))
    assert [r.external_id for r in rows] == ["c1", "c4", "c2", "c7", "c8"]
    first = rows[0]
    assert (first.team, first.agent_id, first.score, first.lowest_turn_score) == ("A", "a1", 80, 70)
    assert (first.behaviours, first.missed, first.anti_patterns) == (5, 0, 0)
    assert (rows[1].behaviours, rows[1].missed, rows[1].anti_patterns, rows[1].escalated) == (
        0,
        2,
        1,
        True,
    )
    assert first.started_at == _at(11, 1, 9, 0)
    assert [r.external_id for r in mine] == ["c5"]


def test_filter_choices_and_visibility(db: Database) -> None:
    with db.session() as s:
        coach = dash.filter_choices(s, _user(s, "coach"))
        admin = dash.filter_choices(s, _user(s, "admin"))
        assert [name for _, name in coach.teams] == ["A"]
        assert coach.agents == [("a1", "A1"), ("a2", "A2")]
        assert coach.channels == ["chat", "email"]
        assert [name for _, name in admin.teams] == ["A", "B"]
        assert dash.agent_visible(s, _user(s, "coach"), "a2")
        assert not dash.agent_visible(s, _user(s, "coach"), "a3")
        assert not dash.agent_visible(s, _user(s, "a1"), "a2")
        assert dash.newest_started(s, _user(s, "coach"), ALL) == _at(11, 3, 9, 0)
        assert dash.newest_started(
            s, _user(s, "coach"), ConversationFilter(channel="email")
        ) == _at(11, 2, 15, 0)
