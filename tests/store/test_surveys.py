"""Survey links, answers and templates on a real SQLite file and a real PostgreSQL server:
single use, expiry, revocation, scope, the KPI rule, the comment read by the engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.store.people import add_people, user_by_email
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store import survey_templates, surveys
from warmline.store.conversations import ConversationFilter, ImportOptions, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError
from warmline.store.feedback_tables import Survey, SurveyAnswer
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.kpis import import_kpis, records_from_json
from warmline.store.tables import Conversation, utcnow

ANSWER = {"csat": "2", "solved": "no", "comment": "Still waiting for my refund, really disappointed. Call me on 020 7946 0958."}


def _record(cid: str, agent: str) -> dict[str, object]:
    return {
        "id": cid,
        "agent_id": agent,
        "turns": [
            {"speaker": "customer", "text": "Where is my refund?"},
            {"speaker": "agent", "text": "I've sent it today; it shows in 3 days."},
        ],
    }


@pytest.fixture
def db(database_url: str, analyzer: Analyzer) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
        records = [_record("c-a1", "a1"), _record("c-a2", "a2"), _record("c-a3", "a3")]
        import_conversations(s, records, analyzer=analyzer, options=ImportOptions(redactor=Redactor()))
    yield database
    database.dispose()


def _submit(db: Database, analyzer: Analyzer, token: str, form: dict[str, str] | None = None) -> SurveyAnswer:
    with db.session() as s:
        return surveys.submit_survey(s, token, form or ANSWER, analyzer=analyzer, redactor=Redactor())


def test_a_link_is_single_use_and_its_answer_flows_into_the_kpis(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        issued = surveys.create_survey(s, user_by_email(s, "coach@x.io"), "c-a1")
        stored = s.get(Survey, issued.survey.id)
        assert stored is not None and stored.token_hash == surveys.token_hash(issued.token)
        assert issued.token not in stored.token_hash and len(issued.token) >= 40
        assert stored.expires_at - stored.created_at == timedelta(days=surveys.DEFAULT_DAYS)
    answer = _submit(db, analyzer, issued.token)
    assert answer.csat == 2 and answer.solved is False
    assert "020 7946 0958" not in answer.comment and "[phone]" in answer.comment
    assert answer.comment_redactions == 1
    assert answer.comment_emotion == "disappointment" and (answer.comment_valence or 0) < 0
    with pytest.raises(surveys.SurveyAnswered):
        _submit(db, analyzer, issued.token)
    with db.session() as s:
        kpi = s.scalars(select(ConversationKpi)).one()
        assert (kpi.csat, kpi.fcr, kpi.source) == (2, False, "survey")
        with pytest.raises(ConflictError, match="already answered"):
            surveys.create_survey(s, user_by_email(s, "admin@x.io"), "c-a1")


def test_unknown_expired_and_revoked_links_are_unavailable(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        coach = user_by_email(s, "coach@x.io")
        old = surveys.create_survey(s, coach, "c-a2", days=5)
        new = surveys.create_survey(s, coach, "c-a2")
        assert new.revoked == 1
    with pytest.raises(surveys.SurveyUnavailable):
        _submit(db, analyzer, old.token)  # revoked by the new one
    with pytest.raises(surveys.SurveyUnavailable):
        _submit(db, analyzer, "not-a-real-token")
    with db.session() as s:
        s.execute(update(Survey).where(Survey.id == new.survey.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(surveys.SurveyUnavailable):
        _submit(db, analyzer, new.token)
    with db.session() as s:
        with pytest.raises(InvalidInputError, match="1 to 365"):
            surveys.create_survey(s, user_by_email(s, "coach@x.io"), "c-a2", days=0)
        status = surveys.survey_status(s, user_by_email(s, "coach@x.io"), _conv(s, "c-a2"))
        assert status is not None and status.state == "expired"


def _conv(s: Session, ext: str) -> Conversation:
    return s.scalars(select(Conversation).where(Conversation.external_id == ext)).one()


def test_answers_are_checked_and_a_bad_one_leaves_the_link_open(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        token = surveys.create_survey(s, user_by_email(s, "admin@x.io"), "c-a1").token
    with pytest.raises(surveys.AnswerError, match="csat: please choose") as caught:
        _submit(db, analyzer, token, {"comment": "hi"})
    assert caught.value.key == "csat"
    with pytest.raises(surveys.AnswerError, match="1 to 5"):
        _submit(db, analyzer, token, {"csat": "7"})
    with pytest.raises(surveys.AnswerError, match="yes or no"):
        _submit(db, analyzer, token, {"csat": "4", "solved": "maybe"})
    answer = _submit(db, analyzer, token, {"csat": "5"})  # the rest is optional
    assert answer.comment == "" and answer.comment_emotion is None and answer.solved is None


def test_scope_agents_cannot_make_links_coaches_only_for_their_teams(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        with pytest.raises(ForbiddenError):
            surveys.create_survey(s, user_by_email(s, "a1@x.io"), "c-a1")
        with pytest.raises(ForbiddenError):
            surveys.create_survey(s, user_by_email(s, "coach_b@x.io"), "c-a1")
        tokens = {c: surveys.create_survey(s, user_by_email(s, "admin@x.io"), c).token for c in ("c-a1", "c-a2", "c-a3")}
    for token in tokens.values():
        _submit(db, analyzer, token)
    with db.session() as s:
        def seen(email: str, agent_id: str | None = None) -> list[str]:
            answers = surveys.list_answers(s, user_by_email(s, email), agent_id=agent_id)
            return sorted(a.conversation for a in answers)

        assert seen("a1@x.io") == ["c-a1"]
        assert seen("a1@x.io", agent_id="a2") == []  # an agent never sees another's answers
        assert seen("coach@x.io") == ["c-a1", "c-a2"]
        assert seen("coach_b@x.io") == ["c-a3"]
        assert seen("coach_b@x.io", agent_id="a1") == []
        assert seen("admin@x.io") == ["c-a1", "c-a2", "c-a3"]
        summary = surveys.csat_summary(s, user_by_email(s, "coach@x.io"), ConversationFilter())
        assert (summary.answers, summary.mean) == (2, 2.0)
        assert surveys.csat_summary(s, user_by_email(s, "a3@x.io"), ConversationFilter(agent_id="a1")).answers == 0
        view = surveys.list_answers(s, user_by_email(s, "a1@x.io"))[0]
        assert view.csat_label == "Unhappy" and ("Was your problem solved?", "No") in view.questions


def test_an_imported_csat_wins_over_the_survey(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        admin = user_by_email(s, "admin@x.io")
        import_kpis(s, admin, records_from_json([{"conversation_id": "c-a3", "csat": 4}]), source="crm.csv")
        token = surveys.create_survey(s, admin, "c-a3").token
    _submit(db, analyzer, token)  # CSAT 2, not solved
    with db.session() as s:
        kpi = s.scalars(select(ConversationKpi)).one()
        assert (kpi.csat, kpi.fcr, kpi.source) == (4, False, "crm.csv")  # kept 4, filled fcr


def test_templates_are_checked_with_clear_errors(db: Database, analyzer: Analyzer) -> None:
    default = survey_templates.default_template()
    assert [q["feeds"] for q in default.questions] == ["csat", "fcr", "comment"]
    good = [
        {"key": "how", "kind": "scale", "feeds": "csat", "text": "How was it?"},
        {"key": "again", "kind": "yes_no", "text": "Would you contact us again?"},
        {"key": "words", "kind": "text", "feeds": "comment", "text": "Tell us more"},
    ]
    bad = [
        ([], "non-empty list"),
        ([{**good[0], "kind": "stars"}], r"questions\[0\].kind: expected one of"),
        ([good[0], {**good[1], "key": "how"}], r"questions\[1\].key: 'how' is used twice"),
        ([good[1]], "feeds: csat"),
        ([good[0], {**good[1], "feeds": "csat"}], r"questions\[1\].feeds: 'csat' needs a scale"),
        ([{**good[0], "labels": ["a", "b"]}], "five words"),
        ([good[0], {**good[2], "colour": "red"}], "unknown field 'colour'"),
        ([{**good[0], "key": "How Much"}], "lower-case"),
    ]
    with db.session() as s:
        admin, coach = user_by_email(s, "admin@x.io"), user_by_email(s, "coach@x.io")
        for questions, message in bad:
            with pytest.raises(InvalidInputError, match=message):
                survey_templates.create_template(s, admin, name="T", questions=questions)
        with pytest.raises(ForbiddenError):
            survey_templates.create_template(s, coach, name="T", questions=good)
        made = survey_templates.create_template(s, admin, name="After a refund", questions=good)
        assert made.questions[0]["labels"] == list(survey_templates.default_scale_labels())
        with pytest.raises(ConflictError):
            survey_templates.create_template(s, admin, name="After a refund", questions=good)
        assert [t.name for t in survey_templates.list_templates(s, coach)] == [default.name, "After a refund"]
        token = surveys.create_survey(s, coach, "c-a1", template_id=made.id).token
    answer = _submit(db, analyzer, token, {"how": "4", "again": "yes", "words": "Lovely, thanks!"})
    assert answer.csat == 4 and answer.solved is None  # this template feeds no FCR
    assert answer.comment_emotion in ("gratitude", "joy")
