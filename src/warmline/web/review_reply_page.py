"""The negative review responder page: paste a public review, see how the reviewer feels and
what went wrong, and get an editable reply draft with its check.

Works as a plain form POST (``action=draft`` writes a fresh draft from the review,
``action=check`` re-checks the edited one); warmline.js re-checks edits as they are typed
through POST /reply/check, the draft checker's mechanism (JSON with the CSRF header). Nothing
here is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from warmline.engine.assist import DraftCheck, check_draft
from warmline.engine.errors import InvalidConversationError
from warmline.engine.review_reply import MAX_REVIEW, ReviewReply, reply_to_review
from warmline.web.assist_page import MAX_DRAFT
from warmline.web.conversations_pages import highlight
from warmline.web.deps import Ctx, CurrentUser
from warmline.web.errors import error_body
from warmline.web.render import page, templates

router = APIRouter(include_in_schema=False)


def _stars(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= 5:
        raise InvalidConversationError(
            f"pick 1 to 5 stars, or leave it empty (got {value!r})", where="stars"
        )
    return int(value)


def _checked(check: DraftCheck, draft: str) -> dict[str, Any]:
    """The draft's check as the draft checker's result partial reads it."""
    found = check.to_dict()
    return {
        "check": found,
        "segments": highlight(draft, [*found["behaviours"], *found["warnings"]]),
    }


def _first_name(reviewer: str) -> str | None:
    words = reviewer.strip().split()
    return words[0] if words else None


@router.get("/reply", response_class=HTMLResponse)
def reply_form(request: Request, user: CurrentUser) -> Response:
    """The empty responder."""
    return page(request, "review_reply.html", form={}, found=None, result=None, error=None)


@router.post("/reply", response_class=HTMLResponse)
def reply_submit(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    context: Annotated[str, Form()] = "",
    stars: Annotated[str, Form()] = "",
    business: Annotated[str, Form()] = "",
    customer_name: Annotated[str, Form()] = "",
    draft: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "draft",
) -> Response:
    """Draft a reply from the review, or (``action=check``) re-check the edited draft."""
    form = {
        "context": context,
        "stars": stars,
        "business": business,
        "customer_name": customer_name,
    }
    try:
        if len(draft) > MAX_DRAFT:
            raise InvalidConversationError(f"at most {MAX_DRAFT:,} characters", where="draft")
        found = reply_to_review(
            context, stars=_stars(stars), business=business.strip() or None,
            reviewer=customer_name.strip() or None, analyzer=ctx.analyzer,
        )  # fmt: skip
        text, check = found.reply, found.check
        if action == "check" and draft.strip():
            text = draft
            check = check_draft(
                [{"speaker": "customer", "text": found.review}], draft,
                customer_name=_first_name(customer_name), analyzer=ctx.analyzer,
            )  # fmt: skip
    except InvalidConversationError as exc:
        form["draft"] = draft
        return page(
            request, "review_reply.html", status_code=422, form=form, found=None, result=None,
            error=str(exc),
        )  # fmt: skip
    form["draft"] = text
    return page(
        request, "review_reply.html", form=form, found=_found(found), result=_checked(check, text),
        error=None,
    )  # fmt: skip


def _found(found: ReviewReply) -> dict[str, Any]:
    """What the page shows of the review: its emotions, issues with evidence, and the tone."""
    data = found.to_dict()
    spans = [
        {"id": issue["id"], "start": ev["start"], "end": ev["end"], "score": 1.0}
        for issue in data["issues"]
        for ev in issue["evidence"]
    ]
    data["segments"] = highlight(found.review, spans)
    return data


class ReplyCheckIn(BaseModel):
    """What the page sends as the reply is edited: the review (``context``) and the draft."""

    model_config = ConfigDict(extra="forbid")
    context: str = Field(default="", max_length=MAX_REVIEW)
    customer_name: str = ""
    draft: str = Field(default="", max_length=MAX_DRAFT)


@router.post("/reply/check")
def reply_check(request: Request, ctx: Ctx, user: CurrentUser, body: ReplyCheckIn) -> Response:
    """JSON for the live re-check: the edited draft's result and its HTML partial."""
    try:
        if not body.context.strip():
            raise InvalidConversationError("paste the review first", where="review")
        check = check_draft(
            [{"speaker": "customer", "text": body.context.strip()}], body.draft,
            customer_name=_first_name(body.customer_name), analyzer=ctx.analyzer,
        )  # fmt: skip
    except InvalidConversationError as exc:
        return JSONResponse(error_body(422, "invalid_input", str(exc)), status_code=422)
    result = _checked(check, body.draft)
    html = templates().env.get_template("_assist_result.html").render(result=result)
    return JSONResponse({"result": result["check"], "html": html})


__all__ = ["router"]
