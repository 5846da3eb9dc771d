"""Browser pages: login and logout here; each section of the app adds its own routes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warmline.store.errors import AuthError
from warmline.store.users import authenticate, issue_token, revoke_token
from warmline.web.deps import SESSION_COOKIE, Ctx, CurrentCaller, Db
from warmline.web.render import page
from warmline.web.throttle import TooManyAttempts

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlparse(target).netloc
    ):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login page."""
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    session: Db,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; set the session cookie and go on, or show the form again."""
    keys = ctx.throttle.keys(email, request.client.host if request.client else None)
    try:
        ctx.throttle.check(keys)
        user = authenticate(session, email, password)
    except (AuthError, TooManyAttempts) as exc:
        if isinstance(exc, AuthError):
            ctx.throttle.failed(keys)
        return page(
            request,
            "login.html",
            status_code=429 if isinstance(exc, TooManyAttempts) else 401,
            next=_safe_next(next),
            error=str(exc),
            email=email,
        )
    ctx.throttle.succeeded(keys)
    issued = issue_token(session, user, kind="session", minutes=ctx.settings.session_minutes)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        max_age=ctx.settings.session_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )
    return response


@router.post("/logout")
def logout(request: Request, session: Db, caller: CurrentCaller) -> Response:
    """Forget the session (the form carries the CSRF token)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        revoke_token(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, caller: CurrentCaller) -> Response:
    """Each role starts on its own dashboard."""
    target = "/dashboard/agent" if caller.user.role == "agent" else "/dashboard/team"
    return RedirectResponse(target, status_code=303)
