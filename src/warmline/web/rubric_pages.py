"""The rubric page (admins): the active scoring weights, every version, and publishing a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from warmline.store import rubrics
from warmline.store.access import require_role
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.store.tables import User
from warmline.web.deps import CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/admin/rubric", response_class=HTMLResponse)
def rubric_page(request: Request, session: Db, user: CurrentUser, published: str = "") -> Response:
    """The active version's weights as YAML to edit, and the history of versions."""
    require_role(user, "admin")
    return _render(request, session, user, notice=published)


@router.post("/admin/rubric")
def rubric_post(
    request: Request,
    session: Db,
    user: CurrentUser,
    weights: Annotated[str, Form(max_length=256 * 1024)] = "",
    note: Annotated[str, Form(max_length=rubrics.MAX_NOTE)] = "",
) -> Response:
    """Publish the pasted YAML as the next version; a problem shows the form again (422)."""
    require_role(user, "admin")
    try:
        row = rubrics.publish_rubric(session, user, rubrics.parse_rubric_text(weights), note=note)
    except rubrics.RubricError as exc:
        return _render(
            request, session, user, problems=exc.problems, text=weights, note=note, status_code=422
        )
    except (InvalidInputError, ConflictError) as exc:
        return _render(
            request, session, user, problems=[str(exc)], text=weights, note=note, status_code=422
        )
    return RedirectResponse(f"/admin/rubric?published={row.version}", status_code=303)


def _render(
    request: Request,
    session: Session,
    user: User,
    *,
    notice: str = "",
    problems: list[str] | None = None,
    text: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> Response:
    versions = rubrics.list_rubrics(session)
    active = versions[0]
    return page(
        request,
        "rubric.html",
        status_code=status_code,
        active=active,
        versions=versions,
        counts=rubrics.conversations_per_version(session),
        text=text if text is not None else rubrics.rubric_yaml(active),
        note=note,
        notice=notice,
        problems=problems or [],
    )


__all__ = ["router"]
