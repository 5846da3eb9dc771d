"""The app factory: settings in, a FastAPI app out (pages, REST API, static files, error shape)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

import warmline
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.settings import Settings
from warmline.store.db import Database, require_current
from warmline.store.jobs import ImportRunner
from warmline.web import api, api_kpi, api_learn, api_practice, api_privacy, errors, pages, sections
from warmline.web.api_calibration import router as calibration_api
from warmline.web.api_feedback import router as feedback_api
from warmline.web.api_results import router as results_api
from warmline.web.context import AppContext
from warmline.web.retention_schedule import RetentionSchedule


def create_app(settings: Settings | None = None, *, analyzer: Analyzer | None = None) -> FastAPI:
    """Build the app for *settings*; the database must already be at the newest schema.

    Without *settings* (``uvicorn --factory warmline.web:create_app``) they come from the
    environment, and ``WARMLINE_SECRET_KEY`` must be set there.
    """
    from_env = settings is None
    settings = settings if settings is not None else Settings()
    db = Database(settings.resolved_database_url())
    require_current(db)
    analyzer = analyzer if analyzer is not None else Analyzer()
    ctx = AppContext(
        settings=settings,
        db=db,
        analyzer=analyzer,
        redactor=Redactor(kinds=settings.redact_kinds),
        runner=ImportRunner(db, analyzer),
        secret=settings.resolved_secret(required=from_env),
    )

    schedule = (
        RetentionSchedule(db, ctx.secret, days=settings.retention_days)
        if settings.retention_days
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if schedule is not None:
            schedule.start()
        yield
        if schedule is not None:
            schedule.stop()
        ctx.runner.shutdown()
        db.dispose()

    app = FastAPI(
        title="Warmline",
        version=warmline.__version__,
        description="Empathy coaching for customer-service teams: conversations, draft checks, reviews.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN, which an offline deployment
        # cannot reach; the schema itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.retention = schedule
    errors.install(app)
    app.middleware("http")(_limit_body(ctx))
    app.middleware("http")(_security_headers)
    app.middleware("http")(_admit(MAX_IN_FLIGHT))  # outermost: before anything touches the database
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("warmline.web").joinpath("static"))),
        name="static",
    )
    app.include_router(api.router)
    app.include_router(api_practice.router)
    app.include_router(api_learn.router)
    app.include_router(api_kpi.router)
    app.include_router(results_api)
    app.include_router(api_privacy.router)
    app.include_router(feedback_api)
    app.include_router(calibration_api)
    app.include_router(pages.router)
    for router in sections.routers():
        app.include_router(router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": db.engine.dialect.name, "version": warmline.__version__}

    return app


#: Sent with every response: no framing, no MIME sniffing, only our own scripts and styles
#: (inline style attributes are used for bar widths; there are no inline scripts).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


#: Requests handled at once; more wait their turn in the event loop, holding nothing. Below
#: the database pool's size (warmline.store.db.POOL_CONNECTIONS), so that a request can always
#: get a connection: with more requests than connections in flight, one waiting for a
#: connection on the event loop (async handlers, the login check) froze the whole server.
MAX_IN_FLIGHT = 32


def _admit(
    limit: int,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Let at most *limit* requests in at once; the others queue, first come first served."""
    gate = asyncio.Semaphore(limit)

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        async with gate:
            return await call_next(request)

    return middleware


def _limit_body(
    ctx: AppContext,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Refuse a request whose declared body is over the upload limit before reading it."""

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > ctx.max_upload_bytes + 64 * 1024:
            message = (
                f"the request body is {int(length) / 1e6:.1f} MB, over the upload limit of "
                f"{ctx.settings.max_upload_mb} MB; split the file or raise WARMLINE_MAX_UPLOAD_MB "
                f"(nothing was imported)"
            )
            return errors.respond(request, 413, "too_large", message)
        return await call_next(request)

    return middleware


__all__ = ["create_app"]
