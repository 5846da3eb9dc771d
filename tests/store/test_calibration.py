"""Calibration sessions on a real SQLite file and a real PostgreSQL server: who may open and
review, blindness while open, final answers, closing, and the agreement figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.calibration_data import STAFF, answers, calibration_conversation
from tests.store.people import add_people, user_by_email
from warmline.agreement import alpha
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import calibration as cal
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.tables import User

REVIEWERS = ["coach@x.io", "a2@x.io", "admin@x.io"]


@pytest.fixture
def db(database_url: str, analyzer: Analyzer) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        import_conversations(
            s,
            [calibration_conversation("c1", "a1"), calibration_conversation("b1", "a3", team="B")],
            analyzer=analyzer,
            options=ImportOptions(redactor=Redactor()),
        )
    yield database
    database.dispose()


def _u(db: Database, who: str) -> User:
    with db.session() as s:
        return user_by_email(s, f"{who}@x.io")


def _open(db: Database, reviewers: list[str] = REVIEWERS) -> int:
    with db.session() as s:
        return cal.open_session(s, _u(db, "coach"), "c1", reviewers=reviewers, note="Q4").id


def test_candidates_are_the_teams_coaches_and_agents_but_not_the_conversations_agent(db: Database) -> None:
    with db.session() as s:
        emails = {u.email for u in cal.candidates(s, _u(db, "coach"), "c1")}
    assert emails == {"admin@x.io", "coach@x.io", "a2@x.io"}


def test_only_coaches_and_admins_open_and_only_on_what_they_may_see(db: Database) -> None:
    with db.session() as s, pytest.raises(ForbiddenError, match="outside what your role may see"):
        cal.open_session(s, _u(db, "coach_b"), "c1", reviewers=["coach_b@x.io", "a3@x.io"])
    with db.session() as s, pytest.raises(ForbiddenError, match="admin or coach"):
        cal.open_session(s, _u(db, "a2"), "c1", reviewers=REVIEWERS)
    with db.session() as s, pytest.raises(InvalidInputError, match="a3@x.io cannot review"):
        cal.open_session(s, _u(db, "coach"), "c1", reviewers=["coach@x.io", "a3@x.io"])
    with db.session() as s, pytest.raises(InvalidInputError, match="a1@x.io cannot review"):
        cal.open_session(s, _u(db, "coach"), "c1", reviewers=["coach@x.io", "a1@x.io"])
    with db.session() as s, pytest.raises(InvalidInputError, match="at least 2"):
        cal.open_session(s, _u(db, "coach"), "c1", reviewers=["coach@x.io"])


def test_the_session_snapshots_the_staff_turns_and_the_rubric(db: Database) -> None:
    sid = _open(db)
    with db.session() as s:
        row = cal.get_session(s, _u(db, "coach"), sid)
        assert sorted(int(t) for t in row.snapshot["engine"]) == list(STAFF)
        assert row.rubric_version == 1 and row.team_id is not None
        assert [r.user.email for r in row.reviewers] == REVIEWERS


def test_reviewers_are_blind_until_the_session_is_closed(db: Database) -> None:
    sid = _open(db)
    mine = answers({1: {"apology", "solution"}}, {1: 80, 3: 20, 5: 70})
    with db.session() as s:
        cal.save_answers(s, _u(db, "a2"), sid, mine, submit=True)
    for who in ("coach", "admin", "a2"):
        with db.session() as s:
            user = _u(db, who)
            view = cal.session_view(cal.get_session(s, user, sid), user)
        assert "engine" not in view and "results" not in view and "answers" not in view
        assert [r["submitted"] for r in view["reviewers"]] == [False, True, False]
        own = view["me"]["answers"]
        assert (own != {}) == (who == "a2")  # only a2 sees a2's answers
    # a reviewer who did not open the session cannot close it to peek
    with db.session() as s, pytest.raises(ForbiddenError, match="only the person who opened"):
        cal.close_session(s, _u(db, "a2"), sid)


def test_submitted_answers_are_final_and_checked(db: Database) -> None:
    sid = _open(db)
    with db.session() as s, pytest.raises(InvalidInputError, match=r"missing: turn 4 \(index 3\)"):
        cal.save_answers(s, _u(db, "coach"), sid, answers({}, {1: 50, 5: 60}), submit=True)
    with db.session() as s, pytest.raises(InvalidInputError, match="unknown behaviour magic"):
        cal.save_answers(s, _u(db, "coach"), sid, {1: cal.TurnAnswer(frozenset({"magic"}), 5)}, submit=False)
    with db.session() as s, pytest.raises(InvalidInputError, match=r"turn 1 \(index 0\): not a staff turn"):
        cal.save_answers(s, _u(db, "coach"), sid, {0: cal.TurnAnswer(frozenset(), 5)}, submit=False)
    with db.session() as s, pytest.raises(InvalidInputError, match="not from 0 to 100"):
        cal.save_answers(s, _u(db, "coach"), sid, {1: cal.TurnAnswer(frozenset(), 101)}, submit=False)
    with db.session() as s:  # a draft may be incomplete, and saved again
        cal.save_answers(s, _u(db, "coach"), sid, answers({}, {1: 50}), submit=False)
        cal.save_answers(s, _u(db, "coach"), sid, answers({1: {"apology"}}, {1: 55, 3: 10, 5: 60}), submit=True)
    with db.session() as s, pytest.raises(ConflictError, match="already submitted"):
        cal.save_answers(s, _u(db, "coach"), sid, answers({}, {1: 1, 3: 1, 5: 1}), submit=True)
    with db.session() as s, pytest.raises(NotFoundError):  # not invited: the session is hidden
        cal.save_answers(s, _u(db, "a1"), sid, answers({}, {}), submit=False)


def test_people_outside_the_session_cannot_see_it(db: Database) -> None:
    sid = _open(db)
    for who in ("coach_b", "a3", "a1"):
        with db.session() as s, pytest.raises(NotFoundError):
            cal.get_session(s, _u(db, who), sid)
        with db.session() as s:
            assert cal.list_sessions(s, _u(db, who)) == []
    with db.session() as s:
        assert [r.id for r in cal.list_sessions(s, _u(db, "a2"))] == [sid]


def test_closing_computes_agreement_and_opens_every_answer(db: Database) -> None:
    sid = _open(db)
    both = {1: {"apology", "acknowledge_emotion", "solution"}, 3: {"dismissive"}, 5: {"follow_up"}}
    with db.session() as s:
        cal.save_answers(s, _u(db, "coach"), sid, answers(both, {1: 85, 3: 15, 5: 75}), submit=True)
        # a2 agrees except that they also see ownership in turn 6 and score a little lower
        a2 = {**both, 5: {"follow_up", "ownership"}}
        cal.save_answers(s, _u(db, "a2"), sid, answers(a2, {1: 80, 3: 20, 5: 70}), submit=True)
        cal.save_answers(s, _u(db, "admin"), sid, answers({1: {"apology"}}, {1: 60}), submit=False)
    with db.session() as s, pytest.raises(ForbiddenError, match="only the person who opened"):
        cal.close_session(s, _u(db, "a2"), sid)
    with db.session() as s:
        cal.close_session(s, _u(db, "coach"), sid)
    with db.session() as s, pytest.raises(ConflictError, match="closed"):
        cal.save_answers(s, _u(db, "admin"), sid, answers({}, {1: 1, 3: 1, 5: 1}), submit=True)
    with db.session() as s:
        user = _u(db, "a2")
        view = cal.session_view(cal.get_session(s, user, sid), user)
    assert set(view["answers"]) == {"COACH", "A2"}  # the admin's draft is not counted
    res = view["results"]
    assert res["reviewers"] == ["COACH", "A2"] and res["turns"] == 3
    rows = {r["label"]: r for g in res["groups"] for r in g["labels"]}
    assert rows["apology"]["reviewers"]["alpha"] == 1.0  # both: present in turn 2 only
    assert rows["apology"]["reviewers"]["units"] == 3
    assert rows["blame"]["reviewers"]["alpha"] is None  # nobody marked it: nothing varies
    assert "every value is the same" in rows["blame"]["reviewers"]["why"]
    assert rows["ownership"]["reviewers"]["alpha"] < 0.5  # one split out of one mark
    pooled = res["behaviours"]["reviewers"]
    assert pooled["units"] == 3 * 26 and 0.8 < pooled["alpha"] < 1.0
    scores = [[85, 15, 75], [80, 20, 70]]  # coach, a2: turns 2, 4, 6
    assert res["score"]["reviewers"]["alpha"] == pytest.approx(alpha(scores, "interval"))
    assert res["score"]["reviewers"]["alpha"] > 0.9 and res["score"]["reviewers"]["units"] == 3
    top = res["disagreements"][0]
    assert (top["turn"], top["label"], top["present"], top["absent"]) == (5, "ownership", ["A2"], ["COACH"])
    assert res["score_spread"][0]["spread"] == 5
    assert {e["reviewer"] for e in res["each_vs_engine"]} == {"COACH", "A2"}
    assert view["engine"]["turns"]["1"]["score"] is not None


def test_a_coach_of_the_team_sees_closed_results_but_only_owner_or_admin_closes(db: Database) -> None:
    sid = _open(db, ["a2@x.io", "admin@x.io"])
    with db.session() as s, pytest.raises(ConflictError, match="nobody has submitted"):
        cal.close_session(s, _u(db, "coach"), sid)
    with db.session() as s:
        cal.save_answers(s, _u(db, "a2"), sid, answers({}, {1: 50, 3: 50, 5: 50}), submit=True)
        row = cal.close_session(s, _u(db, "admin"), sid)
        assert row.status == "closed" and row.closed_at is not None
        assert row.results is not None
        assert row.results["score"]["reviewers"]["why"] == "fewer than two coders"
    with db.session() as s, pytest.raises(ConflictError, match="already closed"):
        cal.close_session(s, _u(db, "coach"), sid)


def test_the_owner_invites_more_people_while_the_session_is_open(db: Database) -> None:
    sid = _open(db, ["coach@x.io", "a2@x.io"])
    with db.session() as s, pytest.raises(ForbiddenError, match="only the person who opened"):
        cal.invite(s, _u(db, "a2"), sid, ["admin@x.io"])
    with db.session() as s, pytest.raises(InvalidInputError, match="a3@x.io cannot review"):
        cal.invite(s, _u(db, "coach"), sid, ["a3@x.io"])
    with db.session() as s:
        row = cal.invite(s, _u(db, "coach"), sid, ["admin@x.io", "a2@x.io"])  # a2 is already in
        assert [r.user.email for r in row.reviewers] == ["coach@x.io", "a2@x.io", "admin@x.io"]
    with db.session() as s:
        assert [r.id for r in cal.list_sessions(s, _u(db, "admin"))] == [sid]
        cal.save_answers(s, _u(db, "a2"), sid, answers({}, {1: 5, 3: 5, 5: 5}), submit=True)
        cal.close_session(s, _u(db, "coach"), sid)
    with db.session() as s, pytest.raises(ConflictError, match="already closed"):
        cal.invite(s, _u(db, "coach"), sid, ["admin@x.io"])
