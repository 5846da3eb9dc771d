"""KPI import and the before/after and CSAT reports, on a real SQLite file and real PostgreSQL.

The data: team A (agents a1, a2), team B (agent a3), a training event on 2026-11-15.

    a1  12 conversations before (scores 50..61, CSAT 3), 12 after (scores 70..81, CSAT 4)
    a2   3 conversations before (score 40), 3 after (score 45): too little data
    a3   2 conversations in team B, CSAT 5
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.store.people import add_people
from warmline import stats
from warmline.store.conversations import ConversationFilter, ImportRefused
from warmline.store.curriculum import module as curriculum_module
from warmline.store.curriculum_tables import CurriculumAttempt
from warmline.store.db import Database, upgrade
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.kpi_correlation import csat_correlation
from warmline.store.kpi_reports import before_after
from warmline.store.kpi_tables import AgentKpi, ConversationKpi
from warmline.store.kpis import KpiRowError, import_kpis, parse_kpi_text, records_from_json
from warmline.store.tables import Conversation, Label, User
from warmline.store.training_events import module_completions
from warmline.store.users import get_or_create_team

EVENT = date(2026, 11, 15)


def _conv(
    s: Session,
    ext: str,
    team: str,
    agent: str,
    when: datetime,
    score: int | None,
    labels: tuple[str, ...] = (),
) -> None:
    s.add(
        Conversation(
            external_id=ext, team_id=get_or_create_team(s, team).id, agent_id=agent, channel="chat",
            started_at=when, score=score, record={"id": ext, "turns": []},
            analysis={"id": ext, "turns": []},
            labels=[Label(turn=1, kind="anti_pattern" if lab == "blame" else "behaviour", label=lab) for lab in labels],
        )
    )  # fmt: skip


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        start = datetime(2026, 11, 1, 9, tzinfo=UTC)
        for i in range(12):
            _conv(
                s,
                f"a1-b{i}",
                "A",
                "a1",
                start + timedelta(days=i % 14, hours=i),
                50 + i,
                ("apology",) if i % 2 else (),
            )
            _conv(
                s,
                f"a1-a{i}",
                "A",
                "a1",
                datetime(2026, 11, 15, tzinfo=UTC) + timedelta(days=i % 10, hours=i),
                70 + i,
                ("apology", "acknowledge_emotion"),
            )
        for i in range(3):
            _conv(s, f"a2-b{i}", "A", "a2", start + timedelta(days=i), 40)
            _conv(
                s, f"a2-a{i}", "A", "a2", datetime(2026, 11, 20, tzinfo=UTC) + timedelta(days=i), 45
            )
        _conv(s, "a3-0", "B", "a3", start, 90)
        _conv(s, "a3-1", "B", "a3", start + timedelta(days=20), 95)
    yield database
    database.dispose()


def _user(s: Session, who: str) -> User:
    return s.query(User).filter_by(email=f"{who}@x.io").one()


def _csv(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def _seed_csat(db: Database) -> None:
    lines = ["conversation_id,csat,fcr,repeat_contact,nps"]
    for i in range(12):
        lines.append(f"a1-b{i},3,false,true,6")
        lines.append(f"a1-a{i},4,true,false,9")
    with db.session() as s:
        import_kpis(s, _user(s, "coach"), parse_kpi_text(_csv(*lines)))


# -- import -------------------------------------------------------------------------------------


def test_csv_import_stores_and_reimport_updates(db: Database) -> None:
    text = _csv(
        "conversation_id,csat,fcr,repeat_contact,nps,source",
        "a1-b0,4,yes,no,9,survey",
        "a1-b1,2,,,,",
    )
    with db.session() as s:
        result = import_kpis(
            s, _user(s, "coach"), parse_kpi_text(text, filename="k.csv"), source="k.csv"
        )
    assert result.to_dict() == {
        "conversations_created": 2,
        "conversations_updated": 0,
        "periods_created": 0,
        "periods_updated": 0,
    }
    with db.session() as s:
        result = import_kpis(
            s, _user(s, "admin"), records_from_json([{"conversation_id": "a1-b0", "csat": 5}])
        )
        assert (result.conversations_created, result.conversations_updated) == (0, 1)
        rows = {k.conversation.external_id: k for k in s.scalars(select(ConversationKpi))}
        assert len(rows) == 2
        kept = rows["a1-b0"]
        # the new figure replaces the stored one; figures left out are kept
        assert (kept.csat, kept.fcr, kept.repeat_contact, kept.nps, kept.source) == (
            5,
            True,
            False,
            9,
            "survey",
        )
        assert (rows["a1-b1"].csat, rows["a1-b1"].fcr, rows["a1-b1"].source) == (2, None, "k.csv")


def test_every_bad_row_is_reported_and_nothing_is_stored(db: Database) -> None:
    text = _csv(
        "conversation_id,csat,fcr,nps,agent_id,metric,value,period_start,period_end",
        "a1-b0,4,yes,9,,,,,",                       # line 2: fine
        "a1-b1,7,,,,,,,",                           # line 3: csat out of range
        "a1-b2,4,maybe,,,,,,",                      # line 4: fcr not a flag
        "nope,4,,,,,,,",                            # line 5: unknown conversation
        ",,,,a1,happiness,3,2026-11-01,2026-11-30",  # line 6: unknown metric
        ",,,,a1,csat,4.2,2026-11-30,2026-11-01",     # line 7: end before start
        ",,,,a1,fcr_rate,82,2026-11-01,2026-11-30",  # line 8: a rate over 1
        "a1-b0,3,,,,,,,",                           # line 9: twice
        "a1-b3,,,,,,,,",                            # line 10: no figure at all
    )  # fmt: skip
    with db.session() as s, pytest.raises(ImportRefused) as caught:
        import_kpis(s, _user(s, "coach"), parse_kpi_text(text))
    errors = caught.value.result.errors
    got = [(e.line, e.column if isinstance(e, KpiRowError) else None) for e in errors]
    assert got == [
        (3, "csat"),
        (4, "fcr"),
        (6, "metric"),
        (7, "period_end"),
        (8, "value"),
        (10, "csat"),
        (5, "conversation_id"),
        (9, "conversation_id"),
    ]
    messages = {e.line: e.message for e in errors}
    assert messages[3] == "column csat: expected a whole number from 1 to 5, got '7'"
    assert "expected one of csat, fcr_rate, retention_rate, nps, engagement" in messages[6]
    assert "import the conversation first" in messages[5]
    assert messages[8] == "column value: expected a number from 0 to 1, got '82'"
    assert str(caught.value).startswith(
        "8 of 9 records could not be read, so nothing was imported; first: line 3"
    )
    assert errors[0].to_dict()["column"] == "csat"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ConversationKpi)) == 0
        assert s.scalar(select(func.count()).select_from(AgentKpi)) == 0


def test_unknown_csv_columns_and_formats_are_refused(db: Database) -> None:
    with pytest.raises(ImportRefused, match="unknown column 'satisfaction'"):
        parse_kpi_text(_csv("conversation_id,satisfaction", "a1-b0,4"))
    with pytest.raises(InvalidInputError, match=r"\.csv, \.jsonl"):
        parse_kpi_text("x", filename="k.xlsx")
    records = parse_kpi_text(
        '{"conversation_id": "a1-b0", "csat": 4}\nnot json\n', filename="k.jsonl"
    )
    with db.session() as s, pytest.raises(ImportRefused) as caught:
        import_kpis(s, _user(s, "admin"), records)
    assert [(e.line, e.message[:20]) for e in caught.value.result.errors] == [
        (2, "not a JSON object: E")
    ]


def test_agent_period_import_upserts_and_takes_the_agents_team(db: Database) -> None:
    rows = [
        {
            "agent_id": "a1",
            "metric": "engagement",
            "value": 71,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
        }
    ]
    with db.session() as s:
        assert import_kpis(s, _user(s, "coach"), records_from_json(rows)).periods_created == 1
    rows[0]["value"] = 74.5
    with db.session() as s:
        assert import_kpis(s, _user(s, "coach"), records_from_json(rows)).periods_updated == 1
        (row,) = s.scalars(select(AgentKpi))
        assert (row.value, row.team.name if row.team else None, row.period_end) == (
            74.5,
            "A",
            date(2026, 10, 31),
        )


def test_import_scope(db: Database) -> None:
    with db.session() as s, pytest.raises(ForbiddenError, match="coach"):
        import_kpis(s, _user(s, "a1"), records_from_json([{"conversation_id": "a1-b0", "csat": 4}]))
    records = records_from_json([
        {"conversation_id": "a3-0", "csat": 4},
        {"agent_id": "a3", "metric": "nps", "value": 10, "period_start": "2026-10-01", "period_end": "2026-10-31"},
        {"agent_id": "a1", "team": "B", "metric": "nps", "value": 10, "period_start": "2026-10-01", "period_end": "2026-10-31"},
    ])  # fmt: skip
    with db.session() as s, pytest.raises(ImportRefused) as caught:
        import_kpis(s, _user(s, "coach"), records)
    assert [e.message for e in caught.value.result.errors] == [
        "column conversation_id: conversation 'a3-0' is outside your teams",
        "column agent_id: agent 'a3' is not in your teams",
        "column team: expected one of your teams (A)",
    ]
    with db.session() as s:  # an admin may, and the command line (no user) too
        assert import_kpis(s, _user(s, "admin"), records).periods_created == 2
        assert import_kpis(s, None, records).periods_updated == 2


# -- before / after -----------------------------------------------------------------------------


def test_before_after_for_a_team_and_its_agents(db: Database) -> None:
    _seed_csat(db)
    with db.session() as s:
        report = before_after(s, _user(s, "coach"), event=EVENT, team="A")
    assert [(g.kind, g.name) for g in report.groups] == [
        ("team", "A"),
        ("agent", "a1"),
        ("agent", "a2"),
    ]
    a1 = {c.metric: c for c in report.groups[1].comparisons}
    assert list(a1) == ["empathy", "csat", "fcr", "repeat_contact", "nps"]
    emp = a1["empathy"].figures
    before, after = [50.0 + i for i in range(12)], [70.0 + i for i in range(12)]
    assert (emp.n_before, emp.n_after, emp.mean_before, emp.mean_after, emp.difference) == (
        12,
        12,
        55.5,
        75.5,
        20.0,
    )
    assert emp == stats.mean_difference(before, after)
    assert emp.effect_size == pytest.approx(stats.hedges_g(before, after))
    assert a1["empathy"].verdict.kind == "improved"
    assert (a1["csat"].figures.difference, a1["csat"].figures.ci_low, a1["csat"].verdict.kind) == (
        1.0,
        1.0,
        "improved",
    )
    # repeat contact fell from all to none: lower is better, so that is an improvement
    assert (
        a1["repeat_contact"].figures.difference == -1.0
        and a1["repeat_contact"].verdict.kind == "improved"
    )
    # NPS: every answer 6 (detractor, -100) before, 9 (promoter, +100) after
    assert (a1["nps"].figures.mean_before, a1["nps"].figures.mean_after) == (-100.0, 100.0)
    a2 = report.groups[2].comparisons
    assert [c.metric for c in a2] == ["empathy"]
    assert a2[0].verdict.kind == "too_little_data"
    assert a2[0].verdict.text.startswith(
        "too little data to conclude: 3 conversations before and 3 after"
    )
    team = {c.metric: c for c in report.groups[0].comparisons}
    assert (team["empathy"].figures.n_before, team["empathy"].figures.n_after) == (15, 15)
    assert report.to_dict()["groups"][0]["comparisons"][0]["verdict"]["kind"] == "improved"


def test_before_after_window_and_metrics(db: Database) -> None:
    with db.session() as s:
        report = before_after(
            s, _user(s, "admin"), event=EVENT, agent="a1", metrics=["empathy"], window_days=3
        )
    (group,) = report.groups
    (emp,) = group.comparisons
    # 3 days either side, [11-12, 11-18): one conversation before (11-12 20:00), five after
    assert (emp.figures.n_before, emp.figures.n_after) == (1, 5)
    with db.session() as s, pytest.raises(InvalidInputError, match="unknown metric 'joy'"):
        before_after(s, _user(s, "admin"), event=EVENT, agent="a1", metrics=["joy"])


def test_agent_periods_before_and_after(db: Database) -> None:
    rows = [
        {"agent_id": "a1", "metric": "engagement", "value": v, "period_start": f"2026-{m:02d}-01", "period_end": f"2026-{m:02d}-28"}
        for m, v in [(8, 60), (9, 62), (10, 64), (11, 99), (12, 70)]
    ]  # fmt: skip
    with db.session() as s:
        import_kpis(s, None, records_from_json(rows))
        report = before_after(s, _user(s, "a1"), event=EVENT)
    (group,) = report.groups  # an agent sees only their own figures
    eng = next(c for c in group.comparisons if c.metric == "engagement")
    # November's period straddles the event and counts on neither side
    assert (eng.basis, eng.figures.n_before, eng.figures.n_after, eng.figures.mean_before) == (
        "periods",
        3,
        1,
        62.0,
    )
    assert eng.verdict.kind == "too_little_data" and "3 periods before" in eng.verdict.text


def test_before_after_scope(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(ForbiddenError):
            before_after(s, _user(s, "coach_b"), event=EVENT, team="A")
        with pytest.raises(ForbiddenError):
            before_after(s, _user(s, "coach_b"), event=EVENT, agent="a1")
        with pytest.raises(ForbiddenError):
            before_after(s, _user(s, "a2"), event=EVENT, agent="a1")
        with pytest.raises(NotFoundError):
            before_after(s, _user(s, "admin"), event=EVENT, team="Z")
        with pytest.raises(InvalidInputError, match="which team"):
            before_after(s, _user(s, "admin"), event=EVENT)
        mine = before_after(s, _user(s, "a2"), event=EVENT, team="A")
    assert [(g.kind, g.name) for g in mine.groups] == [("agent", "a2")]


# -- empathy vs CSAT ----------------------------------------------------------------------------


def test_csat_correlation_matches_numpy_and_lists_behaviours(db: Database) -> None:
    _seed_csat(db)
    with db.session() as s:
        result = csat_correlation(s, _user(s, "coach"), ConversationFilter(), team="A")
    scores = [50.0 + i for i in range(12)] + [70.0 + i for i in range(12)]
    csat = [3.0] * 12 + [4.0] * 12
    assert result.n == 24
    assert result.pearson.r == pytest.approx(np.corrcoef(scores, csat)[0, 1])
    assert result.verdict.kind == "positive"
    behaviours = {b.label: b for b in result.behaviours}
    ack = behaviours["acknowledge_emotion"].figures  # every after-conversation, none before
    assert (ack.n_after, ack.n_before, ack.mean_after, ack.mean_before) == (12, 12, 4.0, 3.0)
    assert behaviours["acknowledge_emotion"].verdict.kind == "higher"
    apology = behaviours["apology"].figures  # 12 after + 6 before
    assert (apology.n_after, apology.n_before) == (18, 6)
    assert behaviours["apology"].verdict.kind == "too_little_data"
    assert result.to_dict()["behaviours"][0]["label"] == "acknowledge_emotion"


def test_csat_correlation_scope_and_small_data(db: Database) -> None:
    _seed_csat(db)
    with db.session() as s:
        mine = csat_correlation(s, _user(s, "a2"), ConversationFilter())
        assert mine.n == 0 and mine.verdict.kind == "too_little_data"
        with pytest.raises(ForbiddenError):
            csat_correlation(s, _user(s, "coach_b"), ConversationFilter(), team="A")
        early = ConversationFilter(until=datetime(2026, 11, 4, tzinfo=UTC))
        few = csat_correlation(s, _user(s, "admin"), early)
    assert few.n < 10 and few.verdict.kind == "too_little_data"


# -- a module completed as the event ------------------------------------------------------------


def _pass(s: Session, who: str, exercise: str, when: datetime, *, passed: bool = True) -> None:
    s.add(CurriculumAttempt(user_id=_user(s, who).id, module_id="introduction", exercise_id=exercise, phase="exercise",
                            answer="x", passed=passed, score=90 if passed else 10, grade={}, created_at=when))  # fmt: skip


def test_each_agents_completion_of_a_module_is_their_event(db: Database) -> None:
    exercises = [e.id for e in curriculum_module("introduction").exercises]
    with db.session() as s:
        for i, ex in enumerate(exercises):
            # a1 passes the last exercise first on 11-15 (a failed try and a re-pass change nothing)
            _pass(
                s,
                "a1",
                ex,
                datetime(2026, 11, 10 + i + (1 if i == len(exercises) - 1 else 0), 16, tzinfo=UTC),
            )
            _pass(s, "a1", ex, datetime(2026, 11, 28, tzinfo=UTC))
        _pass(s, "a1", exercises[0], datetime(2026, 11, 9, tzinfo=UTC), passed=False)
        for ex in exercises[:-1]:  # a2 never passes the last one
            _pass(s, "a2", ex, datetime(2026, 11, 12, tzinfo=UTC))
    with db.session() as s:
        assert module_completions(s, "introduction") == {"a1": date(2026, 11, 15)}
        report = before_after(
            s, _user(s, "coach"), module="introduction", team="A", metrics=["empathy"]
        )
        with pytest.raises(NotFoundError):
            before_after(s, _user(s, "coach"), module="no-such-module", team="A")
        with pytest.raises(InvalidInputError, match="module=ID"):
            before_after(s, _user(s, "coach"), event=EVENT, module="introduction", team="A")
    assert report.event is None and report.module == "introduction"
    assert report.not_completed == ["a2"]
    assert [(g.kind, g.name, g.event) for g in report.groups] == [
        ("team", "A", None),
        ("agent", "a1", date(2026, 11, 15)),
    ]
    team = report.groups[0].comparisons[0].figures
    assert (team.n_before, team.n_after, team.difference) == (12, 12, 20.0)
    assert report.to_dict()["groups"][1]["event"] == "2026-11-15"
