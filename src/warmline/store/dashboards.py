"""Dashboard figures: pure queries over what a user may see, narrowed by a ConversationFilter.

Every function takes the caller (their scope comes from :mod:`warmline.store.access`) and a
:class:`~warmline.store.conversations.ConversationFilter`, and returns small frozen dataclasses.
Counting and averaging happen in SQL over the flattened ``labels`` rows; only the quoted best
moments read the stored analysis JSON, of a bounded number of conversations.

Days are UTC calendar days on both databases (see :class:`utc_day`): PostgreSQL's own
``date()`` would follow the session's time zone, SQLite's follows nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, String, case, distinct, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from warmline.store.access import agent_ids_visible, conversation_filter
from warmline.store.conversations import ConversationFilter, apply_filter
from warmline.store.tables import Conversation, Label, Team, User

#: Recognition: an agent's mean must beat the mean of everyone shown by this many points...
RECOGNITION_MARGIN = 15.0
#: ...over at least this many scored conversations (one lucky chat is not a pattern).
RECOGNITION_MIN_CONVERSATIONS = 5
#: Needing review: escalated conversations, and those scoring below this.
REVIEW_BELOW = 40


class utc_day(FunctionElement[str]):  # noqa: N801 - reads as the SQL function it renders
    """``YYYY-MM-DD`` of a timestamp column in UTC, the same text on SQLite and PostgreSQL."""

    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # Timestamps are stored as UTC text ("2026-11-02 10:00:00.000000"); date() keeps the day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


# ----------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class DayScore:
    """One agent's conversations on one UTC day, their mean score (None: none scored), and
    how many were scored."""

    agent_id: str
    day: date
    conversations: int
    mean_score: float | None
    scored: int


@dataclass(frozen=True, slots=True)
class AgentSummary:
    """One agent's conversations in range, how many were scored, and their mean score."""

    agent_id: str
    conversations: int
    scored: int
    mean_score: float | None
    escalated: int


@dataclass(frozen=True, slots=True)
class LabelCount:
    """How often one behaviour, anti-pattern or missed opportunity occurred.

    ``turns`` counts agent turns showing it (0 for missed opportunities, which belong to the
    whole conversation); ``share`` is the fraction of the conversations in range showing it.
    """

    kind: str
    label: str
    conversations: int
    turns: int
    share: float


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Behaviours, anti-patterns and missed opportunities over the conversations in range."""

    conversations: int
    behaviours: list[LabelCount]
    anti_patterns: list[LabelCount]
    missed: list[LabelCount]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A conversation worth a coach's look, and why."""

    id: int
    external_id: str
    agent_id: str | None
    started_at: datetime
    score: int | None
    lowest_turn_score: int | None
    escalated: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A behaviour's evidence inside a quoted turn (character offsets)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Moment:
    """A quotable agent turn: its text, its turn score and the behaviours it showed."""

    conversation_id: int
    external_id: str
    agent_id: str | None
    started_at: datetime
    turn: int
    score: int
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Recognition:
    """An agent whose empathy stands out, with the evidence: their figures and best moments."""

    agent: AgentSummary
    scope_mean: float
    moments: list[Moment]


@dataclass(frozen=True, slots=True)
class TeamDashboard:
    """Everything the team dashboard shows for one filter."""

    conversations: int
    mean_score: float | None
    escalated: int
    agents: list[AgentSummary]
    days: list[DayScore]
    breakdown: Breakdown
    review: list[ReviewItem]
    review_total: int
    recognition: list[Recognition]


@dataclass(frozen=True, slots=True)
class AgentDashboard:
    """Everything one agent's dashboard shows: their scores, strengths, misses, best moments."""

    agent: AgentSummary
    days: list[DayScore]
    breakdown: Breakdown
    moments: list[Moment]


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One conversation as a row of the CSV export."""

    id: int
    external_id: str
    started_at: datetime
    team: str | None
    agent_id: str | None
    channel: str | None
    customer_name: str | None
    score: int | None
    lowest_turn_score: int | None
    escalated: bool | None
    deescalated: bool | None
    behaviours: int
    missed: int
    anti_patterns: int


# ----------------------------------------------------------------- queries


def scoped(session: Session, user: User, flt: ConversationFilter, *columns: Any) -> Select[Any]:
    """SELECT *columns* (default: the conversation id) over what *user* may see matching *flt*."""
    stmt = select(*(columns or (Conversation.id,))).where(conversation_filter(session, user))
    result: Select[Any] = apply_filter(stmt, flt)
    return result


def newest_started(session: Session, user: User, flt: ConversationFilter) -> datetime | None:
    """When the newest conversation in scope matching *flt* started (None: there is none)."""
    newest: datetime | None = session.scalar(
        scoped(session, user, flt, func.max(Conversation.started_at))
    )
    return newest


def daily_scores(session: Session, user: User, flt: ConversationFilter) -> list[DayScore]:
    """Per agent per UTC day: conversations and mean score, by agent then day."""
    day = utc_day(Conversation.started_at)
    stmt = (
        scoped(
            session,
            user,
            flt,
            Conversation.agent_id,
            day,
            func.count(),
            func.avg(Conversation.score),
            func.count(Conversation.score),
        )
        .where(Conversation.agent_id.is_not(None))
        .group_by(Conversation.agent_id, day)
        .order_by(Conversation.agent_id, day)
    )
    return [
        DayScore(agent, date.fromisoformat(str(d)), int(n), _mean(avg), int(scored))
        for agent, d, n, avg, scored in session.execute(stmt)
    ]


def agent_summaries(session: Session, user: User, flt: ConversationFilter) -> list[AgentSummary]:
    """Per agent: conversations, scored ones, mean score and escalations, best mean first."""
    stmt = (
        scoped(
            session,
            user,
            flt,
            Conversation.agent_id,
            func.count(),
            func.count(Conversation.score),
            func.avg(Conversation.score),
            func.sum(case((Conversation.escalated.is_(True), 1), else_=0)),
        )
        .where(Conversation.agent_id.is_not(None))
        .group_by(Conversation.agent_id)
    )
    rows = [
        AgentSummary(agent, int(n), int(scored), _mean(avg), int(esc or 0))
        for agent, n, scored, avg, esc in session.execute(stmt)
    ]
    return sorted(rows, key=lambda a: (a.mean_score is None, -(a.mean_score or 0), a.agent_id))


def label_breakdown(session: Session, user: User, flt: ConversationFilter) -> Breakdown:
    """How many conversations (and agent turns) show each behaviour, anti-pattern and miss."""
    ids = scoped(session, user, flt)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    per_turn = (
        select(Label.kind, Label.label, Label.conversation_id, Label.turn)
        .where(
            Label.conversation_id.in_(ids),
            Label.kind.in_(("behaviour", "anti_pattern", "missed")),
        )
        .distinct()
        .subquery()
    )
    stmt = select(
        per_turn.c.kind,
        per_turn.c.label,
        func.count(distinct(per_turn.c.conversation_id)),
        func.sum(case((per_turn.c.turn >= 0, 1), else_=0)),
    ).group_by(per_turn.c.kind, per_turn.c.label)
    found: dict[str, list[LabelCount]] = {"behaviour": [], "anti_pattern": [], "missed": []}
    for kind, label, convs, turns in session.execute(stmt):
        share = convs / total if total else 0.0
        found[kind].append(LabelCount(kind, label, int(convs), int(turns or 0), share))
    for counts in found.values():
        counts.sort(key=lambda c: (-c.conversations, -c.turns, c.label))
    return Breakdown(total, found["behaviour"], found["anti_pattern"], found["missed"])


def needing_review(
    session: Session, user: User, flt: ConversationFilter, *, limit: int = 10
) -> tuple[list[ReviewItem], int]:
    """Escalated conversations first, then those scoring below REVIEW_BELOW, lowest first;
    and how many there are in all."""
    flagged = or_(Conversation.escalated.is_(True), Conversation.score < REVIEW_BELOW)
    base = scoped(session, user, flt, Conversation).where(flagged)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = base.order_by(
        case((Conversation.escalated.is_(True), 0), else_=1),
        Conversation.score.is_(None),
        Conversation.score,
        Conversation.started_at.desc(),
    ).limit(limit)
    items = [_review_item(row) for row in session.scalars(stmt)]
    return items, total


def _review_item(row: Conversation) -> ReviewItem:
    reasons = []
    if row.escalated:
        reasons.append("the customer escalated")
    if row.score is not None and row.score < REVIEW_BELOW:
        reasons.append(f"empathy score {row.score}")
    if row.lowest_turn_score is not None and row.lowest_turn_score < REVIEW_BELOW:
        reasons.append(f"a reply scored {row.lowest_turn_score}")
    return ReviewItem(
        row.id,
        row.external_id,
        row.agent_id,
        row.started_at,
        row.score,
        row.lowest_turn_score,
        bool(row.escalated),
        tuple(reasons),
    )


def best_moments(
    session: Session, user: User, flt: ConversationFilter, *, limit: int = 3, pool: int = 20
) -> list[Moment]:
    """The highest-scoring agent turns (one per conversation), quoted with their behaviours.

    Only the *pool* best-scoring conversations are read, which keeps this bounded.
    """
    stmt = (
        scoped(session, user, flt, Conversation)
        .where(Conversation.score.is_not(None))
        .order_by(Conversation.score.desc(), Conversation.started_at.desc(), Conversation.id)
        .limit(pool)
    )
    candidates = [m for row in session.scalars(stmt) if (m := _best_turn(row)) is not None]
    candidates.sort(key=lambda m: (-m.score, -m.started_at.timestamp(), m.conversation_id))
    return candidates[:limit]


def _best_turn(row: Conversation) -> Moment | None:
    best: Moment | None = None
    for turn in row.analysis.get("turns", []):
        score = turn.get("score")
        if turn.get("speaker") != "agent" or score is None:
            continue
        if best is not None and score <= best.score:
            continue
        spans = tuple(
            Span(int(b["start"]), int(b["end"]), str(b["id"]))
            for b in turn.get("behaviours", [])
            if b.get("start") is not None and b.get("end") is not None
        )
        best = Moment(
            row.id,
            row.external_id,
            row.agent_id,
            row.started_at,
            int(turn["index"]),
            int(score),
            str(turn.get("text", "")),
            spans,
        )
    return best


def recognition(
    session: Session,
    user: User,
    flt: ConversationFilter,
    *,
    agents: Sequence[AgentSummary] | None = None,
    margin: float = RECOGNITION_MARGIN,
    min_conversations: int = RECOGNITION_MIN_CONVERSATIONS,
    moments: int = 2,
) -> list[Recognition]:
    """Agents whose mean beats the mean of every conversation shown by *margin* points, over
    at least *min_conversations* scored ones; with their best quoted moments."""
    agents = list(agents) if agents is not None else agent_summaries(session, user, flt)
    if len([a for a in agents if a.scored]) < 2:
        return []  # standing out needs someone to stand out from
    overall = _mean(session.scalar(scoped(session, user, flt, func.avg(Conversation.score))))
    if overall is None:
        return []
    out = []
    for agent in agents:
        if agent.mean_score is None or agent.scored < min_conversations:
            continue
        if agent.mean_score >= overall + margin:
            mine = _with_agent(flt, agent.agent_id)
            found = best_moments(session, user, mine, limit=moments)
            out.append(Recognition(agent, overall, found))
    return out


def team_dashboard(session: Session, user: User, flt: ConversationFilter) -> TeamDashboard:
    """The team dashboard's figures for *flt* within *user*'s scope."""
    agents = agent_summaries(session, user, flt)
    totals = session.execute(
        scoped(
            session,
            user,
            flt,
            func.count(),
            func.avg(Conversation.score),
            func.sum(case((Conversation.escalated.is_(True), 1), else_=0)),
        )
    ).one()
    review, review_total = needing_review(session, user, flt)
    return TeamDashboard(
        conversations=int(totals[0]),
        mean_score=_mean(totals[1]),
        escalated=int(totals[2] or 0),
        agents=agents,
        days=daily_scores(session, user, flt),
        breakdown=label_breakdown(session, user, flt),
        review=review,
        review_total=review_total,
        recognition=recognition(session, user, flt, agents=agents),
    )


def agent_dashboard(
    session: Session, user: User, agent_id: str, flt: ConversationFilter
) -> AgentDashboard:
    """One agent's dashboard within *user*'s scope (the filter's agent is replaced)."""
    mine = _with_agent(flt, agent_id)
    found = agent_summaries(session, user, mine)
    summary = found[0] if found else AgentSummary(agent_id, 0, 0, None, 0)
    return AgentDashboard(
        agent=summary,
        days=daily_scores(session, user, mine),
        breakdown=label_breakdown(session, user, mine),
        moments=best_moments(session, user, mine, limit=3),
    )


def export_rows(session: Session, user: User, flt: ConversationFilter) -> Iterator[ExportRow]:
    """Every conversation in scope matching *flt*, oldest first, with its label counts."""
    counts = (
        select(
            Label.conversation_id.label("cid"),
            func.sum(case((Label.kind == "behaviour", 1), else_=0)).label("behaviours"),
            func.sum(case((Label.kind == "missed", 1), else_=0)).label("missed"),
            func.sum(case((Label.kind == "anti_pattern", 1), else_=0)).label("anti"),
        )
        .group_by(Label.conversation_id)
        .subquery()
    )
    c = Conversation
    stmt = (
        scoped(session, user, flt, c.id, c.external_id, c.started_at, Team.name, c.agent_id)
        .add_columns(c.channel, c.customer_name, c.score, c.lowest_turn_score)
        .add_columns(
            c.escalated, c.deescalated, counts.c.behaviours, counts.c.missed, counts.c.anti
        )
        .outerjoin(Team, Team.id == c.team_id)
        .outerjoin(counts, counts.c.cid == c.id)
        .order_by(c.started_at, c.id)
        .execution_options(yield_per=500)
    )
    for r in session.execute(stmt):
        yield ExportRow(
            id=r[0],
            external_id=r[1],
            started_at=r[2],
            team=r[3],
            agent_id=r[4],
            channel=r[5],
            customer_name=r[6],
            score=r[7],
            lowest_turn_score=r[8],
            escalated=r[9],
            deescalated=r[10],
            behaviours=int(r[11] or 0),
            missed=int(r[12] or 0),
            anti_patterns=int(r[13] or 0),
        )


# ----------------------------------------------------------------- filter choices


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the filter form offers: teams, agents (id and name) and channels in scope."""

    teams: list[tuple[int, str]]
    agents: list[tuple[str, str]]
    channels: list[str]


def filter_choices(session: Session, user: User) -> FilterChoices:
    """The teams, agents and channels *user* may filter by."""
    if user.role == "admin":
        teams = [(t.id, t.name) for t in session.scalars(select(Team).order_by(Team.name))]
    else:
        teams = sorted(((t.id, t.name) for t in user.teams), key=lambda t: t[1])
    every = ConversationFilter()
    in_data = session.scalars(
        scoped(session, user, every, Conversation.agent_id)
        .where(Conversation.agent_id.is_not(None))
        .distinct()
    )
    ids = set(in_data) | set(agent_ids_visible(session, user) or [])
    names = agent_names(session, ids)
    channels = session.scalars(
        scoped(session, user, every, Conversation.channel)
        .where(Conversation.channel.is_not(None))
        .distinct()
    )
    agents = sorted(((a, names.get(a, a)) for a in ids if a), key=lambda a: a[1].lower())
    return FilterChoices(teams, agents, sorted(c for c in channels if c))


def agent_names(session: Session, agent_ids: set[str] | Sequence[str]) -> dict[str, str]:
    """Display names of the users carrying these agent ids (agents without a user are absent)."""
    if not agent_ids:
        return {}
    rows = session.execute(
        select(User.agent_id, User.display_name).where(User.agent_id.in_(list(agent_ids)))
    )
    return {a: name or a for a, name in rows if a}


def agent_visible(session: Session, user: User, agent_id: str) -> bool:
    """True when *user* may see *agent_id*'s figures (their own, their teams', or admin)."""
    if user.role == "admin":
        return True
    if user.role == "agent":
        return user.agent_id == agent_id
    if agent_id in (agent_ids_visible(session, user) or []):
        return True
    held = scoped(session, user, ConversationFilter(agent_id=agent_id)).limit(1)
    return session.scalar(held) is not None


# ----------------------------------------------------------------- helpers


def _mean(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _with_agent(flt: ConversationFilter, agent_id: str) -> ConversationFilter:
    return ConversationFilter(
        team_id=flt.team_id,
        agent_id=agent_id,
        channel=flt.channel,
        since=flt.since,
        until=flt.until,
    )


__all__ = [
    "RECOGNITION_MARGIN",
    "RECOGNITION_MIN_CONVERSATIONS",
    "REVIEW_BELOW",
    "AgentDashboard",
    "AgentSummary",
    "Breakdown",
    "DayScore",
    "ExportRow",
    "FilterChoices",
    "LabelCount",
    "Moment",
    "Recognition",
    "ReviewItem",
    "Span",
    "TeamDashboard",
    "agent_dashboard",
    "agent_names",
    "agent_visible",
    "agent_summaries",
    "best_moments",
    "daily_scores",
    "export_rows",
    "filter_choices",
    "label_breakdown",
    "needing_review",
    "newest_started",
    "recognition",
    "scoped",
    "team_dashboard",
    "utc_day",
]
