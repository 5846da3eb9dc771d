"""The REST API of the feedback loop under /api/v1: survey links, answers, templates, follow-ups.

A survey link's URL holds its secret, which is stored only as a hash: the response to
``POST /conversations/{id}/survey`` is the one place it appears (making another revokes it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from warmline.store import followups, survey_templates, surveys
from warmline.store.errors import InvalidInputError
from warmline.web.deps import Ctx, CurrentUser, Db

surveys_router = APIRouter(prefix="/api/v1", tags=["surveys"])
followups_router = APIRouter(prefix="/api/v1", tags=["followups"])


class SurveyLinkIn(BaseModel):
    """Which template to ask (default: the built-in one) and how long the link stays open."""

    model_config = ConfigDict(extra="forbid")
    template_id: int | None = None
    days: int | None = Field(default=None, ge=1, le=365)


class SurveyLinkOut(BaseModel):
    """A new survey link: send ``url`` to the customer; it is not shown again."""

    conversation_id: str
    url: str
    template: str
    expires_at: datetime
    revoked_links: int


class SurveyAnswerPair(BaseModel):
    """One question as the customer saw it, and their answer in words."""

    question: str
    answer: str


class SurveyAnswerOut(BaseModel):
    """A customer's answers; the comment is redacted, its emotions read by the engine."""

    id: int
    conversation_id: str
    agent_id: str | None
    csat: int | None
    csat_label: str
    solved: bool | None
    comment: str
    comment_emotion: str | None
    comment_intensity: int | None
    comment_valence: float | None
    answers: list[SurveyAnswerPair]
    template: str
    answered_at: datetime


class SurveyAnswerList(BaseModel):
    """Answers in scope, newest first."""

    items: list[SurveyAnswerOut]


class QuestionOut(BaseModel):
    """A template question (see docs/webapp.md for the fields)."""

    key: str
    kind: Literal["scale", "yes_no", "text"]
    text: str
    required: bool
    feeds: Literal["csat", "fcr", "comment"] | None = None
    labels: list[str] | None = None


class TemplateIn(BaseModel):
    """A new template: a name and its ordered questions (checked with clear errors)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    questions: list[dict[str, Any]]


class TemplateOut(BaseModel):
    """A survey template; ``id`` is null for the built-in default."""

    id: int | None
    name: str
    builtin: bool
    questions: list[QuestionOut]
    created_at: datetime | None


@surveys_router.post(
    "/conversations/{conversation_id}/survey",
    response_model=SurveyLinkOut,
    status_code=status.HTTP_201_CREATED,
)
def create_survey_link(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    conversation_id: str,
    body: Annotated[SurveyLinkIn | None, Body()] = None,
) -> SurveyLinkOut:
    """Make a single-use survey link for the conversation (coaches and admins); returns its
    URL once. An unanswered older link of the conversation is revoked."""
    body = body or SurveyLinkIn()
    issued = surveys.create_survey(
        session,
        user,
        conversation_id,
        template_id=body.template_id,
        days=body.days or ctx.settings.survey_days,
    )
    return SurveyLinkOut(
        conversation_id=conversation_id,
        url=survey_url(request, issued.token),
        template=issued.survey.template_name,
        expires_at=issued.survey.expires_at,
        revoked_links=issued.revoked,
    )


def survey_url(request: Request, token: str) -> str:
    """The public address of a survey link."""
    return f"{str(request.base_url).rstrip('/')}/s/{token}"


@surveys_router.get("/surveys", response_model=SurveyAnswerList)
def list_survey_answers(
    session: Db,
    user: CurrentUser,
    agent_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SurveyAnswerList:
    """Survey answers about conversations you may see (agents: their own), newest first;
    ``since``/``until`` (YYYY-MM-DD, both included) filter by the day of the answer."""
    if since and until and since > until:
        raise InvalidInputError(f"since ({since}) is after until ({until}); swap the dates")
    answers = surveys.list_answers(
        session,
        user,
        agent_id=agent_id,
        since=datetime.combine(since, time.min, UTC) if since else None,
        until=datetime.combine(until, time.max, UTC) if until else None,
        limit=limit,
    )
    return SurveyAnswerList(items=[SurveyAnswerOut.model_validate(a.to_dict()) for a in answers])


@surveys_router.get("/survey-templates", response_model=list[TemplateOut])
def list_templates(session: Db, user: CurrentUser) -> list[TemplateOut]:
    """The built-in template, then the stored ones (coaches and admins)."""
    return [
        TemplateOut.model_validate(t.to_dict())
        for t in survey_templates.list_templates(session, user)
    ]


@surveys_router.post(
    "/survey-templates", response_model=TemplateOut, status_code=status.HTTP_201_CREATED
)
def create_template(session: Db, user: CurrentUser, body: TemplateIn) -> TemplateOut:
    """Add a survey template (admins): exactly one scale question must ``feeds: csat``."""
    made = survey_templates.create_template(session, user, name=body.name, questions=body.questions)
    return TemplateOut.model_validate(made.to_dict())


# ----------------------------------------------------------------- follow-ups


class FollowUpOut(BaseModel):
    """A follow-up task."""

    id: int
    conversation_id: str
    agent_id: str | None
    customer_name: str | None
    reason: str
    due_at: datetime
    status: Literal["open", "done", "skipped"]
    overdue: bool
    due_soon: bool
    note: str
    closed_at: datetime | None
    created_at: datetime


class AgentStatsOut(BaseModel):
    """One agent's tasks by state (open includes overdue)."""

    agent_id: str
    open: int
    overdue: int
    done: int
    skipped: int


class FollowUpListOut(BaseModel):
    """Open tasks by due date (overdue first), closed ones newest first, and stats per agent."""

    open: list[FollowUpOut]
    closed: list[FollowUpOut]
    stats: list[AgentStatsOut]


class DoneIn(BaseModel):
    """An optional note on what was done."""

    model_config = ConfigDict(extra="forbid")
    note: str = ""


class SkipIn(BaseModel):
    """Why the follow-up is skipped (required)."""

    model_config = ConfigDict(extra="forbid")
    reason: str


def _task_out(view: followups.FollowUpView) -> FollowUpOut:
    return FollowUpOut.model_validate(view.to_dict())


@followups_router.get("/followups", response_model=FollowUpListOut)
def list_followups(
    session: Db,
    user: CurrentUser,
    agent_id: str | None = None,
    status: Literal["open", "done", "skipped"] | None = None,
) -> FollowUpListOut:
    """Follow-ups you may see: agents their own, coaches their teams', admins all."""
    found = followups.list_followups(session, user, agent_id=agent_id, status=status)
    return FollowUpListOut(
        open=[_task_out(v) for v in found.open],
        closed=[_task_out(v) for v in found.closed],
        stats=[AgentStatsOut.model_validate(s, from_attributes=True) for s in found.stats],
    )


@followups_router.post("/followups/{task_id}/done", response_model=FollowUpOut)
def mark_done(
    session: Db, user: CurrentUser, task_id: int, body: Annotated[DoneIn | None, Body()] = None
) -> FollowUpOut:
    """Mark your follow-up done, with an optional note."""
    followups.complete(session, user, task_id, note=(body or DoneIn()).note)
    return _one(session, user, task_id)


@followups_router.post("/followups/{task_id}/skip", response_model=FollowUpOut)
def mark_skipped(session: Db, user: CurrentUser, task_id: int, body: SkipIn) -> FollowUpOut:
    """Skip your follow-up; the reason is required."""
    followups.skip(session, user, task_id, reason_text=body.reason)
    return _one(session, user, task_id)


def _one(session: Db, user: CurrentUser, task_id: int) -> FollowUpOut:
    return _task_out(followups.get_followup(session, user, task_id))


router = APIRouter()
router.include_router(surveys_router)
router.include_router(followups_router)

__all__ = ["router", "survey_url"]
