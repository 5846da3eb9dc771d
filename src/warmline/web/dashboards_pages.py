"""Dashboards and export: /dashboard/team, /dashboard/agent and /export/conversations.csv.

Handlers parse the filter (bad values are a 422 saying what to type), check the caller may
see the team or agent asked for (403 otherwise), then call :mod:`warmline.store.dashboards`
and turn its dataclasses into charts and template context.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from warmline.store import dashboards as dash
from warmline.store.access import require_role
from warmline.store.conversations import ConversationFilter
from warmline.store.errors import ForbiddenError, InvalidInputError
from warmline.store.exports import csv_line, spreadsheet_safe
from warmline.store.surveys import csat_summary, list_answers
from warmline.store.tables import User
from warmline.web.charts import Point, bar_chart, trend_chart
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.forms import optional_day
from warmline.web.render import label_name, page

router = APIRouter(include_in_schema=False)

#: The default range: this many days, ending on the day of the newest conversation shown.
DEFAULT_DAYS = 30
EVERYONE = "Everyone shown"


@dataclass(frozen=True, slots=True)
class FilterForm:
    """The filter as typed (for the form and links) and as resolved (for the queries)."""

    team: str = ""
    agent: str = ""
    channel: str = ""
    since: str = ""
    until: str = ""

    def query(self, **override: str) -> str:
        """The filter as a query string (empty fields left out)."""
        fields = {
            "team": self.team,
            "agent": self.agent,
            "channel": self.channel,
            "since": self.since,
            "until": self.until,
        }
        fields.update(override)
        return urlencode({k: v for k, v in fields.items() if v})


def parse_filter(
    session: Session,
    user: User,
    *,
    team: str | None,
    agent: str | None,
    channel: str | None,
    since: str | None,
    until: str | None,
    default_range: bool,
) -> tuple[ConversationFilter, FilterForm]:
    """Check and resolve the filter fields; dates default to the last DEFAULT_DAYS of data."""
    team_id = None
    if team:
        if not team.strip().isdigit():
            raise InvalidInputError(f"team: {team!r} is not a team id; pick a team from the list")
        team_id = int(team)
        if user.role != "admin" and team_id not in {t.id for t in user.teams}:
            raise ForbiddenError("that team is not one of yours; pick one of your teams")
    if agent and not dash.agent_visible(session, user, agent):
        raise ForbiddenError(f"agent {agent!r} is outside what your role may see")
    first, last = optional_day("since", since), optional_day("until", until)
    base = ConversationFilter(team_id=team_id, agent_id=agent or None, channel=channel or None)
    if default_range and last is None:
        newest = dash.newest_started(session, user, base)
        last = newest.date() if newest is not None else datetime.now(UTC).date()
        if first is not None and first > last:  # a start after the data: show that window
            last = first + timedelta(days=DEFAULT_DAYS - 1)
    if default_range and first is None and last is not None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first is not None and last is not None and first > last:
        raise InvalidInputError(f"since ({first}) is after until ({last}); swap the dates")
    flt = replace(
        base,
        since=datetime.combine(first, time.min, UTC) if first else None,
        until=datetime.combine(last, time.max, UTC) if last else None,
    )
    form = FilterForm(
        team=str(team_id) if team_id is not None else "",
        agent=agent or "",
        channel=channel or "",
        since=first.isoformat() if first else "",
        until=last.isoformat() if last else "",
    )
    return flt, form


# ----------------------------------------------------------------- pages


@router.get("/dashboard/team", response_class=HTMLResponse)
def team_dashboard(
    request: Request,
    session: Db,
    user: CurrentUser,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The team's scores over time, behaviours, conversations needing review and recognition."""
    require_role(user, "coach", "admin")
    flt, form = parse_filter(
        session, user, team=team, agent=agent, channel=channel, since=since, until=until,
        default_range=True,
    )  # fmt: skip
    data = dash.team_dashboard(session, user, flt)
    choices = dash.filter_choices(session, user)
    names = dict(choices.agents)
    days = _days(form, data.days)
    return page(
        request,
        "dashboard_team.html",
        data=data,
        form=form,
        choices=choices,
        names=names,
        days=days,
        score_chart=_score_chart(data.days, names, days, everyone=True),
        breakdown_chart=_breakdown_chart(data.breakdown),
        daily=_daily_table(data.days, days),
        export_href=f"/export/conversations.csv?{form.query()}",
        highlight=highlight,
        href=conversation_href,
        margin=dash.RECOGNITION_MARGIN,
        min_conversations=dash.RECOGNITION_MIN_CONVERSATIONS,
        review_below=dash.REVIEW_BELOW,
        survey_csat=csat_summary(session, user, flt),
    )


@router.get("/dashboard/agent", response_class=HTMLResponse)
def agent_dashboard(
    request: Request,
    session: Db,
    user: CurrentUser,
    agent_id: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """One agent's scores over time, strengths, missed opportunities and best moments."""
    if user.role == "agent":
        if agent_id and agent_id != user.agent_id:
            raise ForbiddenError("agents see only their own dashboard")
        agent_id = user.agent_id
    choices = dash.filter_choices(session, user)
    names = dict(choices.agents)
    context: dict[str, Any] = {"choices": choices, "names": names, "agent_id": agent_id}
    if not agent_id:
        # A coach or admin picks an agent; an agent without an agent id has no data yet.
        return page(request, "dashboard_agent.html", data=None, form=FilterForm(), **context)
    flt, form = parse_filter(
        session, user, team=None, agent=agent_id, channel=channel, since=since, until=until,
        default_range=True,
    )  # fmt: skip
    data = dash.agent_dashboard(session, user, agent_id, flt)
    days = _days(form, data.days)
    return page(
        request,
        "dashboard_agent.html",
        data=data,
        form=form,
        days=days,
        score_chart=_score_chart(data.days, names, days, everyone=False),
        export_href=f"/export/conversations.csv?{form.query()}",
        highlight=highlight,
        href=conversation_href,
        said=list_answers(session, user, agent_id=agent_id, limit=5),  # survey answers
        **context,
    )


@router.get("/export/conversations.csv")
def export_csv(
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """Conversations in scope matching the filter as CSV, one row each (no dates: all)."""
    if user.role == "agent":
        if agent and agent != user.agent_id:
            raise ForbiddenError("agents may export only their own conversations")
        agent = user.agent_id or ""
    flt, form = parse_filter(
        session, user, team=team, agent=agent, channel=channel, since=since, until=until,
        default_range=False,
    )  # fmt: skip
    user_id = user.id
    name = "conversations" + "".join(f"_{v}" for v in (form.since, form.until) if v) + ".csv"

    def rows() -> Iterator[str]:
        # A session of its own: the request's one ends before the body has been streamed.
        with ctx.db.session() as own:
            caller = own.get(User, user_id)
            if caller is None:
                return
            # Lines go out in chunks: each item of a sync stream is a hop to the thread pool.
            chunk = [_csv_line(EXPORT_COLUMNS)]
            for row in dash.export_rows(own, caller, flt):
                chunk.append(_csv_line(_export_cells(row)))
                if len(chunk) >= 500:
                    yield "".join(chunk)
                    chunk = []
            yield "".join(chunk)

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{quote(name)}"'},
    )


# ----------------------------------------------------------------- CSV

EXPORT_COLUMNS = (
    "id",
    "external_id",
    "started_at",
    "team",
    "agent_id",
    "channel",
    "customer_name",
    "score",
    "lowest_turn_score",
    "escalated",
    "deescalated",
    "behaviours",
    "missed_opportunities",
    "anti_patterns",
)


# One CSV writer and one formula guard for every export (see warmline.store.exports).
_csv_line = csv_line
_text = spreadsheet_safe


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _export_cells(row: dash.ExportRow) -> list[object]:
    return [
        row.id,
        _text(row.external_id),
        row.started_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        _text(row.team),
        _text(row.agent_id),
        _text(row.channel),
        _text(row.customer_name),
        "" if row.score is None else row.score,
        "" if row.lowest_turn_score is None else row.lowest_turn_score,
        _flag(row.escalated),
        _flag(row.deescalated),
        row.behaviours,
        row.missed,
        row.anti_patterns,
    ]


# ----------------------------------------------------------------- view helpers


def conversation_href(external_id: str) -> str:
    """The conversation page, addressed like the REST API addresses it: by its id."""
    return f"/conversations/{quote(external_id, safe='')}"


def highlight(text: str, spans: tuple[dash.Span, ...]) -> list[tuple[str, str]]:
    """Split *text* into (piece, behaviours) runs; a run inside spans names them, else ""."""
    cuts = {0, len(text)}
    for s in spans:
        cuts.update(p for p in (s.start, s.end) if 0 <= p <= len(text))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        names = sorted({label_name(s.label) for s in spans if s.start <= a and b <= s.end})
        out.append((text[a:b], ", ".join(names)))
    return out


#: Up to this many days the chart has a slot for every day; beyond, only days with data.
CHART_EVERY_DAY = 120


def _days(form: FilterForm, data: list[dash.DayScore]) -> list[date]:
    """The chart's x axis: every day of the range, or for a long range the days with data."""
    if not form.since or not form.until:
        return []
    first, last = date.fromisoformat(form.since), date.fromisoformat(form.until)
    if (last - first).days >= CHART_EVERY_DAY:
        return sorted({d.day for d in data})
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class ScoreChart:
    """The score chart's SVG and its legend: (series name, CSS class) in drawing order."""

    svg: Markup
    legend: list[tuple[str, str]]


def _score_chart(
    days_data: list[dash.DayScore], names: dict[str, str], days: list[date], *, everyone: bool
) -> ScoreChart | None:
    if not days_data or not days:
        return None
    per_agent: dict[str, dict[date, dash.DayScore]] = {}
    for d in days_data:
        per_agent.setdefault(d.agent_id, {})[d.day] = d
    series = [
        (names.get(agent, agent), _points(names.get(agent, agent), days, by_day))
        for agent, by_day in sorted(per_agent.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]
    if everyone and len(per_agent) > 1:
        series.append((EVERYONE, _points(EVERYONE, days, _pooled(days_data))))
    svg = trend_chart(
        series,
        low=0,
        high=100,
        emphasis=EVERYONE if everyone else None,
        aria_label="mean empathy score per agent per day",
    )
    legend = [
        (name, "emphasis" if name == EVERYONE else f"s{k}") for k, (name, _) in enumerate(series)
    ]
    return ScoreChart(svg, legend)


def _pooled(days_data: list[dash.DayScore]) -> dict[date, dash.DayScore]:
    totals: dict[date, list[float]] = {}
    for d in days_data:
        if d.mean_score is not None:
            t = totals.setdefault(d.day, [0.0, 0.0, 0.0])
            t[0] += d.mean_score * d.scored
            t[1] += d.scored
            t[2] += d.conversations
    return {
        day: dash.DayScore(EVERYONE, day, int(n), round(s / w, 1), int(w))
        for day, (s, w, n) in totals.items()
    }


def _points(name: str, days: list[date], by_day: dict[date, dash.DayScore]) -> list[Point]:
    out = []
    for day in days:
        d = by_day.get(day)
        value = d.mean_score if d is not None else None
        title = (
            f"{name} · {day.isoformat()}: {value:g} ({d.conversations} conversations)"
            if d is not None and value is not None
            else ""
        )
        out.append(Point(day.strftime("%b %d"), value, title))
    return out


def _breakdown_chart(breakdown: dash.Breakdown) -> Any:
    bars = [(label_name(c.label), round(100 * c.share), "") for c in breakdown.behaviours[:8]]
    bars += [
        (label_name(c.label), round(100 * c.share), "anti") for c in breakdown.anti_patterns[:5]
    ]
    bars += [(label_name(c.label), round(100 * c.share), "missed") for c in breakdown.missed[:5]]
    if not bars:
        return None
    return bar_chart(
        [(label, float(v), cls) for label, v, cls in bars],
        maximum=100,
        width=640,
        aria_label="share of conversations showing each behaviour, anti-pattern and miss",
    )


def _daily_table(
    days_data: list[dash.DayScore], days: list[date]
) -> list[tuple[date, dict[str, dash.DayScore]]]:
    """Rows of (day, agent → figures), newest first, days without data left out."""
    rows: dict[date, dict[str, dash.DayScore]] = {}
    for d in days_data:
        rows.setdefault(d.day, {})[d.agent_id] = d
    return [(day, rows[day]) for day in sorted(rows, reverse=True) if not days or day in days]
