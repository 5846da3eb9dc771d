"""Survey pages: the public page a customer answers (/s/{token}, no login), and the staff side
— making a link from a conversation page and the survey panel shown there.

The link's token is the capability. The public form has no session, so a cross-site post is
refused two ways: the form carries a nonce derived from the app secret and the link (a page
that never loaded the form cannot know it), and a request whose ``Origin`` is another site is
refused. Every public request counts against a per-address sliding window (429 with
Retry-After). An unknown, expired or revoked link gets the same 404 page, which says nothing
about why; these pages are never cached or indexed, nor sent as a referrer to other sites.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from warmline.store import survey_templates, surveys
from warmline.store.conversations import get_conversation
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.store.tables import Conversation, User
from warmline.web.api_feedback import survey_url
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.render import page, templates
from warmline.web.throttle import TooManyAttempts

router = APIRouter(include_in_schema=False)

#: Sent with every public survey page, on top of the app's security headers.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
# The app's "same-origin" referrer policy already keeps the link from other sites; a stricter
# "no-referrer" would make browsers send `Origin: null` on the form's post, which we refuse.

#: The public pages' messages: (status, title, text).
MESSAGES = {
    "thanks": (200, "Thank you!", "Your answers reached us. We read every one, and they help "
               "the person who helped you get even better."),
    "answered": (200, "Already answered, thank you",
                 "This survey has already been answered. Thank you for taking the time."),
    "gone": (404, "Nothing to answer here",
             "This link doesn't lead to a survey. It may have been mistyped."),
    "slow": (429, "One moment, please",
             "There have been a lot of requests from your connection. Please try again in a "
             "few minutes."),
    "refused": (403, "Please open the link again",
                "We couldn't accept this form. Open the survey link from your message and "
                "answer it there."),
}  # fmt: skip


def _public(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates().TemplateResponse(request, name, context, status_code=status)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _message(request: Request, kind: str, *, retry_after: int | None = None) -> HTMLResponse:
    status, title, text = MESSAGES[kind]
    response = _public(request, "survey_message.html", status, kind=kind, title=title, text=text)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def nonce(secret: str, token: str) -> str:
    """The form's anti-forgery value for this link: only a page that loaded it knows it."""
    key = secret.encode("utf-8")
    return hmac.new(key, f"survey:{surveys.token_hash(token)}".encode(), hashlib.sha256).hexdigest()


def _throttled(ctx: Ctx, request: Request) -> int | None:
    """Count this request against the client's address; seconds to wait when over the limit."""
    keys = (f"survey-ip:{request.client.host if request.client else 'unknown'}",)
    try:
        ctx.survey_throttle.check(keys)
    except TooManyAttempts as exc:
        return exc.retry_after
    ctx.survey_throttle.record(keys)
    return None


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # older browsers send none on same-origin posts; the nonce still guards
    # The host alone: behind a TLS-terminating proxy the app may see http while the browser
    # says https, and a forged post from another site carries that site's host anyway.
    return urlsplit(origin).netloc == urlsplit(str(request.base_url)).netloc


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_form(request: Request, ctx: Ctx, session: Db, token: str) -> Response:
    """The customer's survey, or a page saying it was answered or does not exist."""
    wait = _throttled(ctx, request)
    if wait is not None:
        return _message(request, "slow", retry_after=wait)
    try:
        survey = surveys.open_survey(session, token)
    except surveys.SurveyAnswered:
        return _message(request, "answered")
    except surveys.SurveyUnavailable:
        return _message(request, "gone")
    return _form(request, ctx, token, survey.questions, {})


def _form(
    request: Request,
    ctx: Ctx,
    token: str,
    questions: list[dict[str, Any]],
    values: dict[str, str],
    *,
    error: surveys.AnswerError | None = None,
) -> HTMLResponse:
    return _public(
        request,
        "survey.html",
        422 if error else 200,
        questions=questions,
        values=values,
        error=error,
        action=f"/s/{quote(token, safe='')}",
        nonce=nonce(ctx.secret, token),
        max_answer=surveys.MAX_ANSWER,
    )


@router.post("/s/{token}", response_class=HTMLResponse)
async def survey_submit(request: Request, ctx: Ctx, session: Db, token: str) -> Response:
    """Store the answers once; a second submit gets the "already answered" page."""
    wait = _throttled(ctx, request)
    if wait is not None:
        return _message(request, "slow", retry_after=wait)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    sent = values.pop("nonce", "")
    if not _same_origin(request) or not hmac.compare_digest(sent, nonce(ctx.secret, token)):
        return _message(request, "refused")
    try:
        # The engine reads the comment: off the event loop, in the request's session.
        await run_in_threadpool(
            surveys.submit_survey,
            session,
            token,
            values,
            analyzer=ctx.analyzer,
            redactor=ctx.redactor,
        )
    except surveys.SurveyAnswered:
        return _message(request, "answered")
    except surveys.SurveyUnavailable:
        return _message(request, "gone")
    except surveys.AnswerError as exc:
        survey = surveys.open_survey(session, token)
        return _form(request, ctx, token, survey.questions, values, error=exc)
    return _message(request, "thanks")


# ----------------------------------------------------------------- staff side


def survey_panel(session: Session, user: User, conv: Conversation) -> dict[str, Any]:
    """What the conversation page's survey panel shows: the newest link's state, templates."""
    staff = user.role in ("admin", "coach")
    return {
        "status": surveys.survey_status(session, user, conv),
        "can_create": staff,
        "templates": survey_templates.list_templates(session, user) if staff else [],
    }


@router.post("/conversations/{conversation_id}/survey", response_class=HTMLResponse)
def create_link(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    conversation_id: str,
    template: Annotated[str, Form()] = "",
) -> Response:
    """Make a survey link (revoking an unanswered older one) and show it, this once."""
    template_id = int(template) if template.strip().isdigit() else None
    issued = surveys.create_survey(
        session, user, conversation_id, template_id=template_id, days=ctx.settings.survey_days
    )
    conv = get_conversation(session, user, conversation_id)
    response = page(
        request,
        "survey_created.html",
        conv=conv,
        url=survey_url(request, issued.token),
        issued=issued,
        href="/conversations/" + quote(conv.external_id, safe=""),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


EXAMPLE_QUESTIONS = """\
- key: csat
  kind: scale
  feeds: csat
  text: How did we do?
- key: solved
  kind: yes_no
  feeds: fcr
  text: Did the money reach you?
- key: comment
  kind: text
  feeds: comment
  text: Anything else you'd like to tell us?
"""


@router.get("/surveys/templates", response_class=HTMLResponse)
def templates_page(request: Request, session: Db, user: CurrentUser, saved: str = "") -> Response:
    """The survey templates; admins add one by writing its questions in YAML."""
    return _templates(request, session, user, saved=saved)


def _templates(
    request: Request,
    session: Session,
    user: User,
    *,
    saved: str = "",
    form: dict[str, str] | None = None,
    error: str = "",
) -> Response:
    return page(
        request,
        "survey_templates.html",
        422 if error else 200,
        templates=survey_templates.list_templates(session, user),
        form=form or {"name": "", "questions": EXAMPLE_QUESTIONS},
        saved=saved,
        error=error,
    )


@router.post("/surveys/templates")
def add_template(
    request: Request,
    session: Db,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    questions: Annotated[str, Form()] = "",
) -> Response:
    """Check and store a template; a mistake shows the form again with what is wrong."""
    try:
        try:
            parsed = yaml.safe_load(questions)
        except yaml.YAMLError as exc:
            raise InvalidInputError(f"questions: not valid YAML ({exc})") from None
        made = survey_templates.create_template(session, user, name=name, questions=parsed)
    except (InvalidInputError, ConflictError) as exc:
        form = {"name": name, "questions": questions}
        return _templates(request, session, user, form=form, error=str(exc))
    return RedirectResponse(f"/surveys/templates?saved={quote(made.name)}", status_code=303)


__all__ = ["EXAMPLE_QUESTIONS", "MESSAGES", "nonce", "router", "survey_panel"]
