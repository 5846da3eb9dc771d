"""Business results: /results (before vs after a training event, empathy vs CSAT, weekly
trends), the KPI upload on it (POST /results/kpis), and the score downloads
(/export/scores.csv, /export/scores.parquet).

Handlers parse the GET filter (bad values say what to type), keep the caller within their
scope (an agent sees only their own figures; a coach their teams), call the store's report
functions and turn their dataclasses into charts. Every figure and verdict comes from
:mod:`warmline.store.kpi_reports` and :mod:`warmline.store.kpi_correlation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.demo_kpis import DEMO_SOURCE, DEMO_TRAINING_DAY, DEMO_TRAINING_NAME
from warmline.practice.curriculum.loader import shipped_modules
from warmline.store import dashboards as dash
from warmline.store.access import require_role
from warmline.store.conversations import ConversationFilter, ImportRefused
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.kpi_correlation import csat_correlation
from warmline.store.kpi_reports import METRICS, BeforeAfter, before_after
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.kpi_trends import csat_by_band, score_csat_pairs, weekly_trend
from warmline.store.kpis import import_kpis, parse_kpi_text
from warmline.store.tables import User
from warmline.web import results_view as view
from warmline.web.api_results import export_response
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.forms import optional_day
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class ResultsForm:
    """The filter as typed: team id, agent id, event day or module, window, metrics."""

    team: str = ""
    agent: str = ""
    event: str = ""
    module: str = ""
    days: str = ""
    metrics: tuple[str, ...] = field(default_factory=tuple)

    def query(self, **override: str) -> str:
        """The filter as a query string (empty fields left out)."""
        fields: dict[str, Any] = {
            "team": self.team, "agent": self.agent, "event": self.event,
            "module": self.module, "days": self.days,
        }  # fmt: skip
        fields.update(override)
        pairs = [(k, v) for k, v in fields.items() if v] + [("metric", m) for m in self.metrics]
        return urlencode(pairs)


def _resolve(
    session: Session,
    user: User,
    choices: dash.FilterChoices,
    *,
    team: str | None,
    agent: str | None,
    event: str | None,
    module: str | None,
    days: str | None,
    metrics: list[str],
) -> ResultsForm:
    """Check the fields against what *user* may see; defaults: an agent's own figures, a
    coach's or admin's first team."""
    if user.role == "agent":
        if agent and agent != user.agent_id:
            raise ForbiddenError("agents see only their own figures")
        team, agent = "", user.agent_id or ""
    team_ids = {str(t) for t, _ in choices.teams}
    if team and team not in team_ids:
        raise ForbiddenError("that team is not one of yours; pick one of your teams")
    if agent and user.role != "agent" and not dash.agent_visible(session, user, agent):
        raise ForbiddenError(f"agent {agent!r} is outside what your role may see")
    if user.role != "agent" and not team and not agent and choices.teams:
        team = str(choices.teams[0][0])
    day = optional_day("event", event)
    if days and (not days.strip().isdigit() or not 1 <= int(days) <= 3650):
        raise InvalidInputError(f"days: {days!r} is not a number of days from 1 to 3650")
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise InvalidInputError(f"metric: {unknown[0]!r} is unknown; expected {', '.join(METRICS)}")
    return ResultsForm(
        team=team or "", agent=agent or "", event=day.isoformat() if day else "",
        module=(module or "").strip(), days=(days or "").strip(), metrics=tuple(metrics),
    )  # fmt: skip


def _team_name(choices: dash.FilterChoices, team: str) -> str | None:
    return next((name for t, name in choices.teams if str(t) == team), None) if team else None


def _report(session: Session, user: User, form: ResultsForm, team_name: str | None) -> BeforeAfter:
    return before_after(
        session, user,
        event=optional_day("event", form.event), module=form.module or None,
        team=team_name, agent=form.agent or None, metrics=list(form.metrics) or None,
        window_days=int(form.days) if form.days else None,
    )  # fmt: skip


def _context(
    session: Session, user: User, form: ResultsForm, choices: dash.FilterChoices
) -> dict[str, Any]:
    team_name = _team_name(choices, form.team)
    names = dict(choices.agents)
    flt = ConversationFilter(
        team_id=int(form.team) if form.team else None, agent_id=form.agent or None
    )
    report, report_error = None, None
    if form.event or form.module:
        try:
            report = _report(session, user, form, team_name)
        except (InvalidInputError, NotFoundError) as exc:
            report_error = str(exc)
    correlation = csat_correlation(
        session, user, ConversationFilter(agent_id=form.agent or None), team=team_name
    )
    pairs = score_csat_pairs(session, user, flt)
    weeks = weekly_trend(session, user, flt)
    return {
        "form": form,
        "choices": choices,
        "names": names,
        "team_name": team_name,
        "modules": [(m.id, m.title) for m in shipped_modules()],
        "metric_choices": METRICS,
        "report": report,
        "report_error": report_error,
        "groups": view.groups(report, names) if report else [],
        "correlation": correlation,
        "scatter": view.scatter(pairs, csat_by_band(pairs)) if pairs else None,
        "behaviour_chart": view.behaviour_chart(correlation.behaviours),
        "trend": view.trend_charts(weeks),
        "weeks": weeks,
        "demo": _has_demo_kpis(session),
        "demo_day": DEMO_TRAINING_DAY.isoformat(),
        "demo_name": DEMO_TRAINING_NAME,
        "export_query": urlencode(
            {k: v for k, v in (("team", form.team), ("agent", form.agent)) if v}
        ),
    }


def _has_demo_kpis(session: Session) -> bool:
    return (
        session.scalar(
            select(ConversationKpi.id).where(ConversationKpi.source == DEMO_SOURCE).limit(1)
        )
        is not None
    )


def _render(
    request: Request,
    session: Session,
    user: User,
    form: ResultsForm,
    choices: dash.FilterChoices,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context = _context(session, user, form, choices)
    upload: dict[str, Any] = {
        "kpi_result": None,
        "kpi_error": None,
        "kpi_errors": [],
        "kpi_text": "",
    }
    return page(request, "results.html", status_code=status_code, **{**context, **upload, **extra})


@router.get("/results", response_class=HTMLResponse)
def results(
    request: Request,
    session: Db,
    user: CurrentUser,
    team: str | None = None,
    agent: str | None = None,
    event: str | None = None,
    module: str | None = None,
    days: str | None = None,
    metric: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Before vs after a training event, empathy vs CSAT, and weekly trends, in scope."""
    choices = dash.filter_choices(session, user)
    form = _resolve(
        session, user, choices, team=team, agent=agent, event=event, module=module, days=days,
        metrics=metric or [],
    )  # fmt: skip
    return _render(request, session, user, form, choices)


@router.post("/results/kpis", response_class=HTMLResponse)
async def upload_kpis(
    request: Request,
    session: Db,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
    kpis: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    agent: Annotated[str, Form()] = "",
) -> Response:
    """Import KPIs from an uploaded CSV / JSON Lines / JSON file or pasted CSV (all or nothing)."""
    require_role(user, "admin", "coach")
    limit = request.app.state.ctx.max_upload_bytes
    choices = dash.filter_choices(session, user)
    form = _resolve(
        session, user, choices, team=team, agent=agent, event=None, module=None, days=None, metrics=[]
    )  # fmt: skip
    try:
        if file is not None and file.filename:
            raw = await file.read(limit + 1)
            name = file.filename
        elif kpis.strip():
            raw, name = kpis.encode(), "pasted.csv"
        else:
            raise InvalidInputError("choose a KPI file to upload or paste CSV rows")
        if len(raw) > limit:
            raise InvalidInputError(
                f"{name} is over the upload limit; split it (nothing was imported)"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{name} is not UTF-8 text: {exc}") from None
        records = parse_kpi_text(text, filename=name)
        result = await run_in_threadpool(import_kpis, session, user, records, source=name)
    except ImportRefused as exc:
        errors = [e.to_dict() for e in exc.result.errors]
        return _render(
            request, session, user, form, choices, status_code=422,
            kpi_error=str(exc), kpi_errors=errors, kpi_text=kpis,
        )  # fmt: skip
    except InvalidInputError as exc:
        return _render(
            request, session, user, form, choices, status_code=422, kpi_error=str(exc), kpi_text=kpis
        )  # fmt: skip
    return _render(
        request, session, user, form, choices, kpi_result=result.to_dict(), kpi_source=name
    )


@router.get("/export/scores.{fmt}")
def export_scores(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    fmt: str,
    level: str = "conversation",
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The scores download of the results and dashboard pages (session cookie)."""
    return export_response(
        request, ctx, session, user, fmt=fmt, level=level, team=team, agent=agent,
        channel=channel, since=since, until=until,
    )  # fmt: skip


__all__ = ["router"]
