"""Domain errors → HTTP: one JSON error shape for the API, an error page for the browser.

Every API error body is ``{"error": {"status": int, "code": str, "message": str}}``, plus
``"items"`` (the records at fault, with line and message) for a refused import.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from warmline.engine.errors import InvalidConversationError, WarmlineError
from warmline.store.conversations import ImportRefused
from warmline.store.errors import (
    AuthError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ReadOnlyDatabaseError,
    StorageFullError,
    StoreError,
    database_error,
)
from warmline.web.throttle import TooManyAttempts

#: Domain error class → (HTTP status, machine-readable code); the first match wins.
STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (AuthError, 401, "unauthorized"),
    (ForbiddenError, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (InvalidInputError, 422, "invalid_input"),
    (InvalidConversationError, 422, "invalid_input"),
    (StorageFullError, 507, "insufficient_storage"),
    (ReadOnlyDatabaseError, 503, "database_read_only"),
    (StoreError, 503, "database_unavailable"),
)
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_requests",
}


class UploadTooLarge(InvalidInputError):
    """A request body over the configured upload limit."""


class LoginRequired(AuthError):
    """A browser page needs a login; the handler redirects to /login."""


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"error": {"status": status, "code": code, "message": message, **extra}}


def wants_html(request: Request) -> bool:
    """True for browser page requests (not /api, and the client accepts HTML)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def respond(request: Request, status: int, code: str, message: str, **extra: Any) -> Response:
    """The error page for a browser, the JSON error shape for anything else."""
    if wants_html(request):
        from warmline.web.render import render_error

        return render_error(request, status, message)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        error_body(status, code, message, **extra), status_code=status, headers=headers
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into the error shape."""

    @app.exception_handler(WarmlineError)
    async def domain_error(request: Request, exc: WarmlineError) -> Response:
        if isinstance(exc, LoginRequired) and wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if isinstance(exc, UploadTooLarge):
            return respond(request, 413, "too_large", str(exc))
        if isinstance(exc, TooManyAttempts):
            response = respond(request, 429, "too_many_requests", str(exc))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        for cls, status, code in STATUS:
            if isinstance(exc, cls):
                extra = (
                    {"items": [e.to_dict() for e in exc.result.errors]}
                    if isinstance(exc, ImportRefused)
                    else {}
                )
                return respond(request, status, code, str(exc), **extra)
        return respond(request, 400, "bad_request", str(exc))

    @app.exception_handler(DBAPIError)
    async def database_failure(request: Request, exc: DBAPIError) -> Response:
        # The request's transaction is rolled back; say why without the SQL or its values.
        if isinstance(exc, IntegrityError):
            message = "the request clashes with data stored at the same moment; send it again"
            return respond(request, 409, "conflict", message)
        if isinstance(exc, DataError):
            said = (str(exc.orig).strip().splitlines() or ["invalid value"])[0][:200]
            return respond(request, 422, "invalid_input", f"a value does not fit: {said}")
        store = database_error(exc)
        return await domain_error(request, store)

    @app.exception_handler(OverflowError)
    async def number_out_of_range(request: Request, exc: OverflowError) -> Response:
        # An integer from the request too large for the database or a date (an id of 2**70,
        # a retention of 10**12 days): the client's mistake, never a 500.
        message = f"a number in the request is out of range ({exc}); use a smaller value"
        return respond(request, 422, "invalid_input", message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [_describe(e) for e in exc.errors()]
        return respond(request, 422, "invalid_input", "; ".join(problems[:5]))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = CODES.get(exc.status_code, "error")
        return respond(request, exc.status_code, code, str(exc.detail))


def _describe(error: Any) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "request"
    return f"{loc}: {error.get('msg', 'invalid')}"


__all__ = ["LoginRequired", "UploadTooLarge", "error_body", "install", "respond", "wants_html"]
