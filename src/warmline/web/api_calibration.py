"""The REST API of calibration sessions and rubric versions under /api/v1.

Calibration: a coach or admin opens a session on a conversation and invites reviewers; each
reviewer PUTs their answers (a draft, or final with ``submit``); the owner closes it; then
everyone in it reads the agreement figures. While a session is open the API returns no one's
answers but the caller's own, and neither the engine's findings nor its score.

Rubrics: every version of the scoring weights; admins publish a new one as JSON
(``{"weights": {...}, "note": "..."}``) or as a YAML body (``Content-Type: application/yaml``,
the note in ``?note=``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, Field

from warmline.store import calibration as cal
from warmline.store import rubrics
from warmline.store.calibration_tables import CalibrationSession, Rubric
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.web.deps import Ctx, CurrentUser, Db

router = APIRouter(prefix="/api/v1")

#: A session id or rubric version in a path: a positive database integer.
Id = Annotated[int, Path(ge=1, lt=2**31)]


class CalibrationIn(BaseModel):
    """A new session: the conversation, the reviewers' emails (two or more), a note."""

    conversation_id: str = Field(min_length=1, max_length=200)
    reviewers: list[str] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=cal.MAX_NOTE)


class TurnAnswerIn(BaseModel):
    """One staff turn: its index (0-based), the behaviour ids present, a 0-100 score."""

    turn: int = Field(ge=0, lt=100_000)
    labels: list[str] = Field(default_factory=list, max_length=60)
    score: int | None = Field(default=None, ge=0, le=100)


class AnswersIn(BaseModel):
    """A reviewer's answers; ``submit`` makes them final (every staff turn needs a score)."""

    turns: list[TurnAnswerIn] = Field(max_length=1000)
    submit: bool = False


class CalibrationSummary(BaseModel):
    """One session in a list."""

    id: int
    conversation_id: str
    status: str
    owner: str
    note: str
    rubric_version: int
    created_at: datetime
    closed_at: datetime | None
    reviewers: int
    submitted: int
    i_review: bool
    i_submitted: bool


class PersonOut(BaseModel):
    """Someone who may be invited."""

    email: str
    name: str
    role: str


class RubricOut(BaseModel):
    """A rubric version; ``weights`` only when one version is asked for."""

    version: int
    active: bool
    note: str
    author: str | None
    created_at: datetime
    weights: dict[str, Any] | None = None


class RubricIn(BaseModel):
    """A new rubric version as JSON."""

    weights: dict[str, Any]
    note: str = Field(default="", max_length=rubrics.MAX_NOTE)


def summary(row: CalibrationSession, user: Any) -> CalibrationSummary:
    """List form of a session for *user*."""
    me = cal.reviewer_of(row, user)
    return CalibrationSummary(
        id=row.id,
        conversation_id=row.external_id,
        status=row.status,
        owner=cal.name_of(row.owner),
        note=row.note,
        rubric_version=row.rubric_version,
        created_at=row.created_at,
        closed_at=row.closed_at,
        reviewers=len(row.reviewers),
        submitted=sum(1 for r in row.reviewers if r.submitted_at is not None),
        i_review=me is not None,
        i_submitted=me is not None and me.submitted_at is not None,
    )


# ----------------------------------------------------------------- calibration


@router.get("/calibration", response_model=list[CalibrationSummary], tags=["calibration"])
def list_calibration(session: Db, user: CurrentUser) -> list[CalibrationSummary]:
    """The sessions the caller owns or reviews (a coach: also their teams'; an admin: all)."""
    return [summary(r, user) for r in cal.list_sessions(session, user)]


@router.post("/calibration", status_code=status.HTTP_201_CREATED, tags=["calibration"])
def open_calibration(session: Db, user: CurrentUser, body: CalibrationIn) -> dict[str, Any]:
    """Open a session on a conversation the caller may see (coach, admin) and invite reviewers."""
    row = cal.open_session(
        session, user, body.conversation_id, reviewers=body.reviewers, note=body.note
    )
    return cal.session_view(row, user)


@router.get("/calibration/candidates", response_model=list[PersonOut], tags=["calibration"])
def calibration_candidates(
    session: Db, user: CurrentUser, conversation: Annotated[str, Query(min_length=1)]
) -> list[PersonOut]:
    """Who may be invited to calibrate *conversation*: its team's coaches and agents, admins."""
    return [
        PersonOut(email=u.email, name=cal.name_of(u), role=u.role)
        for u in cal.candidates(session, user, conversation)
    ]


@router.get("/calibration/{session_id}", tags=["calibration"])
def get_calibration(session: Db, user: CurrentUser, session_id: Id) -> dict[str, Any]:
    """The session as the caller may see it: the turns, who has submitted, their own answers;
    once closed, also every answer, the engine's findings and the agreement figures."""
    return cal.session_view(cal.get_session(session, user, session_id), user)


@router.put("/calibration/{session_id}/answers", tags=["calibration"])
def put_answers(session: Db, user: CurrentUser, session_id: Id, body: AnswersIn) -> dict[str, Any]:
    """Save the caller's answers (replacing their draft); ``submit: true`` makes them final."""
    seen: set[int] = set()
    answers: dict[int, cal.TurnAnswer] = {}
    for item in body.turns:
        if item.turn in seen:
            raise InvalidInputError(f"turns: index {item.turn} appears twice")
        seen.add(item.turn)
        answers[item.turn] = cal.TurnAnswer(frozenset(item.labels), item.score)
    me = cal.save_answers(session, user, session_id, answers, submit=body.submit)
    return {"submitted": me.submitted_at is not None, "answers": me.answers}


@router.get("/calibration/{session_id}/results", tags=["calibration"])
def get_results(session: Db, user: CurrentUser, session_id: Id) -> dict[str, Any]:
    """The agreement figures (409 while the session is open: reviewers score blind)."""
    row = cal.get_session(session, user, session_id)
    if row.status != "closed" or row.results is None:
        raise ConflictError(
            "the results are hidden until the session's owner closes it, so that every "
            "reviewer scores blind"
        )
    return row.results


class InviteIn(BaseModel):
    """More reviewers for an open session (emails)."""

    reviewers: list[str] = Field(min_length=1, max_length=50)


@router.post("/calibration/{session_id}/reviewers", tags=["calibration"])
def invite_reviewers(
    session: Db, user: CurrentUser, session_id: Id, body: InviteIn
) -> dict[str, Any]:
    """Invite more reviewers while the session is open (its owner or an admin)."""
    return cal.session_view(cal.invite(session, user, session_id, body.reviewers), user)


@router.post("/calibration/{session_id}/close", tags=["calibration"])
def close_calibration(session: Db, user: CurrentUser, session_id: Id) -> dict[str, Any]:
    """Close the session (its owner or an admin): answers freeze and the figures are computed."""
    return cal.session_view(cal.close_session(session, user, session_id), user)


# ----------------------------------------------------------------- rubrics


def rubric_out(row: Rubric, active: int, *, weights: bool = False) -> RubricOut:
    """API form of a rubric version."""
    return RubricOut(
        version=row.version,
        active=row.version == active,
        note=row.note,
        author=cal.name_of(row.author) if row.author is not None else None,
        created_at=row.created_at,
        weights=row.weights if weights else None,
    )


@router.get("/rubrics", response_model=list[RubricOut], tags=["rubrics"])
def list_rubrics(session: Db, user: CurrentUser) -> list[RubricOut]:
    """Every rubric version, newest (the active one) first."""
    rows = rubrics.list_rubrics(session)
    return [rubric_out(r, rows[0].version) for r in rows]


@router.get("/rubrics/active", response_model=RubricOut, tags=["rubrics"])
def active_rubric(session: Db, user: CurrentUser) -> RubricOut:
    """The active version with its weights."""
    row = rubrics.active_rubric(session)
    return rubric_out(row, row.version, weights=True)


@router.get("/rubrics/{version}", response_model=RubricOut, tags=["rubrics"])
def get_rubric(session: Db, user: CurrentUser, version: Id) -> RubricOut:
    """One version with its weights."""
    return rubric_out(
        rubrics.get_rubric(session, version), rubrics.active_version(session), weights=True
    )


_RUBRIC_BODY: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {"schema": RubricIn.model_json_schema()},
            "application/yaml": {"schema": {"type": "string"}},
        }
    }
}


@router.post(
    "/rubrics",
    response_model=RubricOut,
    status_code=status.HTTP_201_CREATED,
    tags=["rubrics"],
    openapi_extra=_RUBRIC_BODY,
)
async def publish_rubric(
    session: Db, user: CurrentUser, request: Request, note: str = ""
) -> RubricOut:
    """Publish new weights (admins): checked against the shipped structure, then active for
    every import from now on; conversations already scored keep their version."""
    raw = await request.body()
    if len(raw) > 256 * 1024:
        raise InvalidInputError("the rubric is over 256 KB; it should be a few kilobytes")
    weights, note = _rubric_body(request.headers.get("content-type", ""), raw, note)
    row = rubrics.publish_rubric(session, user, weights, note=note)
    return rubric_out(row, row.version, weights=True)


class RescoreOut(BaseModel):
    """What a re-score did."""

    version: int
    rescored: int
    remaining: int


@router.post("/rubrics/rescore", response_model=RescoreOut, tags=["rubrics"])
def rescore(
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> RescoreOut:
    """Re-score up to *limit* conversations made with an older rubric with the active one
    (admins); call again while ``remaining`` is above 0."""
    result = rubrics.rescore(session, user, ctx.analyzer, limit=limit)
    return RescoreOut(**result.to_dict())


def _rubric_body(kind: str, raw: bytes, note: str) -> tuple[Any, str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"the body is not UTF-8 text: {exc}") from exc
    if kind.split(";")[0].strip().lower() == "application/json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"the body is not JSON: {exc}") from exc
        if not isinstance(data, dict) or "weights" not in data:
            raise InvalidInputError('send {"weights": {...}, "note": "..."} or a YAML body')
        body_note = data.get("note", note)
        if not isinstance(body_note, str):
            raise InvalidInputError("note: expected text")
        return data["weights"], body_note
    data = rubrics.parse_rubric_text(text)
    if isinstance(data, dict) and "weights" in data and set(data) <= {"weights", "note"}:
        # The JSON form sent without its content type (YAML reads JSON too).
        return data["weights"], str(data.get("note", note))
    return data, note


__all__ = ["router"]
