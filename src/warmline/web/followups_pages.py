"""Follow-up pages: an agent's due list (/followups) with done and skip, and the coach's and
admin's view of their agents' tasks with completion figures.

The nav shows how many tasks are overdue or due soon through the ``followups_due`` template
global registered here, which counts in a session of its own (the page's session may have
ended, or rolled back, by the time the nav renders).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from warmline.store import dashboards as dash
from warmline.store import followups
from warmline.store.errors import InvalidInputError, StoreError
from warmline.store.tables import User
from warmline.web.dashboards_pages import conversation_href
from warmline.web.deps import CurrentUser, Db
from warmline.web.render import page, templates

router = APIRouter(include_in_schema=False)


@router.get("/followups", response_class=HTMLResponse)
def followups_page(request: Request, session: Db, user: CurrentUser, saved: str = "") -> Response:
    """Open tasks (overdue first, then by due date), closed ones, and figures per agent."""
    return _render(request, session, user, saved=saved)


def _render(
    request: Request,
    session: Db,
    user: User,
    *,
    saved: str = "",
    error: str = "",
    error_id: int | None = None,
) -> Response:
    found = followups.list_followups(session, user)
    agents = {v.agent_id for v in found.open + found.closed if v.agent_id}
    return page(
        request,
        "followups.html",
        422 if error else 200,
        found=found,
        names=dash.agent_names(session, agents),
        href=conversation_href,
        saved=saved,
        error=error,
        error_id=error_id,
        due_after_days=followups.DUE_AFTER.days,
    )


@router.post("/followups/{task_id}/done")
def mark_done(
    request: Request,
    session: Db,
    user: CurrentUser,
    task_id: int,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Mark one of your follow-ups done."""
    try:
        followups.complete(session, user, task_id, note=note)
    except InvalidInputError as exc:
        return _render(request, session, user, error=str(exc), error_id=task_id)
    return RedirectResponse("/followups?saved=done", status_code=303)


@router.post("/followups/{task_id}/skip")
def mark_skipped(
    request: Request,
    session: Db,
    user: CurrentUser,
    task_id: int,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Skip one of your follow-ups, saying why."""
    try:
        followups.skip(session, user, task_id, reason_text=reason)
    except InvalidInputError as exc:
        return _render(request, session, user, error=str(exc), error_id=task_id)
    return RedirectResponse("/followups?saved=skipped", status_code=303)


def due_badge(request: Request) -> int:
    """How many of an agent's follow-ups are overdue or due soon (0 when unknown or not an agent)."""
    caller = getattr(request.state, "caller", None)
    ctx = getattr(request.app.state, "ctx", None)
    if caller is None or ctx is None or caller.view.role != "agent":
        return 0  # coaches read their figures on the page; the count is the agent's to-do
    try:
        with ctx.db.session() as own:
            user = own.get(User, caller.view.id)
            return followups.due_count(own, user) if user is not None else 0
    except (SQLAlchemyError, StoreError):
        return 0  # the nav never breaks a page


templates().env.globals["followups_due"] = due_badge

__all__ = ["due_badge", "router"]
