"""The draft checker: paste the conversation so far, type a reply, see its score and how to
improve it before sending. Works as a plain form POST; warmline.js re-checks as the agent types
through POST /assist/check (JSON, with the session's CSRF token in ``X-CSRF-Token``)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from warmline.engine.assist import DraftCheck, check_draft
from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import Turn
from warmline.formats.records import InputError
from warmline.formats.transcript import parse_transcript
from warmline.web.conversations_pages import highlight
from warmline.web.deps import Ctx, CurrentUser
from warmline.web.errors import error_body
from warmline.web.render import page, templates

router = APIRouter(include_in_schema=False)

MAX_CONTEXT = 200_000
MAX_DRAFT = 20_000


class ContextError(ValueError):
    """The pasted conversation cannot be read; ``line`` is where (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"Conversation so far, line {line}: {message}")


def parse_context(text: str) -> list[Turn]:
    """Read pasted ``Customer: ... / Agent: ...`` lines into turns; :class:`ContextError` if not."""
    if not text.strip():
        return []
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines, start=1) if line.strip())
    record = _parse(text)
    if isinstance(record, InputError):
        raise ContextError(record.line or first, _for_the_page(record.message))
    # A transcript file may open with a title, but pasted context should start with a turn:
    # a first line without a speaker would otherwise be dropped without a word.
    if isinstance(_parse(lines[first - 1]), InputError):
        raise ContextError(
            first,
            "start the line with who is speaking, such as 'Customer:' or 'Agent:' "
            "(also understood: Caller, Client, Rep, Support, Bot)",
        )
    return list(record.turns)


def _for_the_page(message: str) -> str:
    # The reader's hint names the CLI's --role option, which the composer does not have.
    unknown = _UNKNOWN.match(message)
    if unknown is None:
        return message
    return f"unknown speaker {unknown[1]}; write 'Customer:' or 'Agent:' in place of the name"


_UNKNOWN = re.compile(r"unknown speaker ('.*?'|\".*?\");")


def _parse(text: str) -> Any:
    return parse_transcript(text, source="context", conversation_id="draft-context", roles={})


def run_check(
    ctx: Ctx, context: str, draft: str, customer_name: str
) -> tuple[list[Turn], DraftCheck]:
    """Parse the context and check the draft; raises ContextError or InvalidConversationError."""
    if len(context) > MAX_CONTEXT:
        raise ContextError(
            1, f"the conversation is over {MAX_CONTEXT:,} characters; paste the recent part"
        )
    turns = parse_context(context)
    if not draft.strip():
        raise InvalidConversationError("draft: type the reply you want to check")
    if len(draft) > MAX_DRAFT:
        raise InvalidConversationError(f"draft: at most {MAX_DRAFT:,} characters")
    return turns, check_draft(
        turns, draft, customer_name=customer_name.strip() or None, analyzer=ctx.analyzer
    )


def _result_context(draft: str, check: DraftCheck) -> dict[str, Any]:
    found = check.to_dict()
    spans = [*found["behaviours"], *found["warnings"]]
    return {"check": found, "segments": highlight(draft, spans)}


@router.get("/assist", response_class=HTMLResponse)
def assist_form(request: Request, user: CurrentUser) -> Response:
    """The composer."""
    return page(request, "assist.html", form={}, result=None, error=None)


@router.post("/assist", response_class=HTMLResponse)
def assist_submit(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    draft: Annotated[str, Form()] = "",
    context: Annotated[str, Form()] = "",
    customer_name: Annotated[str, Form()] = "",
) -> Response:
    """The composer without JavaScript: the server checks the draft and renders the result."""
    form = {"draft": draft, "context": context, "customer_name": customer_name}
    try:
        _, check = run_check(ctx, context, draft, customer_name)
    except (ContextError, InvalidConversationError) as exc:
        return page(request, "assist.html", status_code=422, form=form, result=None, error=str(exc))
    return page(request, "assist.html", form=form, result=_result_context(draft, check), error=None)


class CheckIn(BaseModel):
    """What the composer sends as the agent types."""

    model_config = ConfigDict(extra="forbid")
    context: str = ""
    customer_name: str = ""
    draft: str = Field(default="", max_length=MAX_DRAFT)


@router.post("/assist/check")
def assist_check(request: Request, ctx: Ctx, user: CurrentUser, body: CheckIn) -> Response:
    """JSON for the live composer: the result, and its HTML rendered from the same partial."""
    try:
        _, check = run_check(ctx, body.context, body.draft, body.customer_name)
    except ContextError as exc:
        return JSONResponse(
            error_body(422, "invalid_input", str(exc), line=exc.line), status_code=422
        )
    except InvalidConversationError as exc:
        return JSONResponse(error_body(422, "invalid_input", str(exc)), status_code=422)
    result = _result_context(body.draft, check)
    html = templates().env.get_template("_assist_result.html").render(result=result)
    return JSONResponse({"result": result["check"], "html": html})
