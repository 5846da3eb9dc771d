"""Before vs after a training event, per team and per agent, within what the caller may see.

The event is one day for everyone (``event``), or each agent's own day of completing a
training module (``module``; agents who have not completed it are left out and listed).
Conversations fall before the event when they started before its day (00:00 UTC), after it
otherwise. Agent-period figures count before when the period ended before the event's day and
after when it started on or after it; periods that straddle the event are left out. The
figures and their wording come from :mod:`warmline.stats`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from warmline import stats
from warmline.store.access import agent_ids_visible, conversation_filter, team_ids
from warmline.store.conversations import ConversationFilter, apply_filter
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.kpi_tables import PERIOD_METRICS, AgentKpi, ConversationKpi
from warmline.store.tables import Conversation, Membership, Team, User
from warmline.store.training_events import module_completions

#: Conversation metrics: name → (what it is, whether higher is better).
CONVERSATION_METRICS: dict[str, tuple[str, bool]] = {
    "empathy": ("empathy score (0-100)", True),
    "csat": ("CSAT (1-5)", True),
    "fcr": ("first-contact resolution (share)", True),
    "repeat_contact": ("repeat contact (share)", False),
    "nps": ("NPS (-100 to 100)", True),
}
#: Agent-period metrics: name → what it is (higher is better for all of them).
PERIOD_LABELS: dict[str, str] = {
    "csat": "CSAT per period (1-5)",
    "fcr_rate": "first-contact resolution rate per period",
    "retention_rate": "retention rate per period",
    "nps": "NPS per period",
    "engagement": "employee engagement score",
}
METRICS = tuple(dict.fromkeys([*CONVERSATION_METRICS, *PERIOD_METRICS]))


@dataclass(frozen=True, slots=True)
class Comparison:
    """One metric before and after the event, with its verdict."""

    metric: str
    label: str
    #: "conversations" or "periods": what each observation is.
    basis: str
    higher_is_better: bool
    figures: stats.Difference
    verdict: stats.Verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "metric": self.metric,
            "label": self.label,
            "basis": self.basis,
            "higher_is_better": self.higher_is_better,
            **self.figures.to_dict(),
            "verdict": self.verdict.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class GroupReport:
    """The comparisons for one team or one agent."""

    kind: str
    name: str
    comparisons: list[Comparison]
    #: The agent's own event day when the event is a module completion.
    event: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "name": self.name,
            "event": self.event.isoformat() if self.event else None,
            "comparisons": [c.to_dict() for c in self.comparisons],
        }


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """A before/after report: the event, the groups, and the rules the verdicts follow."""

    event: date | None
    team: str | None
    agent: str | None
    window_days: int | None
    groups: list[GroupReport]
    #: The module whose completion is each agent's event (``event`` is then None).
    module: str | None = None
    #: Agents in scope who have not completed ``module``: left out of every figure.
    not_completed: list[str] = field(default_factory=list)
    min_n: int = stats.MIN_N
    confidence: float = stats.CONFIDENCE
    resamples: int = stats.RESAMPLES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "event": self.event.isoformat() if self.event else None,
            "module": self.module,
            "not_completed": self.not_completed,
            "team": self.team,
            "agent": self.agent,
            "window_days": self.window_days,
            "min_n": self.min_n,
            "confidence": self.confidence,
            "resamples": self.resamples,
            "groups": [g.to_dict() for g in self.groups],
        }


@dataclass(slots=True)
class _Sides:
    before: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    after: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    periods_before: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    periods_after: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


# ----------------------------------------------------------------- scope


def find_team(session: Session, name: str) -> Team:
    """The team called *name* (or with that numeric id); else :class:`NotFoundError`."""
    team = session.scalar(select(Team).where(Team.name == name.strip()))
    if team is None and name.strip().isdigit():
        team = session.get(Team, int(name.strip()))
    if team is None:
        raise NotFoundError(f"no team called {name!r}")
    return team


def check_scope(session: Session, user: User | None, team: Team | None, agent: str | None) -> None:
    """Raise :class:`ForbiddenError` when *team* or *agent* is outside what *user* may see."""
    if user is None or user.role == "admin":
        return
    if team is not None and team.id not in team_ids(user):
        raise ForbiddenError(f"team {team.name!r} is not one of your teams")
    visible = agent_ids_visible(session, user)
    if agent is not None and visible is not None and agent not in visible:
        raise ForbiddenError(f"agent {agent!r} is outside what your role may see")


def _period_filter(user: User | None) -> ColumnElement[bool]:
    if user is None or user.role == "admin":
        return true()
    if user.role == "agent":
        return AgentKpi.agent_id == user.agent_id if user.agent_id else false()
    teams = team_ids(user)
    agents = (
        select(User.agent_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id.in_(teams), User.agent_id.is_not(None))
    )
    return or_(AgentKpi.team_id.in_(teams), AgentKpi.agent_id.in_(agents))


@dataclass(frozen=True, slots=True)
class _Events:
    """The event day: one for everyone, or each agent's own (None: no event, left out)."""

    day: date | None
    per_agent: dict[str, date] | None = None

    def of(self, agent_id: str | None) -> date | None:
        if self.per_agent is None:
            return self.day
        return self.per_agent.get(agent_id) if agent_id else None


# ----------------------------------------------------------------- before / after


def before_after(
    session: Session,
    user: User | None,
    *,
    event: date | None = None,
    module: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    metrics: Sequence[str] | None = None,
    window_days: int | None = None,
) -> BeforeAfter:
    """Each metric before vs after the event (a day, or each agent's completion of *module*),
    for the team and each of its agents (or one agent)."""
    wanted = _metrics(metrics)
    if (event is None) == (module is None):
        raise InvalidInputError(
            "give the training event as a day (event=YYYY-MM-DD) or as a module "
            "(module=ID: each agent's day of completing it)"
        )
    if user is not None and user.role == "agent":
        if agent not in (None, user.agent_id):
            raise ForbiddenError("agents see only their own figures")
        agent = user.agent_id or ""
    if team is None and agent is None:
        raise InvalidInputError("say which team (team=NAME) or agent (agent=ID) to report on")
    team_row = find_team(session, team) if team is not None else None
    check_scope(session, user, team_row, agent)
    events = _Events(event, module_completions(session, module) if module else None)
    groups: dict[str, _Sides] = defaultdict(_Sides)
    if agent is not None:
        groups[agent] = _Sides()  # reported even without data: "too little data" says so
    missing: set[str] = set()
    _collect_conversations(session, user, team_row, agent, events, window_days, groups, missing)
    _collect_periods(session, user, team_row, agent, events, window_days, groups, missing)
    reports: list[GroupReport] = []
    if agent is None and team_row is not None:
        reports.append(_group("team", team_row.name, groups.pop("", _Sides()), wanted))
    groups.pop("", None)
    for name in sorted(groups):
        report = _group("agent", name, groups[name], wanted)
        reports.append(replace(report, event=events.of(name)) if module else report)
    return BeforeAfter(
        event,
        team_row.name if team_row else None,
        agent,
        window_days,
        reports,
        module=module,
        not_completed=sorted(missing),
    )


def _metrics(metrics: Sequence[str] | None) -> list[str]:
    if not metrics:
        return list(METRICS)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise InvalidInputError(f"unknown metric {unknown[0]!r}: expected {', '.join(METRICS)}")
    return list(dict.fromkeys(metrics))


def _nps_points(answer: int) -> float:
    """A 0-10 answer as its NPS contribution: promoters +100, passives 0, detractors -100."""
    return 100.0 if answer >= 9 else 0.0 if answer >= 7 else -100.0


def _conversation_values(row: Any) -> dict[str, float]:
    values: dict[str, float] = {}
    if row.score is not None:
        values["empathy"] = float(row.score)
    if row.csat is not None:
        values["csat"] = float(row.csat)
    if row.fcr is not None:
        values["fcr"] = 1.0 if row.fcr else 0.0
    if row.repeat_contact is not None:
        values["repeat_contact"] = 1.0 if row.repeat_contact else 0.0
    if row.nps is not None:
        values["nps"] = _nps_points(row.nps)
    return values


def _collect_conversations(
    session: Session,
    user: User | None,
    team: Team | None,
    agent: str | None,
    events: _Events,
    window_days: int | None,
    groups: dict[str, _Sides],
    missing: set[str],
) -> None:
    flt = ConversationFilter(team_id=team.id if team else None, agent_id=agent)
    if events.day is not None and window_days:  # one day for all: narrow in SQL
        start = datetime.combine(events.day, time(), tzinfo=UTC)
        flt = replace(
            flt,
            since=start - timedelta(days=window_days),
            until=start + timedelta(days=window_days),
        )
    stmt = select(
        Conversation.agent_id,
        Conversation.started_at,
        Conversation.score,
        ConversationKpi.csat,
        ConversationKpi.fcr,
        ConversationKpi.repeat_contact,
        ConversationKpi.nps,
    ).outerjoin(ConversationKpi, ConversationKpi.conversation_id == Conversation.id)
    if user is not None:
        stmt = stmt.where(conversation_filter(session, user))
    for row in session.execute(apply_filter(stmt, flt)):
        day = events.of(row.agent_id)
        if day is None:
            missing.update([row.agent_id] if row.agent_id else [])
            continue
        start = datetime.combine(day, time(), tzinfo=UTC)
        if window_days and not abs(row.started_at - start) < timedelta(days=window_days):
            continue
        after = row.started_at >= start
        for metric, value in _conversation_values(row).items():
            for key in ("", row.agent_id):
                if key is not None:
                    side = groups[key].after if after else groups[key].before
                    side[metric].append(value)


def _collect_periods(
    session: Session,
    user: User | None,
    team: Team | None,
    agent: str | None,
    events: _Events,
    window_days: int | None,
    groups: dict[str, _Sides],
    missing: set[str],
) -> None:
    stmt = select(AgentKpi).where(_period_filter(user))
    if team is not None:
        stmt = stmt.where(AgentKpi.team_id == team.id)
    if agent is not None:
        stmt = stmt.where(AgentKpi.agent_id == agent)
    for row in session.scalars(stmt):
        event = events.of(row.agent_id)
        if event is None:
            missing.add(row.agent_id)
            continue
        if window_days and (
            row.period_start < event - timedelta(days=window_days)
            or row.period_end >= event + timedelta(days=window_days)
        ):
            continue
        if row.period_end < event:
            sides = [groups[k].periods_before for k in ("", row.agent_id)]
        elif row.period_start >= event:
            sides = [groups[k].periods_after for k in ("", row.agent_id)]
        else:
            continue  # straddles the event: neither before nor after
        for side in sides:
            side[row.metric].append(row.value)


def _group(kind: str, name: str, sides: _Sides, wanted: Sequence[str]) -> GroupReport:
    comparisons: list[Comparison] = []
    for metric in wanted:
        if metric in CONVERSATION_METRICS:
            label, higher = CONVERSATION_METRICS[metric]
            before, after = sides.before.get(metric, []), sides.after.get(metric, [])
            if before or after or metric == "empathy":
                comparisons.append(_compare(metric, label, "conversations", higher, before, after))
    for metric in wanted:
        if metric in PERIOD_METRICS:
            before = sides.periods_before.get(metric, [])
            after = sides.periods_after.get(metric, [])
            if before or after:
                comparisons.append(
                    _compare(metric, PERIOD_LABELS[metric], "periods", True, before, after)
                )
    return GroupReport(kind, name, comparisons)


def _compare(
    metric: str,
    label: str,
    basis: str,
    higher: bool,
    before: Sequence[float],
    after: Sequence[float],
) -> Comparison:
    figures = stats.mean_difference(before, after)
    verdict = stats.difference_verdict(figures, higher_is_better=higher, unit=basis)
    return Comparison(metric, label, basis, higher, figures, verdict)


__all__ = [
    "CONVERSATION_METRICS",
    "METRICS",
    "BeforeAfter",
    "Comparison",
    "GroupReport",
    "before_after",
    "check_scope",
    "find_team",
]
