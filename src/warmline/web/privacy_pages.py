"""The admin's data-protection page: retention, deleting one customer's data, the audit log.

Every deletion is two steps: the form counts what would go (a dry run) and shows it; only the
confirm button, which repeats the same criteria, deletes. See docs/privacy.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from warmline.store.access import require_role
from warmline.store.audit import list_events, verify_chain
from warmline.store.errors import InvalidInputError
from warmline.store.retention import Deletion, forget_customer, purge_older_than
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/admin/privacy", response_class=HTMLResponse)
def privacy_page(request: Request, ctx: Ctx, session: Db, user: CurrentUser) -> Response:
    """Retention status, the two deletion forms and the audit log with its check."""
    require_role(user, "admin")
    return _render(request, ctx, session)


@router.post("/admin/privacy/purge", response_class=HTMLResponse)
def purge(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    days: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Count (or, confirmed, delete) the conversations older than *days*."""
    require_role(user, "admin")
    form = {"days": days}
    try:
        number = _days(days)
        done = purge_older_than(session, ctx.secret, days=number, actor=user, dry_run=confirm != "yes")
    except InvalidInputError as exc:
        return _render(request, ctx, session, purge_form=form, purge_error=str(exc), status_code=422)
    return _render(request, ctx, session, purge_form=form, purge_result=done)


@router.post("/admin/privacy/forget", response_class=HTMLResponse)
def forget(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    customer_id: Annotated[str, Form()] = "",
    customer_name: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Count (or, confirmed, delete) one customer's conversations."""
    require_role(user, "admin")
    form = {"customer_id": customer_id, "customer_name": customer_name}
    try:
        done = forget_customer(
            session,
            ctx.secret,
            actor=user,
            customer_id=customer_id or None,
            customer_name=customer_name or None,
            dry_run=confirm != "yes",
        )
    except InvalidInputError as exc:
        return _render(request, ctx, session, forget_form=form, forget_error=str(exc), status_code=422)
    return _render(request, ctx, session, forget_form=form, forget_result=done)


def _days(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise InvalidInputError(f"days: expected a whole number of days of at least 1, got {value!r}")
    return int(text)


def _render(
    request: Request,
    ctx: Ctx,
    session: Db,
    *,
    status_code: int = 200,
    purge_form: dict[str, str] | None = None,
    purge_result: Deletion | None = None,
    purge_error: str | None = None,
    forget_form: dict[str, str] | None = None,
    forget_result: Deletion | None = None,
    forget_error: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "retention_days": ctx.settings.retention_days,
        "events": list_events(session, limit=100),
        "chain": verify_chain(session, ctx.secret),
        "purge_form": purge_form or {"days": str(ctx.settings.retention_days or "")},
        "purge_result": purge_result,
        "purge_error": purge_error,
        "forget_form": forget_form or {},
        "forget_result": forget_result,
        "forget_error": forget_error,
    }
    return page(request, "admin_privacy.html", status_code=status_code, **context)
