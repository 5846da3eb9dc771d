"""Customer surveys: single-use links per conversation, the answers, and where they flow.

A coach or admin makes a link for a conversation they may see. The link's secret is shown
once; only its SHA-256 hash is stored, so a lost link cannot be shown again: making a new one
revokes the old (a conversation whose customer already answered gets no new link). A link
works until it is answered, revoked or expired (``Settings.survey_days``, 30 by default).

On submit the answers are checked against the questions the link was made with, every text
answer is PII-redacted, and the comment is read by the engine like a customer turn (its
emotions are stored with the answer). CSAT and the solved question flow into the
conversation's KPI row (:class:`ConversationKpi`) under this rule: **an imported figure wins**.
A row from another source keeps every value it has; the survey fills only the empty ones. A
row that came from a survey (source ``survey``) takes the newer answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Update, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store.access import conversation_filter, require_role
from warmline.store.conversations import ConversationFilter, apply_filter, get_conversation
from warmline.store.errors import ConflictError, InvalidInputError, NotFoundError
from warmline.store.feedback_tables import Survey, SurveyAnswer
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.survey_templates import get_template
from warmline.store.tables import Conversation, User, utcnow

#: Days a link stays open unless the deployment or the caller says otherwise.
DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 365
#: The longest answer to a text question, in characters.
MAX_ANSWER: Final = 2000
#: The ``source`` of KPI rows a survey created.
KPI_SOURCE: Final = "survey"


class SurveyUnavailable(NotFoundError):
    """No open survey behind this link: unknown, expired or revoked (the page says no more)."""


class SurveyAnswered(ConflictError):
    """This link was already used; ``answered_at`` says when."""

    def __init__(self, answered_at: datetime | None) -> None:
        self.answered_at = answered_at
        super().__init__("this survey was already answered")


class AnswerError(InvalidInputError):
    """One answer is missing or malformed; ``key`` names its question."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


def token_hash(token: str) -> str:
    """The stored form of a link's secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedSurvey:
    """A new link: the secret (shown once), its row, and the links it revoked."""

    token: str
    survey: Survey
    revoked: int


def create_survey(
    session: Session,
    user: User,
    external_id: str,
    *,
    template_id: int | None = None,
    days: int = DEFAULT_DAYS,
) -> IssuedSurvey:
    """Make a survey link for a conversation (coaches and admins, within their scope)."""
    require_role(user, "admin", "coach")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInputError(f"days: a link stays open 1 to {MAX_DAYS} days (got {days})")
    conv = get_conversation(session, user, external_id)
    template = get_template(session, template_id)
    answered = session.scalar(
        select(Survey.answered_at).where(
            Survey.conversation_id == conv.id, Survey.answered_at.is_not(None)
        )
    )
    if answered is not None:
        raise ConflictError(
            f"the customer of {external_id!r} already answered a survey on "
            f"{answered:%Y-%m-%d}; one answer per conversation"
        )
    now = utcnow()
    revoked = _changed(
        session,
        update(Survey)
        .where(Survey.conversation_id == conv.id, Survey.revoked_at.is_(None))
        .values(revoked_at=now),
    )
    token = secrets.token_urlsafe(32)
    survey = Survey(
        conversation_id=conv.id,
        token_hash=token_hash(token),
        template_id=template.id,
        template_name=template.name,
        questions=template.questions,
        created_by=user.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(survey)
    session.flush()
    return IssuedSurvey(token, survey, revoked)


def _changed(session: Session, stmt: Update) -> int:
    """Run an UPDATE; how many rows it changed."""
    result = cast(CursorResult[Any], session.execute(stmt))
    return int(result.rowcount or 0)


def open_survey(session: Session, token: str) -> Survey:
    """The open survey behind *token*; :class:`SurveyAnswered` or :class:`SurveyUnavailable`."""
    survey = session.scalar(select(Survey).where(Survey.token_hash == token_hash(token)))
    if survey is None or survey.revoked_at is not None:
        raise SurveyUnavailable("no open survey here")
    if survey.answered_at is not None:
        raise SurveyAnswered(survey.answered_at)
    if survey.expires_at <= utcnow():
        raise SurveyUnavailable("no open survey here")
    return survey


def submit_survey(
    session: Session,
    token: str,
    form: Mapping[str, str],
    *,
    analyzer: Analyzer,
    redactor: Redactor,
) -> SurveyAnswer:
    """Check and store a customer's answers once; CSAT and FCR flow into the KPI row."""
    survey = open_survey(session, token)
    answers, redactions = _check_answers(survey.questions, form, redactor)
    claimed = _changed(
        session,
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None), Survey.revoked_at.is_(None))
        .values(answered_at=utcnow()),
    )
    if not claimed:  # another submit won the race
        raise SurveyAnswered(utcnow())
    feeds = {q["feeds"]: q["key"] for q in survey.questions if "feeds" in q}
    comment = str(answers.get(feeds.get("comment", ""), "") or "")
    row = SurveyAnswer(
        survey_id=survey.id,
        conversation_id=survey.conversation_id,
        answers=answers,
        csat=answers.get(feeds.get("csat", "")),
        solved=answers.get(feeds.get("fcr", "")),
        comment=comment,
        comment_redactions=redactions,
    )
    _read_comment(row, comment, analyzer)
    session.add(row)
    _feed_kpis(session, survey.conversation_id, row.csat, row.solved)
    session.flush()
    return row


def _check_answers(
    questions: list[dict[str, Any]], form: Mapping[str, str], redactor: Redactor
) -> tuple[dict[str, Any], int]:
    answers: dict[str, Any] = {}
    redactions = 0
    for q in questions:
        raw = (form.get(q["key"]) or "").strip()
        if not raw:
            if q.get("required"):
                raise AnswerError(q["key"], "please choose an answer")
            answers[q["key"]] = None
            continue
        if q["kind"] == "scale":
            if raw not in {"1", "2", "3", "4", "5"}:
                raise AnswerError(q["key"], "pick one of 1 to 5")
            answers[q["key"]] = int(raw)
        elif q["kind"] == "yes_no":
            if raw not in ("yes", "no"):
                raise AnswerError(q["key"], "pick yes or no")
            answers[q["key"]] = raw == "yes"
        else:
            if len(raw) > MAX_ANSWER:
                raise AnswerError(q["key"], f"at most {MAX_ANSWER} characters, please")
            result = redactor.redact(raw)
            answers[q["key"]] = result.text
            redactions += len(result.found)
    return answers, redactions


def _read_comment(row: SurveyAnswer, comment: str, analyzer: Analyzer) -> None:
    """Store the engine's reading of the comment as a customer turn."""
    if not comment.strip():
        row.comment_emotions = []
        return
    analysis = analyzer.analyze(
        {"id": "survey-comment", "turns": [{"speaker": "customer", "text": comment}]}
    )
    state = analysis.turns[0].customer
    if state is None:
        row.comment_emotions = []
        return
    row.comment_emotions = [
        {"label": e.label, "score": round(e.score, 3), "intensity": e.intensity}
        for e in state.emotions
    ]
    top = state.top
    row.comment_emotion = top.label if top is not None else None
    row.comment_intensity = top.intensity if top is not None else None
    row.comment_valence = state.valence


def _feed_kpis(
    session: Session, conversation_id: int, csat: int | None, solved: bool | None
) -> None:
    if csat is None and solved is None:
        return
    row = session.scalar(
        select(ConversationKpi).where(ConversationKpi.conversation_id == conversation_id)
    )
    now = utcnow()
    if row is None:
        row = ConversationKpi(conversation_id=conversation_id, source=KPI_SOURCE, created_at=now)
        session.add(row)
    ours = row.source == KPI_SOURCE
    if csat is not None and (ours or row.csat is None):
        row.csat = csat
    if solved is not None and (ours or row.fcr is None):
        row.fcr = solved
    row.updated_at = now


# ----------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class AnswerView:
    """One stored answer as pages and the API show it."""

    id: int
    conversation: str
    agent_id: str | None
    csat: int | None
    csat_label: str
    solved: bool | None
    comment: str
    emotion: str | None
    intensity: int | None
    valence: float | None
    questions: list[tuple[str, str]]
    template: str
    answered_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "conversation_id": self.conversation,
            "agent_id": self.agent_id,
            "csat": self.csat,
            "csat_label": self.csat_label,
            "solved": self.solved,
            "comment": self.comment,
            "comment_emotion": self.emotion,
            "comment_intensity": self.intensity,
            "comment_valence": self.valence,
            "answers": [{"question": q, "answer": a} for q, a in self.questions],
            "template": self.template,
            "answered_at": self.answered_at.isoformat(),
        }


def _display(q: dict[str, Any], value: Any) -> str:
    if value is None:
        return "—"
    if q["kind"] == "scale":
        return f"{value} · {q['labels'][int(value) - 1]}"
    if q["kind"] == "yes_no":
        return "Yes" if value else "No"
    return str(value)


def _view(answer: SurveyAnswer, survey: Survey, conv: Conversation) -> AnswerView:
    questions = survey.questions
    csat_q = next((q for q in questions if q.get("feeds") == "csat"), None)
    csat_label = csat_q["labels"][answer.csat - 1] if csat_q is not None and answer.csat else ""
    return AnswerView(
        id=answer.id,
        conversation=conv.external_id,
        agent_id=conv.agent_id,
        csat=answer.csat,
        csat_label=csat_label,
        solved=answer.solved,
        comment=answer.comment,
        emotion=answer.comment_emotion,
        intensity=answer.comment_intensity,
        valence=answer.comment_valence,
        questions=[(q["text"], _display(q, answer.answers.get(q["key"]))) for q in questions],
        template=survey.template_name,
        answered_at=answer.created_at,
    )


def list_answers(
    session: Session,
    user: User,
    *,
    agent_id: str | None = None,
    team_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[AnswerView]:
    """Answers about conversations *user* may see, newest first."""
    stmt = (
        select(SurveyAnswer, Survey, Conversation)
        .join(Survey, Survey.id == SurveyAnswer.survey_id)
        .join(Conversation, Conversation.id == SurveyAnswer.conversation_id)
        .where(conversation_filter(session, user))
    )
    if agent_id:
        stmt = stmt.where(Conversation.agent_id == agent_id)
    if team_id is not None:
        stmt = stmt.where(Conversation.team_id == team_id)
    if since is not None:
        stmt = stmt.where(SurveyAnswer.created_at >= since)
    if until is not None:
        stmt = stmt.where(SurveyAnswer.created_at <= until)
    stmt = stmt.order_by(SurveyAnswer.created_at.desc(), SurveyAnswer.id.desc()).limit(limit)
    return [_view(a, s, c) for a, s, c in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class CsatSummary:
    """How many survey answers carry a CSAT, and their mean (None when there are none)."""

    answers: int
    mean: float | None


def csat_summary(session: Session, user: User, flt: ConversationFilter) -> CsatSummary:
    """Survey CSAT over the conversations *user* may see that match *flt*."""
    stmt = apply_filter(
        select(func.count(SurveyAnswer.csat), func.avg(SurveyAnswer.csat))
        .join(Conversation, Conversation.id == SurveyAnswer.conversation_id)
        .where(conversation_filter(session, user)),
        flt,
    )
    count, mean = session.execute(stmt).one()
    return CsatSummary(int(count or 0), round(float(mean), 1) if mean is not None else None)


@dataclass(frozen=True, slots=True)
class SurveyStatus:
    """The newest link of a conversation, for its page."""

    created_at: datetime
    expires_at: datetime
    state: str  # "open", "answered", "expired" or "revoked"
    answer: AnswerView | None


def survey_status(session: Session, user: User, conv: Conversation) -> SurveyStatus | None:
    """The state of *conv*'s newest survey link (None when it has none)."""
    survey = session.scalar(
        select(Survey)
        .where(Survey.conversation_id == conv.id)
        .order_by(Survey.created_at.desc(), Survey.id.desc())
        .limit(1)
    )
    if survey is None:
        return None
    answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id))
    if answer is not None:
        state = "answered"
    elif survey.revoked_at is not None:
        state = "revoked"
    elif survey.expires_at <= utcnow():
        state = "expired"
    else:
        state = "open"
    view = _view(answer, survey, conv) if answer is not None else None
    return SurveyStatus(survey.created_at, survey.expires_at, state, view)


__all__ = [
    "DEFAULT_DAYS",
    "KPI_SOURCE",
    "MAX_ANSWER",
    "AnswerError",
    "AnswerView",
    "CsatSummary",
    "IssuedSurvey",
    "SurveyAnswered",
    "SurveyStatus",
    "SurveyUnavailable",
    "create_survey",
    "csat_summary",
    "list_answers",
    "open_survey",
    "submit_survey",
    "survey_status",
    "token_hash",
]
