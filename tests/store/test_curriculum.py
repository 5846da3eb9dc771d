"""The training curriculum on the server: attempts, progress, assessments, assignment status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.store.people import add_practice_people, user_by_email
from warmline.engine.pipeline import Analyzer
from warmline.practice.curriculum import assessment_items, get_module
from warmline.store import curriculum
from warmline.store.curriculum_tables import CurriculumAttempt
from warmline.store.db import Database, upgrade
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MODULE = "introduction"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_practice_people(s)
    yield database
    database.dispose()


def _pass_module(db: Database, analyzer: Analyzer, email: str, module_id: str = MODULE) -> None:
    for e in get_module(module_id).exercises:
        with db.session() as s:
            _, g = curriculum.submit_exercise(
                s, user_by_email(s, email), module_id, e.id, e.model_answer, analyzer=analyzer
            )
            assert g.passed, (e.id, g.feedback)


def test_an_exercise_is_graded_stored_and_counted_in_progress(
    db: Database, analyzer: Analyzer
) -> None:
    ex = get_module(MODULE).exercises[3]  # acknowledge-then-act, a free reply
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        row, poor = curriculum.submit_exercise(
            s, agent, MODULE, ex.id, ex.poor_example, analyzer=analyzer
        )
        assert not poor.passed and row.score == poor.score and row.phase == "exercise"
        assert any(f.kind == "try" for f in poor.feedback)
        row, good = curriculum.submit_exercise(
            s, agent, MODULE, ex.id, "  " + ex.model_answer, analyzer=analyzer
        )
        assert (
            good.passed
            and row.answer == ex.model_answer
            and row.grade["model_answer"] == ex.model_answer
        )
        assert curriculum.stored_grade(row) == good
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        best = curriculum.best_results(s, agent, MODULE)
        assert best[ex.id] == curriculum.BestResult(good.score, True, 2)
        report = curriculum.progress_of(s, agent)
        intro = next(m for m in report.modules if m.module == MODULE)
        assert intro.passed == 1 and intro.attempts == 2 and not intro.completed
        assert intro.completion == pytest.approx(1 / len(get_module(MODULE).exercises))
        # another user's attempts are theirs alone
        assert curriculum.best_results(s, user_by_email(s, "ob@x.io"), MODULE) == {}
        last = curriculum.last_attempt(s, agent, MODULE, ex.id)
        assert last is not None and last.passed and last.answer == ex.model_answer
        assert curriculum.last_attempt(s, agent, MODULE, "name-the-feeling-hold") is None


def test_choice_exercises_take_numbers_and_emotion_words(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        _, bias = curriculum.submit_exercise(
            s, agent, MODULE, "spot-the-brush-off", "2, 4", analyzer=analyzer
        )
        assert bias.passed and bias.score == 100
        _, half = curriculum.submit_exercise(
            s, agent, MODULE, "spot-the-brush-off", "2", analyzer=analyzer
        )
        assert not half.passed and 0 < half.score < 100
        _, emotion = curriculum.submit_exercise(
            s, agent, MODULE, "name-the-feeling-hold", "frustration", analyzer=analyzer
        )
        assert emotion.passed


@sqlite_only
def test_bad_answers_and_unknown_ids_are_refused(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        with pytest.raises(InvalidInputError, match="write your answer"):
            curriculum.submit_exercise(
                s, agent, MODULE, "spot-the-brush-off", "   ", analyzer=analyzer
            )
        with pytest.raises(InvalidInputError, match="sentence numbers"):
            curriculum.submit_exercise(
                s, agent, MODULE, "spot-the-brush-off", "9", analyzer=analyzer
            )
        with pytest.raises(InvalidInputError, match="keep it under"):
            curriculum.submit_exercise(
                s, agent, MODULE, "acknowledge-then-act", "x" * 5000, analyzer=analyzer
            )
        with pytest.raises(NotFoundError, match="active-listening"):
            curriculum.submit_exercise(s, agent, "no-such-module", "x", "hi", analyzer=analyzer)
        with pytest.raises(NotFoundError, match="name-the-feeling-hold"):
            curriculum.submit_exercise(s, agent, MODULE, "nope", "hi", analyzer=analyzer)
        # an assessment item is not an exercise to practise on
        with pytest.raises(NotFoundError):
            curriculum.submit_exercise(
                s, agent, MODULE, "pre-name-emotion", "confused", analyzer=analyzer
            )
        with pytest.raises(NotFoundError, match="pre and a post"):
            curriculum.submit_assessment(s, agent, "middle", {"x": "y"}, analyzer=analyzer)
        with pytest.raises(InvalidInputError, match="at least one"):
            curriculum.submit_assessment(
                s, agent, "pre", {"pre-name-emotion": " "}, analyzer=analyzer
            )
        with pytest.raises(InvalidInputError, match="pre-assessment item"):
            curriculum.submit_assessment(
                s, agent, "pre", {"post-name-emotion": "sad"}, analyzer=analyzer
            )
        assert s.scalars(select(CurriculumAttempt)).all() == []


def test_pre_and_post_assessments_give_a_delta_per_skill(db: Database, analyzer: Analyzer) -> None:
    pre = assessment_items("pre")
    post = assessment_items("post")
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        # pre: only the first item right, the rest poor
        answers = {
            e.id: (e.model_answer if i == 0 else e.poor_example) for i, (_, e) in enumerate(pre)
        }
        result = curriculum.submit_assessment(s, agent, "pre", answers, analyzer=analyzer)
        assert result.summary.passed == 1 and result.summary.percentage == round(100 / len(pre))
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        result = curriculum.submit_assessment(
            s, agent, "post", {e.id: e.model_answer for _, e in post}, analyzer=analyzer
        )
        assert result.summary.percentage == 100
    with db.session() as s:
        agent = user_by_email(s, "ag@x.io")
        latest = curriculum.latest_assessment(s, agent, "post")
        assert set(latest) == {e.id for _, e in post} and all(
            r.phase == "post" for r in latest.values()
        )
        report = curriculum.progress_of(s, agent)
        assert report.pre.percentage == round(100 / len(pre)) and report.post.percentage == 100
        assert report.delta == 100 - round(100 / len(pre))
        deltas = report.skill_deltas()
        assert deltas and all(v >= 0 for v in deltas.values())
        # assessment items do not count as module exercises
        assert all(m.attempts == 0 for m in report.modules)


def test_assignment_status_follows_the_attempts(db: Database, analyzer: Analyzer) -> None:
    today = date.today()
    with db.session() as s:
        coach = user_by_email(s, "co@x.io")
        curriculum.assign(
            s,
            coach,
            module_id=MODULE,
            agent_email="AG@x.io",
            due=today + timedelta(days=7),
            note=" by Friday ",
        )
        curriculum.assign(
            s,
            coach,
            module_id="personalisation",
            agent_email="ag@x.io",
            due=today - timedelta(days=1),
        )
    with db.session() as s:
        views = curriculum.assignments(s, user_by_email(s, "ag@x.io"))
        assert [v.assignment.module_id for v in views] == ["personalisation", MODULE]
        assert [v.status.status for v in views] == ["overdue", "not_started"]
        assert (
            views[1].assignment.note == "by Friday" and views[1].title == "Introduction to empathy"
        )
        first = get_module(MODULE).exercises[0]
        curriculum.submit_exercise(
            s, user_by_email(s, "ag@x.io"), MODULE, first.id, first.model_answer, analyzer=analyzer
        )
    with db.session() as s:
        view = curriculum.assignments(s, user_by_email(s, "ag@x.io"))[1]
        assert view.status.status == "in_progress" and 0 < view.status.completion < 1
    _pass_module(db, analyzer, "ag@x.io")
    with db.session() as s:
        view = curriculum.assignments(s, user_by_email(s, "co@x.io"))[1]
        assert (
            view.status.status == "completed"
            and view.status.completion == 1
            and not view.status.late
        )
        # judged later than the due date, a completed assignment stays completed
        later = curriculum.assignments(
            s, user_by_email(s, "co@x.io"), today=today + timedelta(days=30)
        )[1]
        assert later.status.status == "completed"
        assert curriculum.assignments(s, user_by_email(s, "cb@x.io")) == []
        assert len(curriculum.assignments(s, user_by_email(s, "ad@x.io"))) == 2


def test_who_may_assign_and_follow_whom(db: Database, analyzer: Analyzer) -> None:
    due = date.today() + timedelta(days=3)
    with db.session() as s:
        coach, other, agent = (
            user_by_email(s, "co@x.io"),
            user_by_email(s, "cb@x.io"),
            user_by_email(s, "ag@x.io"),
        )
        with pytest.raises(ForbiddenError, match="not in one of your teams"):
            curriculum.assign(s, other, module_id=MODULE, agent_email="ag@x.io", due=due)
        with pytest.raises(ForbiddenError):
            curriculum.assign(s, agent, module_id=MODULE, agent_email="ag@x.io", due=due)
        with pytest.raises(InvalidInputError, match="no agent"):
            curriculum.assign(s, coach, module_id=MODULE, agent_email="co@x.io", due=due)
        with pytest.raises(InvalidInputError, match="unknown module"):
            curriculum.assign(s, coach, module_id="nope", agent_email="ag@x.io", due=due)
        curriculum.assign(
            s, user_by_email(s, "ad@x.io"), module_id=MODULE, agent_email="ob@x.io", due=due
        )
        with pytest.raises(ForbiddenError):
            curriculum.team_progress(s, agent)
    _pass_module(db, analyzer, "ag@x.io")
    with db.session() as s:
        mine = curriculum.team_progress(s, user_by_email(s, "co@x.io"))
        assert [r.agent.email for r in mine] == ["ag@x.io"]
        intro = next(m for m in mine[0].progress.modules if m.module == MODULE)
        assert intro.completed
        assert [
            r.agent.email for r in curriculum.team_progress(s, user_by_email(s, "cb@x.io"))
        ] == ["ob@x.io"]
        everyone = curriculum.team_progress(s, user_by_email(s, "ad@x.io"))
        assert [r.agent.email for r in everyone] == ["ag@x.io", "ob@x.io"]
        assert not any(m.attempts for m in everyone[1].progress.modules)
