"""Admin pages: the users and teams of the deployment, and adding a user (the area's first tab)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warmline.store.access import require_role
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.store.tables import ROLES
from warmline.store.users import create_user, list_teams, list_users
from warmline.web.deps import CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin_home(user: CurrentUser) -> Response:
    """The admin area starts at its first tab."""
    require_role(user, "admin")
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, session: Db, user: CurrentUser, created: str | None = None
) -> Response:
    """Every user with their role, teams and agent id; a form to add one."""
    require_role(user, "admin")
    return _render(request, session, created=created)


@router.post("/admin/users")
def add_user(
    request: Request,
    session: Db,
    user: CurrentUser,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    team: Annotated[str, Form()] = "",
    agent_id: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    """Create a user; on a bad field, show the form again with the message."""
    require_role(user, "admin")
    try:
        created = create_user(
            session,
            email=email,
            password=password,
            role=role,
            teams=[team.strip()] if team.strip() else [],
            agent_id=agent_id.strip() or None,
            display_name=display_name.strip(),
        )
    except (InvalidInputError, ConflictError) as exc:
        form = {
            "email": email,
            "role": role,
            "team": team,
            "agent_id": agent_id,
            "display_name": display_name,
        }
        return _render(request, session, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/admin/users?created={created.email}", status_code=303)


def _render(
    request: Request,
    session: Db,
    *,
    created: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "admin_users.html",
        status_code=status_code,
        users=list_users(session),
        teams=list_teams(session),
        roles=ROLES,
        created=created,
        error=error,
        form=form or {},
    )
