"""Empathy score and CSAT over time and side by side, within what the caller may see.

For the results page: the weekly mean empathy score and mean CSAT (weeks start on Monday,
UTC), the (score, CSAT) pairs behind the correlation, and the mean CSAT per band of empathy
score with an approximate 95% interval (mean ± z·sd/√n). Associations, not causes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import stats
from warmline.store.access import conversation_filter
from warmline.store.conversations import ConversationFilter, apply_filter
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.tables import Conversation, User

#: The most (score, CSAT) pairs drawn on a scatter: beyond it the newest are kept.
MAX_PAIRS: Final = 2000
#: A band's mean is shown from this many conversations on.
BAND_MIN_N: Final = 3


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One week (starting Monday): conversations, mean empathy score, and mean CSAT."""

    week: date
    conversations: int
    mean_score: float | None
    rated: int
    mean_csat: float | None


@dataclass(frozen=True, slots=True)
class BandMean:
    """Mean CSAT of the conversations whose empathy score falls in [low, high)."""

    low: int
    high: int
    n: int
    mean: float
    ci_low: float | None
    ci_high: float | None


def _rows(
    session: Session, user: User | None, flt: ConversationFilter
) -> list[tuple[date, int | None, int | None]]:
    stmt = select(Conversation.started_at, Conversation.score, ConversationKpi.csat).outerjoin(
        ConversationKpi, ConversationKpi.conversation_id == Conversation.id
    )
    if user is not None:
        stmt = stmt.where(conversation_filter(session, user))
    stmt = apply_filter(stmt, flt).order_by(Conversation.started_at, Conversation.id)
    return [(r[0].astimezone(UTC).date(), r[1], r[2]) for r in session.execute(stmt)]


def weekly_trend(session: Session, user: User | None, flt: ConversationFilter) -> list[WeekPoint]:
    """Each week with conversations, oldest first, and every week between (empty ones: None)."""
    weeks: dict[date, list[list[int]]] = defaultdict(lambda: [[], [], []])
    for day, score, csat in _rows(session, user, flt):
        bucket = weeks[day - timedelta(days=day.weekday())]
        bucket[0].append(1)
        if score is not None:
            bucket[1].append(score)
        if csat is not None:
            bucket[2].append(csat)
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    out = []
    week = first
    while week <= last:
        n, scores, csats = weeks.get(week, [[], [], []])
        out.append(
            WeekPoint(
                week,
                len(n),
                round(sum(scores) / len(scores), 1) if scores else None,
                len(csats),
                round(sum(csats) / len(csats), 2) if csats else None,
            )
        )
        week += timedelta(days=7)
    return out


def score_csat_pairs(
    session: Session, user: User | None, flt: ConversationFilter, *, limit: int = MAX_PAIRS
) -> list[tuple[float, float]]:
    """(empathy score, CSAT) of the conversations that have both, the newest *limit* of them."""
    pairs = [
        (float(score), float(csat))
        for _, score, csat in _rows(session, user, flt)
        if score is not None and csat is not None
    ]
    return pairs[-limit:]


def csat_by_band(pairs: Sequence[tuple[float, float]], *, width: int = 20) -> list[BandMean]:
    """Mean CSAT per band of *width* score points (0-19, 20-39, ...), bands with data only."""
    bands: dict[int, list[float]] = defaultdict(list)
    for score, csat in pairs:
        bands[min(int(score) // width, (100 - 1) // width)].append(csat)
    z = stats._z(stats.CONFIDENCE)  # noqa: SLF001 - the same quantile the reports use
    out = []
    for index in sorted(bands):
        values = bands[index]
        n = len(values)
        if n < BAND_MIN_N:
            continue
        mean = sum(values) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        half = z * sd / math.sqrt(n)
        out.append(BandMean(index * width, (index + 1) * width, n, mean, mean - half, mean + half))
    return out


__all__ = ["BandMean", "WeekPoint", "csat_by_band", "score_csat_pairs", "weekly_trend"]
