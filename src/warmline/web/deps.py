"""Request dependencies: the app context, a database session, and who is calling.

The API accepts a bearer token; pages (and the composer's fetch calls) use the session
cookie, whose state-changing requests must carry the session's CSRF token.
"""

from __future__ import annotations

import hmac
import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from warmline.store.db import has_written
from warmline.store.errors import AuthError, ForbiddenError
from warmline.store.tables import AuthToken, User
from warmline.store.users import resolve_token
from warmline.web.context import AppContext
from warmline.web.errors import LoginRequired

SESSION_COOKIE = "warmline_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency on a
# worker thread, and each such hop costs a GIL hand-over that, while an import or another
# request computes, waits up to the interpreter's switch interval (5 ms). A draft check went
# through six hops; it now goes through one (the caller's token lookup).


async def get_ctx(request: Request) -> AppContext:
    """The app's shared context."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_session(ctx: Ctx) -> AsyncIterator[Session]:
    """A database session for this request: commits when the handler returns, rolls back on error.

    Opening a session does no I/O (it connects on first use), so it happens on the event
    loop, and so does the end of one that only read (its commit takes no lock). Committing
    writes may wait for a lock, so that runs on a worker thread.
    """
    session = ctx.db.sessions()
    try:
        yield session
    except Exception:
        await run_in_threadpool(_end, session, commit=False)
        raise
    except BaseException:  # cancelled (the client went away): end without awaiting anything
        session.close()  # rolls back
        raise
    if has_written(session):
        await run_in_threadpool(_end, session, commit=True)
    else:
        _end(session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# scope="function": commit before the response is sent, so the request a redirect leads to
# (POST /login → GET /practice) sees what was written. Recent FastAPI ends a yield dependency
# after the response by default, which let a fast browser outrun the commit; where `Depends`
# has no `scope` parameter (older FastAPI) it is left to that version's default.
_BEFORE_RESPONSE: dict[str, Any] = (
    {"scope": "function"} if "scope" in inspect.signature(Depends).parameters else {}
)
Db = Annotated[Session, Depends(get_session, **_BEFORE_RESPONSE)]


@dataclass(frozen=True, slots=True)
class UserView:
    """A plain snapshot of the caller for templates: usable after the request's session ends
    (an error rolls the session back, which expires every ORM object)."""

    id: int
    email: str
    display_name: str
    role: str
    agent_id: str | None
    teams: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> UserView:
        """Snapshot *user*."""
        teams = tuple(t.name for t in user.teams)
        return cls(user.id, user.email, user.display_name, user.role, user.agent_id, teams)


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user and how they proved it (``csrf`` is set for cookie logins)."""

    user: User
    csrf: str | None
    view: UserView


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _caller(request: Request, session: Session) -> Caller:
    bearer = _bearer(request)
    if bearer is not None:
        user, _ = resolve_token(session, bearer, kind="api")
        return Caller(user, None, UserView.of(user))
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        if request.url.path.startswith("/api/"):
            raise AuthError(
                "not authenticated: send `Authorization: Bearer <token>` (POST /api/v1/token)"
            )
        raise LoginRequired("please log in")
    try:
        user, token = resolve_token(session, cookie, kind="session")
    except AuthError as exc:
        if request.url.path.startswith("/api/"):
            raise
        raise LoginRequired(str(exc)) from exc
    _check_csrf(request, token)
    return Caller(user, token.csrf, UserView.of(user))


def _check_csrf(request: Request, token: AuthToken) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token") or getattr(request.state, "csrf_form", None)
    if not sent or not hmac.compare_digest(sent, token.csrf):
        raise ForbiddenError("missing or wrong CSRF token: reload the page and try again")


async def current_caller(request: Request, session: Db) -> Caller:
    """The authenticated caller; 401 (API) or a redirect to /login (pages) when there is none."""
    if request.method not in SAFE_METHODS and _is_form(request):
        form = await request.form()  # cached by Starlette, so handlers can read it again
        value = form.get("csrf")
        request.state.csrf_form = value if isinstance(value, str) else None
    # The token lookup blocks on the database: off the event loop, or a request waiting for a
    # pooled connection would freeze the loop that the connections' holders need to finish.
    caller = await run_in_threadpool(_caller, request, session)
    request.state.caller = caller  # pages render the user and CSRF token from here
    return caller


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def current_user(caller: CurrentCaller) -> User:
    """The authenticated user."""
    return caller.user


CurrentUser = Annotated[User, Depends(current_user)]

__all__ = [
    "SESSION_COOKIE",
    "Caller",
    "UserView",
    "Ctx",
    "CurrentCaller",
    "CurrentUser",
    "Db",
    "get_ctx",
]
