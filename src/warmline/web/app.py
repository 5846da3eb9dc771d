"""The app factory: settings in, a FastAPI app out (pages, REST API, static files, error shape)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

import warmline
from warmline.engine.detectors import DEFAULT_DETECTORS
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.settings import Settings
from warmline.store.db import Database, require_current
from warmline.store.import_pool import ImportPool
from warmline.store.jobs import ImportRunner
from warmline.web import api, api_kpi, api_learn, api_practice, api_privacy, errors, pages, sections
from warmline.web.api_calibration import router as calibration_api
from warmline.web.api_feedback import router as feedback_api
from warmline.web.api_results import router as results_api
from warmline.web.context import AppContext
from warmline.web.middleware import Admit, BodyLimit, SecurityHeaders
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
    # Imports run in worker processes, so draft checks never wait behind them; the workers
    # build the default engine, so a caller's own analyzer keeps imports in-process.
    pool = (
        ImportPool(db.url, settings.import_workers)
        if settings.import_workers and _is_default(analyzer)
        else None
    )
    ctx = AppContext(
        settings=settings,
        db=db,
        analyzer=analyzer,
        redactor=Redactor(kinds=settings.redact_kinds),
        runner=ImportRunner(db, analyzer, pool),
        secret=settings.resolved_secret(required=from_env),
        pool=pool,
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
        if pool is not None:
            pool.shutdown()
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
    app.add_middleware(BodyLimit, limit=ctx.max_upload_bytes + 64 * 1024, refuse=_too_large(ctx))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Admit, limit=MAX_IN_FLIGHT)  # outermost: before anything touches the database
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


def _is_default(analyzer: Analyzer) -> bool:
    """True for an analyzer with the default detectors and no team models (what a worker builds)."""
    names = {f"{d.name}.v{d.version}" for d in analyzer.detectors}
    return analyzer.team is None and analyzer.calibrator is not None and names == set(DEFAULT_DETECTORS)


#: Requests handled at once; more wait their turn in the event loop, holding nothing. Below
#: the database pool's size (warmline.store.db.POOL_CONNECTIONS), so that a request can always
#: get a connection: with more requests than connections in flight, one waiting for a
#: connection on the event loop (async handlers, the login check) froze the whole server.
MAX_IN_FLIGHT = 32


def _too_large(ctx: AppContext) -> Callable[[Request, int], Response]:
    """The 413 answer for a declared body over the upload limit."""

    def refuse(request: Request, length: int) -> Response:
        message = (
            f"the request body is {length / 1e6:.1f} MB, over the upload limit of "
            f"{ctx.settings.max_upload_mb} MB; split the file or raise WARMLINE_MAX_UPLOAD_MB "
            f"(nothing was imported)"
        )
        return errors.respond(request, 413, "too_large", message)

    return refuse


__all__ = ["create_app"]
