"""Conversation pages: the list with filters, and one conversation with its evidence and reviews.

The detail page shows the engine's stored analysis as it is (highlights, emotions, trajectory,
score breakdown, tips, rewrites) and the human reviews beside it; a review is a separate row
(:mod:`warmline.store.reviews`) and never changes the machine result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.engine.labels import ANTI_PATTERNS
from warmline.store import conversations as convs
from warmline.store import reviews, rubrics
from warmline.store.access import conversation_filter
from warmline.store.errors import InvalidInputError
from warmline.store.tables import Conversation, Review, User
from warmline.web.charts import Point, line_chart
from warmline.web.deps import CurrentUser, Db
from warmline.web.forms import optional_day
from warmline.web.render import page, render_error
from warmline.web.survey_pages import survey_panel

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
MAX_PAGE = 1_000_000
_ANTI = frozenset(ANTI_PATTERNS)


# ----------------------------------------------------------------- highlighting


@dataclass(frozen=True, slots=True)
class Span:
    """One annotation with a character span in a turn's text."""

    label: str
    start: int
    end: int
    score: float

    @property
    def anti(self) -> bool:
        """True for an anti-pattern (something to avoid)."""
        return self.label in _ANTI


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text covered by the same annotations; ``opens`` start at this run."""

    text: str
    spans: tuple[Span, ...] = ()
    opens: tuple[Span, ...] = ()

    @property
    def anti(self) -> bool:
        """True when any covering annotation is an anti-pattern."""
        return any(s.anti for s in self.spans)


def highlight(text: str, annotations: Sequence[Mapping[str, Any]]) -> list[Segment]:
    """Cut *text* at every span boundary so overlapping annotations can all be highlighted."""
    spans: list[Span] = []
    for ann in annotations:
        start, end = max(0, int(ann["start"])), min(len(text), int(ann["end"]))
        span = Span(str(ann["id"]), start, end, float(ann.get("score", 0.0)))
        if start < end and span not in spans:
            spans.append(span)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    segments = []
    for begin, stop in zip(cuts, cuts[1:], strict=False):
        covering = sorted(
            (s for s in spans if s.start <= begin and stop <= s.end), key=lambda s: s.end - s.start
        )
        opens = tuple(s for s in spans if s.start == begin)
        segments.append(Segment(text[begin:stop], tuple(covering), opens))
    return segments


# ----------------------------------------------------------------- the list


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The list page's filters as the form sent them (blank = no filter)."""

    agent: str = ""
    channel: str = ""
    since: str = ""
    until: str = ""
    order: str = "recent"
    page: int = 1

    def to_filter(self) -> convs.ConversationFilter:
        """The store filter; raises :class:`InvalidInputError` for a bad date or order."""
        if self.order not in ("recent", "lowest"):
            raise InvalidInputError(f"order {self.order!r}: use recent or lowest")
        since, until = optional_day("since", self.since), optional_day("until", self.until)
        return convs.ConversationFilter(
            agent_id=self.agent.strip() or None,
            channel=self.channel.strip() or None,
            since=datetime.combine(since, time.min, UTC) if since else None,
            until=datetime.combine(until, time.max, UTC) if until else None,
        )

    def link(self, page: int) -> str:
        """This query's URL at *page*."""
        params = {k: v for k, v in self._params().items() if v} | {"page": str(page)}
        return "/conversations?" + urlencode(params)

    def _params(self) -> dict[str, str]:
        return {
            "agent": self.agent,
            "channel": self.channel,
            "since": self.since,
            "until": self.until,
            "order": self.order,
        }


def _choices(session: Session, user: User) -> tuple[list[str], list[str]]:
    """The agent ids and channels of the conversations *user* may see, for the filter menus."""
    visible = conversation_filter(session, user)
    agents = session.scalars(
        select(Conversation.agent_id).where(visible, Conversation.agent_id.is_not(None)).distinct()
    )
    channels = session.scalars(
        select(Conversation.channel).where(visible, Conversation.channel.is_not(None)).distinct()
    )
    return sorted(a for a in agents if a), sorted(c for c in channels if c)


@router.get("/conversations", response_class=HTMLResponse)
def conversations_page(
    request: Request,
    session: Db,
    user: CurrentUser,
    agent: str = "",
    channel: str = "",
    since: str = "",
    until: str = "",
    order: str = "recent",
    page_number: Annotated[str, Query(alias="page")] = "1",
) -> Response:
    """The conversations the caller may see, filtered, newest or lowest-scoring first."""
    number = page_number.strip() or "1"
    if not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        return render_error(request, 422, f"page {number!r}: use a whole number from 1")
    query = ListQuery(agent, channel, since, until, order, int(number))
    try:
        flt = query.to_filter()
    except InvalidInputError as exc:
        return render_error(request, 422, str(exc))
    rows, total = convs.list_conversations(
        session, user, flt, order=order, limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE
    )
    agents, channels = _choices(session, user)
    pages = max(1, -(-total // PAGE_SIZE))
    return page(
        request,
        "conversations_list.html",
        rows=[_row(session, r) for r in rows],
        total=total,
        query=query,
        pages=pages,
        first=(query.page - 1) * PAGE_SIZE + 1 if rows else 0,
        last=(query.page - 1) * PAGE_SIZE + len(rows),
        agents=agents,
        channels=channels,
    )


def _row(session: Session, row: Conversation) -> dict[str, Any]:
    team = convs.team_of(session, row.team_id)
    return {
        "id": row.external_id,
        "href": "/conversations/" + quote(row.external_id, safe=""),
        "started_at": row.started_at,
        "agent_id": row.agent_id,
        "team": team.name if team else None,
        "channel": row.channel,
        "customer": row.customer_name,
        "turns": row.turn_count,
        "score": row.score,
        "lowest": row.lowest_turn_score,
        "escalated": row.escalated,
        "deescalated": row.deescalated,
    }


# ----------------------------------------------------------------- one conversation


@dataclass(slots=True)
class AnnotationView:
    """An annotation as the page lists it, with the points it earned and its reviews."""

    turn: int
    label: str
    kind: str  # behaviour, anti_pattern or emotion
    score: float
    start: int | None = None
    end: int | None = None
    quote: str = ""
    intensity: int | None = None
    points: float | None = None
    reviews: list[dict[str, Any]] = field(default_factory=list)


def _reviews_by_annotation(
    stored: Sequence[Review],
) -> dict[tuple[int | None, str | None, int | None, int | None], list[dict[str, Any]]]:
    out: dict[tuple[int | None, str | None, int | None, int | None], list[dict[str, Any]]] = {}
    for r in stored:
        out.setdefault((r.turn, r.label, r.start, r.end), []).append(_review(r))
    return out


def _review(r: Review) -> dict[str, Any]:
    return {
        "turn": r.turn,
        "label": r.label,
        "start": r.start,
        "end": r.end,
        "verdict": r.verdict,
        "comment": r.comment,
        "reviewer": r.reviewer.display_name or r.reviewer.email,
        "created_at": r.created_at,
    }


def _turn_view(
    turn: Mapping[str, Any], record_turn: Mapping[str, Any], by_ann: Mapping[Any, list[Any]]
) -> dict[str, Any]:
    index, text = int(turn["index"]), str(turn["text"])
    annotations: list[AnnotationView] = []
    points: dict[tuple[str, int, int], float] = {}
    for item in turn.get("breakdown", []):
        ev = item.get("evidence")
        if ev and ev.get("turn") == index:
            key = (ev["id"], ev["start"], ev["end"])
            points[key] = points.get(key, 0.0) + float(item["points"])
    seen: set[tuple[str, int, int]] = set()
    for beh in turn.get("behaviours", []):
        key = (beh["id"], beh["start"], beh["end"])
        if key in seen:
            continue
        seen.add(key)
        annotations.append(
            AnnotationView(
                index,
                beh["id"],
                "anti_pattern" if beh["id"] in _ANTI else "behaviour",
                beh["score"],
                beh["start"],
                beh["end"],
                text[beh["start"] : beh["end"]],
                points=points.get(key),
                reviews=by_ann.get((index, beh["id"], beh["start"], beh["end"]), []),
            )
        )
    for emo in turn.get("emotions", []):
        annotations.append(
            AnnotationView(
                index,
                emo["label"],
                "emotion",
                emo["score"],
                intensity=emo.get("intensity"),
                reviews=by_ann.get((index, emo["label"], None, None), []),
            )
        )
    missed = [
        i["explanation"]
        for i in turn.get("breakdown", [])
        if "evidence" not in i and i["points"] < 0
    ]
    return {
        "index": index,
        "speaker": turn["speaker"],
        "staff": turn["speaker"] != "customer",
        "timestamp": _utc(record_turn.get("timestamp")),
        "segments": highlight(text, turn.get("behaviours", [])),
        "annotations": annotations,
        "score": turn.get("score"),
        "need": turn.get("need"),
        "mode": turn.get("mode"),
        "breakdown": turn.get("breakdown", []),
        "missed": missed,
        "tips": turn.get("tips", []),
        "rewrite": turn.get("rewrite"),
        "abusive": turn.get("abusive"),
        "comments": by_ann.get((index, None, None, None), []),
    }


def _utc(stamp: Any) -> datetime | str | None:
    """A turn's ISO timestamp in UTC, like the rest of the page; other forms are shown as given."""
    if not isinstance(stamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed


def _trajectory_chart(analysis: Mapping[str, Any]) -> Any:
    trajectory = analysis.get("trajectory") or []
    if not trajectory:
        return None
    points = [
        Point(
            f"T{p['turn'] + 1}",
            float(p["valence"]),
            f"Turn {p['turn'] + 1}: {p['label']} (intensity {p['intensity']}, feeling {p['valence']:+g})",
        )
        for p in trajectory
    ]
    values = [float(p["valence"]) for p in trajectory]
    return line_chart(
        [("Customer feeling", points)],
        low=min(-3.0, *values),
        high=max(3.0, *values),
        zero_line=0.0,
        width=960,
        height=200,
        aria_label="The customer's emotional trajectory: feeling per customer turn, from -3 to +3",
    )


def _evidence(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    turns = analysis["turns"]
    out = []
    for item in analysis.get("breakdown", []):
        ev = item.get("evidence")
        quote_text = ""
        if ev and 0 <= ev.get("turn", -1) < len(turns):
            quote_text = turns[ev["turn"]]["text"][ev["start"] : ev["end"]]
        out.append({**item, "quote": quote_text})
    return out


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, session: Db, user: CurrentUser, conversation_id: str, reviewed: str = ""
) -> Response:
    """One conversation: transcript with highlights, emotions, trajectory, evidence, reviews."""
    row = convs.get_conversation(session, user, conversation_id)
    stored = reviews.list_reviews(session, row)
    by_ann = _reviews_by_annotation(stored)
    analysis = row.analysis
    record_turns = row.record.get("turns", [])
    turns = [
        _turn_view(t, record_turns[i] if i < len(record_turns) else {}, by_ann)
        for i, t in enumerate(analysis["turns"])
    ]
    team = convs.team_of(session, row.team_id)
    return page(
        request,
        "conversation.html",
        conv=row,
        team=team.name if team else None,
        href="/conversations/" + quote(row.external_id, safe=""),
        turns=turns,
        analysis=analysis,
        chart=_trajectory_chart(analysis),
        evidence=_evidence(analysis),
        missed=list(
            {
                (m["label"], m["message"]): m for m in analysis.get("missed_opportunities", [])
            }.values()
        ),
        reviews=[_review(r) for r in stored],
        can_review=user.role in ("admin", "coach"),
        reviewed=reviewed,
        active_rubric=rubrics.active_version(session),
        survey_panel=survey_panel(session, user, row),
    )


def _optional_int(value: str, name: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"{name} {value!r}: expected a whole number") from None


@router.post("/conversations/{conversation_id}/reviews")
def add_review_form(
    request: Request,
    session: Db,
    user: CurrentUser,
    conversation_id: str,
    turn: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Store a coach's Agree / Disagree / comment and go back to the conversation."""
    row = convs.get_conversation(session, user, conversation_id)
    try:
        review = reviews.add_review(
            session,
            user,
            row,
            turn=_optional_int(turn, "turn"),
            label=label.strip() or None,
            start=_optional_int(start, "start"),
            end=_optional_int(end, "end"),
            verdict=verdict.strip() or None,
            comment=comment,
        )
    except InvalidInputError as exc:
        return render_error(request, 422, f"The review was not saved: {exc}")
    anchor = f"#turn-{review.turn}" if review.turn is not None else "#reviews"
    target = "/conversations/" + quote(row.external_id, safe="")
    return RedirectResponse(f"{target}?reviewed={review.verdict or 'comment'}{anchor}", 303)
