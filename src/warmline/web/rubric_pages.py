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
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)

#: Conversations re-scored per press of the button (each is analysed again).
RESCORE_BATCH = 500


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


@router.post("/admin/rubric/rescore")
def rescore_post(request: Request, ctx: Ctx, session: Db, user: CurrentUser) -> Response:
    """Re-score up to 500 conversations made with an older version, then show the page."""
    require_role(user, "admin")
    result = rubrics.rescore(session, user, ctx.analyzer, limit=RESCORE_BATCH)
    return _render(
        request, session, user,
        rescored=f"Re-scored {result.rescored} conversation{'' if result.rescored == 1 else 's'} "
        f"with version {result.version}"
        + (f"; {result.remaining} still to go, press again." if result.remaining else "."),
    )  # fmt: skip


def _render(
    request: Request,
    session: Session,
    user: User,
    *,
    notice: str = "",
    rescored: str = "",
    problems: list[str] | None = None,
    text: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> Response:
    versions = rubrics.list_rubrics(session)
    active = versions[0]
    counts = rubrics.conversations_per_version(session)
    return page(
        request,
        "rubric.html",
        status_code=status_code,
        active=active,
        versions=versions,
        counts=counts,
        stale=sum(n for v, n in counts.items() if v != active.version),
        rescored=rescored,
        text=text if text is not None else rubrics.rubric_yaml(active),
        note=note,
        notice=notice,
        problems=problems or [],
    )


__all__ = ["router"]
