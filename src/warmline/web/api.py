"""The REST API under /api/v1: parse → authorise → call a store function → return a schema."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Query, Request, UploadFile, status
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from warmline.engine.assist import check_draft
from warmline.formats.reader import EXTENSIONS
from warmline.store import conversations as convs
from warmline.store import reviews
from warmline.store.access import require_role
from warmline.store.conversations import ConversationFilter, ImportOptions
from warmline.store.errors import AuthError, InvalidInputError
from warmline.store.jobs import discard_upload, get_job
from warmline.store.tables import Conversation, User
from warmline.store.users import authenticate, issue_token
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.errors import UploadTooLarge
from warmline.web.schemas import (
    AssistIn,
    ConversationList,
    ConversationSummary,
    ImportOut,
    JobOut,
    ReviewIn,
    ReviewOut,
    TokenOut,
    UserOut,
)

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.post("/token", response_model=TokenOut)
def token(
    request: Request,
    ctx: Ctx,
    session: Db,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> TokenOut:
    """Exchange an email (``username``) and password for a bearer token.

    After 5 wrong passwords in 15 minutes for one account or from one address, further
    attempts get 429 with ``Retry-After`` until the window has passed.
    """
    keys = ctx.throttle.keys(username, request.client.host if request.client else None)
    ctx.throttle.check(keys)
    try:
        user = authenticate(session, username, password)
    except AuthError:
        ctx.throttle.failed(keys)
        raise
    ctx.throttle.succeeded(keys)
    issued = issue_token(session, user, kind="api", minutes=ctx.settings.token_minutes)
    return TokenOut(access_token=issued.secret, expires_at=issued.expires_at)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    """The user the token belongs to."""
    return user_out(user)


def user_out(user: User) -> UserOut:
    """API form of a user."""
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        agent_id=user.agent_id,
        teams=[t.name for t in user.teams],
    )


@router.post("/conversations", response_model=ImportOut, status_code=status.HTTP_201_CREATED)
def post_conversations(
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    body: Annotated[dict[str, Any] | list[Any], Body()],
) -> ImportOut:
    """Import one conversation or a list (interchange format); re-posting an id updates it."""
    require_role(user, "admin", "coach")
    items = body if isinstance(body, list) else [body]
    if not items:
        raise InvalidInputError(
            "the body is an empty list: send one conversation or a list of them"
        )
    options = ImportOptions(redactor=ctx.redactor, source="api", team=_default_team(user))
    result = convs.import_conversations(
        session, items, analyzer=ctx.analyzer, options=options, pool=ctx.pool
    )
    return ImportOut(
        ids=result.ids, created=result.created, updated=result.updated, redactions=result.redactions
    )


def _default_team(user: User) -> str | None:
    """A coach with exactly one team imports into it unless a record names its team."""
    return user.teams[0].name if user.role == "coach" and len(user.teams) == 1 else None


@router.get("/conversations", response_model=ConversationList)
def list_conversations(
    session: Db,
    user: CurrentUser,
    agent_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    team_id: int | None = None,
    order: Annotated[str, Query(pattern="^(recent|lowest)$")] = "recent",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConversationList:
    """Conversations you may see, newest first (``order=lowest``: lowest score first)."""
    flt = ConversationFilter(
        team_id=team_id, agent_id=agent_id, channel=channel, since=since, until=until
    )
    rows, total = convs.list_conversations(
        session, user, flt, order=order, limit=limit, offset=offset
    )
    return ConversationList(
        items=[summary(session, r) for r in rows], total=total, limit=limit, offset=offset
    )


def summary(session: Session, row: Conversation) -> ConversationSummary:
    """List form of a conversation."""
    team = convs.team_of(session, row.team_id)
    return ConversationSummary(
        id=row.external_id,
        agent_id=row.agent_id,
        team=team.name if team else None,
        channel=row.channel,
        customer_name=row.customer_name,
        started_at=row.started_at,
        turns=row.turn_count,
        score=row.score,
        lowest_turn_score=row.lowest_turn_score,
        escalated=row.escalated,
        deescalated=row.deescalated,
    )


@router.get("/conversations/{conversation_id}")
def get_conversation(session: Db, user: CurrentUser, conversation_id: str) -> dict[str, Any]:
    """The conversation with its analysis (the per-turn fields of ``warmline analyze --explain``)."""
    row = convs.get_conversation(session, user, conversation_id)
    meta = summary(session, row).model_dump(mode="json")
    return {
        **row.analysis,
        **{k: meta[k] for k in ("agent_id", "team", "channel", "customer_name", "started_at")},
        "metadata": row.record.get("metadata", {}),
        "redactions": row.redactions,
        "engine_version": row.engine_version,
        "rubric_version": row.rubric_version,
        "reviews": [
            review_out(r).model_dump(mode="json") for r in reviews.list_reviews(session, row)
        ],
    }


@router.post("/conversations/{conversation_id}/reviews", response_model=ReviewOut, status_code=201)
def post_review(session: Db, user: CurrentUser, conversation_id: str, body: ReviewIn) -> ReviewOut:
    """Agree or disagree with an annotation, or comment; machine results are never changed."""
    row = convs.get_conversation(session, user, conversation_id)
    review = reviews.add_review(session, user, row, **body.model_dump())
    return review_out(review)


@router.get("/conversations/{conversation_id}/reviews", response_model=list[ReviewOut])
def get_reviews(session: Db, user: CurrentUser, conversation_id: str) -> list[ReviewOut]:
    """Every human review of the conversation."""
    row = convs.get_conversation(session, user, conversation_id)
    return [review_out(r) for r in reviews.list_reviews(session, row)]


def review_out(review: Any) -> ReviewOut:
    """API form of a review."""
    return ReviewOut(
        id=review.id,
        turn=review.turn,
        label=review.label,
        start=review.start,
        end=review.end,
        verdict=review.verdict,
        comment=review.comment,
        reviewer=review.reviewer.display_name or review.reviewer.email,
        created_at=review.created_at,
    )


#: A draft check with at most this much text runs on the event loop (about a millisecond);
#: a bigger one on a worker thread, so that it cannot hold up other requests' input and output.
INLINE_ASSIST_CHARS = 4_000


@router.post("/assist")
async def assist(ctx: Ctx, user: CurrentUser, body: AssistIn) -> dict[str, Any]:
    """Score a draft reply in its context: score, behaviours, missing, warnings, rewrite."""
    turns = [t.model_dump(exclude_none=True) for t in body.turns]
    size = len(body.draft) + sum(len(t["text"]) for t in turns)

    def check() -> dict[str, Any]:
        return check_draft(
            turns, body.draft, customer_name=body.customer_name, analyzer=ctx.analyzer
        ).to_dict()

    # Handing work to a thread and back costs more than the check itself on a small machine.
    return check() if size <= INLINE_ASSIST_CHARS else await run_in_threadpool(check)


@router.post("/imports", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
async def post_import(
    ctx: Ctx,
    user: CurrentUser,
    request: Request,
    file: UploadFile,
    agent_id: Annotated[str | None, Form(max_length=120)] = None,
) -> JobOut:
    """Upload a file in any format ``warmline analyze`` reads; it imports in the background."""
    require_role(user, "admin", "coach")
    path = await save_upload(ctx, file)
    options = ImportOptions(
        redactor=ctx.redactor,
        source=file.filename or path.name,
        agent_id=agent_id or None,
        team=_default_team(user),
    )
    job_id = ctx.runner.submit(user, path, fmt=None, options=options)
    return job_out(get_job(ctx.db, user, job_id))


@router.get("/imports/{job_id}", response_model=JobOut)
def import_status(ctx: Ctx, user: CurrentUser, job_id: int) -> JobOut:
    """A background import's progress."""
    return job_out(get_job(ctx.db, user, job_id))


def job_out(job: Any) -> JobOut:
    """API form of an import job."""
    return JobOut.model_validate(job, from_attributes=True)


async def save_upload(ctx: Ctx, file: UploadFile) -> Path:
    """Copy an upload to a temporary file, refusing it once it passes the size limit."""
    name = file.filename or "upload.jsonl"
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise InvalidInputError(
            f"{name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(EXTENSIONS)}"
        )
    uploads = ctx.settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    # A folder of its own per upload, so the file keeps its name: a transcript or subtitle
    # file takes its conversation id from it.
    path = Path(tempfile.mkdtemp(dir=uploads, prefix="upload-")) / _safe_name(name)
    size = 0
    try:
        with path.open("wb") as handle:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > ctx.max_upload_bytes:
                    raise UploadTooLarge(too_large_message(name, ctx))
                handle.write(chunk)
    except BaseException:
        discard_upload(path)
        raise
    return path


def _safe_name(name: str) -> str:
    """The uploaded file's base name with anything but letters, digits, ``.``, ``-``, ``_`` as ``_``."""
    base = Path(re.sub(r"[^\w.-]", "_", Path(name.replace("\\", "/")).name).lstrip("."))
    return f"{base.stem}{base.suffix.lower()}" if base.stem else "upload.jsonl"


def too_large_message(name: str, ctx: Ctx) -> str:
    """The message for an upload over the limit."""
    return (
        f"{name} is larger than the upload limit of {ctx.settings.max_upload_mb} MB; split it, "
        f"or raise WARMLINE_MAX_UPLOAD_MB (nothing was imported)"
    )
