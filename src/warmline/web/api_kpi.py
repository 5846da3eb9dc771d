"""The REST API of business results under /api/v1: import KPIs, before/after and CSAT reports.

``POST /kpis`` takes a JSON object or list, a CSV body (``Content-Type: text/csv``) or a
multipart ``file`` (CSV, JSON Lines or JSON); coaches import for their teams, admins for all,
agents not at all. The reports are open to every role within its scope: an agent sees only
their own figures.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from warmline.store.access import require_role
from warmline.store.conversations import ConversationFilter
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_correlation import csat_correlation
from warmline.store.kpi_reports import before_after
from warmline.store.kpis import KpiRecord, import_kpis, parse_kpi_text, records_from_json
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.errors import UploadTooLarge

router = APIRouter(prefix="/api/v1", tags=["kpis"])

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": ["object", "array"]}},
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        }
    }
}


@router.post("/kpis", status_code=status.HTTP_201_CREATED, openapi_extra=_BODY_DOC)
async def post_kpis(ctx: Ctx, session: Db, user: CurrentUser, request: Request) -> dict[str, Any]:
    """Import KPIs per conversation or per agent-period; all or nothing, re-imports update."""
    require_role(user, "admin", "coach")
    records, source = await _records(ctx, request)
    # A big file takes a while to check and store: off the event loop, in the request's session.
    result = await run_in_threadpool(import_kpis, session, user, records, source=source)
    return result.to_dict()


async def _records(ctx: Ctx, request: Request) -> tuple[list[KpiRecord], str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInputError("send the file in a multipart field called `file`")
        name = upload.filename or "upload.csv"
        return parse_kpi_text(_text(await upload.read(), name, ctx), filename=name), name
    body = await request.body()
    if kind in ("text/csv", "text/plain"):
        return parse_kpi_text(_text(body, "body", ctx), filename="body.csv"), "api"
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"the body is not JSON ({exc}); send JSON, text/csv, or a multipart `file`"
        ) from exc
    return records_from_json(data), "api"


def _text(raw: bytes, name: str, ctx: Ctx) -> str:
    if len(raw) > ctx.max_upload_bytes:
        raise UploadTooLarge(
            f"{name} is larger than the upload limit of {ctx.settings.max_upload_mb} MB "
            "(nothing was imported)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{name} is not UTF-8 text: {exc}") from exc


@router.get("/reports/before-after")
def report_before_after(
    session: Db,
    user: CurrentUser,
    event: date | None = None,
    module: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    metric: Annotated[list[str] | None, Query()] = None,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> dict[str, Any]:
    """Empathy score and each KPI before vs after *event* (YYYY-MM-DD) or each agent's
    completion of *module*, per team and agent."""
    result = before_after(
        session,
        user,
        event=event,
        module=module,
        team=team,
        agent=agent,
        metrics=metric,
        window_days=days,
    )
    return result.to_dict()


@router.get("/reports/csat-correlation")
def report_csat_correlation(
    session: Db,
    user: CurrentUser,
    team: str | None = None,
    agent: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """Empathy score vs CSAT with intervals, and mean CSAT with vs without each behaviour."""
    if since and until and since > until:
        raise InvalidInputError(f"since ({since}) is after until ({until})")
    flt = ConversationFilter(
        agent_id=agent,
        since=datetime.combine(since, time(), tzinfo=UTC) if since else None,
        until=datetime.combine(until, time.max, tzinfo=UTC) if until else None,
    )
    return csat_correlation(session, user, flt, team=team).to_dict()


__all__ = ["router"]
