"""The import pages: upload a file (or paste JSON), import small ones at once, big ones in the
background with a progress page; a file with bad records shows where and stores nothing."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from warmline.engine.errors import InvalidConversationError
from warmline.formats import RoleMappingError, UnsupportedFormatError, read_conversations
from warmline.formats.reader import EXTENSIONS
from warmline.store.access import require_role
from warmline.store.conversations import (
    ImportOptions,
    ImportRefused,
    ImportResult,
    import_conversations,
)
from warmline.store.errors import InvalidInputError
from warmline.store.jobs import discard_upload, get_job
from warmline.store.tables import User
from warmline.store.users import list_teams
from warmline.web.api import job_out, save_upload, too_large_message
from warmline.web.context import AppContext
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.errors import UploadTooLarge
from warmline.web.render import page

router = APIRouter(include_in_schema=False)

#: Files up to this size import while the page waits; larger ones go to the background runner.
IMMEDIATE_BYTES = 256 * 1024
#: The formats that hold many conversations a file (the others hold one).
MANY_RECORDS = frozenset({"jsonl", "csv"})


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, session: Db, user: CurrentUser) -> Response:
    """The upload form (coaches and admins)."""
    require_role(user, "admin", "coach")
    return _render(request, session, user)


@router.post("/import")
async def import_upload(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
    records: Annotated[str, Form()] = "",
    agent_id: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
) -> Response:
    """Import an uploaded file or pasted JSON: now when small, else as a background job."""
    require_role(user, "admin", "coach")
    form = {"agent_id": agent_id, "team": team, "records": records}
    try:
        options = _options(
            ctx,
            user,
            agent_id,
            team,
            source=file.filename if file and file.filename else "pasted JSON",
        )
        if file is not None and file.filename:
            path = await save_upload(ctx, file)
            if _in_background(path):
                job_id = ctx.runner.submit(user, path, fmt=None, options=options)
                return RedirectResponse(f"/import/{job_id}", status_code=303)
            result = await run_in_threadpool(_import_file, ctx, session, path, options)
        elif records.strip():
            size = len(records.encode())
            if size > ctx.max_upload_bytes:
                raise UploadTooLarge(too_large_message("the pasted JSON", ctx))
            if size > IMMEDIATE_BYTES:
                path = _pasted_to_file(ctx, records)
                job_id = ctx.runner.submit(user, path, fmt="jsonl", options=options)
                return RedirectResponse(f"/import/{job_id}", status_code=303)
            result = await run_in_threadpool(_import_pasted, ctx, session, records, options)
        else:
            raise InvalidInputError("choose a file to upload or paste JSON")
    except ImportRefused as exc:
        errors = [e.to_dict() for e in exc.result.errors]
        return _render(
            request, session, user, error=str(exc), errors=errors, form=form, status_code=422
        )
    except UploadTooLarge as exc:
        return _render(request, session, user, error=str(exc), form=form, status_code=413)
    except (
        InvalidInputError,
        InvalidConversationError,
        UnsupportedFormatError,
        RoleMappingError,
    ) as exc:
        return _render(request, session, user, error=str(exc), form=form, status_code=422)
    return _render(request, session, user, result=result, source=options.source)


def _options(
    ctx: AppContext, user: User, agent_id: str, team: str, *, source: str
) -> ImportOptions:
    """Where the records go: the team named (a coach only into their own), else the default."""
    team = team.strip()
    mine = [t.name for t in user.teams]
    if team and user.role == "coach" and team not in mine:
        raise InvalidInputError(
            f"team {team!r}: you can import into your teams only ({', '.join(mine) or 'none'})"
        )
    if not team and user.role == "coach" and len(mine) == 1:
        team = mine[0]
    return ImportOptions(
        redactor=ctx.redactor,
        source=source[:255],
        agent_id=agent_id.strip() or None,
        team=team or None,
    )


def _in_background(path: Path) -> bool:
    """Big files of many records go to the runner; a transcript or subtitle file is one
    conversation, imported at once so that it keeps its file name as its id."""
    return EXTENSIONS[path.suffix] in MANY_RECORDS and path.stat().st_size > IMMEDIATE_BYTES


def _import_file(
    ctx: AppContext, session: Session, path: Path, options: ImportOptions
) -> ImportResult:
    try:  # saved under its own name: a transcript takes its conversation id from it
        records = read_conversations(path)
        return import_conversations(
            session, records, analyzer=ctx.analyzer, options=options, pool=ctx.pool
        )
    finally:
        discard_upload(path)


def _import_pasted(
    ctx: AppContext, session: Session, text: str, options: ImportOptions
) -> ImportResult:
    """One JSON object or array; failing that, JSON Lines (so each bad line is reported)."""
    items: Any
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        items = read_conversations(io.BytesIO(text.encode()), format="jsonl")
    else:
        items = items if isinstance(items, list) else [items]
        if not items:
            raise InvalidInputError(
                "the pasted JSON is an empty list: paste one conversation or a list"
            )
    return import_conversations(
        session, items, analyzer=ctx.analyzer, options=options, pool=ctx.pool
    )


def _pasted_to_file(ctx: AppContext, text: str) -> Path:
    """Write a big paste as a JSON Lines file for the background runner."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        body = text  # JSON Lines already, or broken: the runner reports each bad line
    else:
        items = items if isinstance(items, list) else [items]
        body = "".join(json.dumps(item) + "\n" for item in items)
    uploads = ctx.settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=uploads, suffix=".jsonl")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    return Path(name)


def _render(
    request: Request,
    session: Session,
    user: User,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    teams = (
        [t.name for t in user.teams]
        if user.role == "coach"
        else [t.name for t in list_teams(session)]
    )
    return page(
        request,
        "import.html",
        status_code=status_code,
        teams=teams,
        extensions=", ".join(EXTENSIONS),
        limit_mb=request.app.state.ctx.settings.max_upload_mb,
        immediate_kb=IMMEDIATE_BYTES // 1024,
        **{"form": {}, "errors": [], "error": None, "result": None, **context},
    )


@router.get("/import/{job_id}", response_class=HTMLResponse)
def import_progress(request: Request, ctx: Ctx, user: CurrentUser, job_id: int) -> Response:
    """A background import's progress; the page polls GET /api/v1/imports/{id} with its cookie."""
    require_role(user, "admin", "coach")
    job = job_out(get_job(ctx.db, user, job_id))
    return page(request, "import_progress.html", job=job)
