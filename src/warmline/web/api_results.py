"""The REST API of score exports and review replies under /api/v1.

``GET /exports/scores.csv`` and ``/exports/scores.parquet`` (``level`` = conversation, turn or
behaviour; the dashboards' filters) stream the scores the caller may see; an agent gets only
their own. ``POST /review-replies`` analyses a pasted public review and drafts a reply. The
pages' download links (/export/scores.csv, /export/scores.parquet) use :func:`export_response`
with the session cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from warmline.engine.review_reply import MAX_REVIEW, reply_to_review
from warmline.store import exports
from warmline.store.conversations import ConversationFilter
from warmline.store.errors import ForbiddenError
from warmline.store.tables import User
from warmline.web.dashboards_pages import parse_filter
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.errors import respond

router = APIRouter(prefix="/api/v1", tags=["results"])

#: CSV lines sent per chunk of a streamed download.
_CHUNK_LINES = 500
_MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def export_response(
    request: Request,
    ctx: Ctx,
    session: Session,
    user: User,
    *,
    fmt: str,
    level: str,
    team: str | None,
    agent: str | None,
    channel: str | None,
    since: str | None,
    until: str | None,
) -> Response:
    """The scores export as a download: CSV streamed, Parquet built whole (needs pyarrow)."""
    exports.check_format(fmt)
    exports.table(level)
    if user.role == "agent":
        if agent and agent != user.agent_id:
            raise ForbiddenError("agents may export only their own scores")
        agent = user.agent_id or ""
    flt, form = parse_filter(
        session, user, team=team, agent=agent, channel=channel, since=since, until=until,
        default_range=False,
    )  # fmt: skip
    name = exports.export_name(level, fmt, since=form.since, until=form.until)
    headers = {"Content-Disposition": f'attachment; filename="{quote(name)}"'}
    if fmt == "csv":
        return StreamingResponse(
            _csv_stream(ctx, user.id, flt, level), media_type=_MEDIA["csv"], headers=headers
        )
    try:
        body = exports.parquet_bytes(exports.score_rows(session, user, flt, level=level), level)
    except exports.ParquetUnavailable as exc:
        return respond(request, 501, "parquet_unavailable", str(exc))
    return Response(body, media_type=_MEDIA["parquet"], headers=headers)


def _csv_stream(ctx: Ctx, user_id: int, flt: ConversationFilter, level: str) -> Iterator[str]:
    # A session of its own: the request's one ends before the body has been streamed.
    with ctx.db.session() as own:
        caller = own.get(User, user_id)
        if caller is None:
            return
        # Lines go out in chunks: each item of a sync stream is a hop to the thread pool.
        chunk: list[str] = []
        for line in exports.csv_lines(exports.score_rows(own, caller, flt, level=level), level):
            chunk.append(line)
            if len(chunk) >= _CHUNK_LINES:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)


@router.get("/exports/scores.{fmt}")
def api_export_scores(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    fmt: str,
    level: Annotated[str, Query(description="conversation, turn or behaviour")] = "conversation",
    team: Annotated[str | None, Query(description="team id")] = None,
    agent: str | None = None,
    channel: str | None = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
) -> Response:
    """Scores per conversation, turn or annotation as CSV or Parquet, within your scope."""
    return export_response(
        request, ctx, session, user, fmt=fmt, level=level, team=team, agent=agent,
        channel=channel, since=since, until=until,
    )  # fmt: skip


class ReviewIn(BaseModel):
    """A public review to answer."""

    model_config = ConfigDict(extra="forbid")
    review: str = Field(max_length=MAX_REVIEW, description="the review text as posted")
    stars: int | None = Field(default=None, ge=1, le=5, description="its star rating, 1-5")
    business: str | None = Field(default=None, max_length=120)
    reviewer: str | None = Field(
        default=None, max_length=120, description="only the first name is used"
    )


@router.post("/review-replies")
def post_review_reply(ctx: Ctx, user: CurrentUser, body: ReviewIn) -> dict[str, Any]:
    """The review's emotions and issues (with evidence), and a checked public reply draft."""
    result = reply_to_review(
        body.review, stars=body.stars, business=body.business, reviewer=body.reviewer,
        analyzer=ctx.analyzer,
    )  # fmt: skip
    return result.to_dict()


__all__ = ["export_response", "router"]
