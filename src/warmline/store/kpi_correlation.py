"""Empathy score vs CSAT, and which behaviours go with higher CSAT, within the caller's scope.

Over the conversations that have a CSAT: Pearson's r (Fisher z interval) and Spearman's rho
(bootstrap interval) between the empathy score and CSAT, and for each behaviour and
anti-pattern the engine found, the mean CSAT with it vs without it. Associations, not causes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import stats
from warmline.store.access import conversation_filter
from warmline.store.conversations import ConversationFilter, apply_filter
from warmline.store.kpi_reports import check_scope, find_team
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.tables import Conversation, Label, User


@dataclass(frozen=True, slots=True)
class BehaviourCsat:
    """Mean CSAT of conversations with a behaviour vs without it."""

    label: str
    kind: str
    figures: stats.Difference
    verdict: stats.Verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``before`` is without the behaviour, ``after`` with it."""
        f = self.figures
        return {
            "label": self.label,
            "kind": self.kind,
            "n_with": f.n_after,
            "n_without": f.n_before,
            "mean_csat_with": f.mean_after,
            "mean_csat_without": f.mean_before,
            "difference": f.difference,
            "ci_low": f.ci_low,
            "ci_high": f.ci_high,
            "effect_size": f.effect_size,
            "verdict": self.verdict.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CsatCorrelation:
    """Empathy score vs CSAT over conversations that have both, and behaviours vs CSAT."""

    n: int
    pearson: stats.Correlation
    spearman: stats.Correlation
    verdict: stats.Verdict
    behaviours: list[BehaviourCsat]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "n": self.n,
            "pearson": self.pearson.to_dict(),
            "spearman": self.spearman.to_dict(),
            "verdict": self.verdict.to_dict(),
            "behaviours": [b.to_dict() for b in self.behaviours],
            "min_n": stats.MIN_N,
            "confidence": stats.CONFIDENCE,
        }


def csat_correlation(
    session: Session, user: User | None, flt: ConversationFilter, *, team: str | None = None
) -> CsatCorrelation:
    """Empathy vs CSAT (Pearson with a Fisher interval, Spearman bootstrapped) and behaviours."""
    team_row = find_team(session, team) if team is not None else None
    check_scope(session, user, team_row, flt.agent_id)
    if team_row is not None:
        flt = ConversationFilter(
            team_id=team_row.id, agent_id=flt.agent_id, since=flt.since, until=flt.until
        )
    stmt = select(Conversation.id, Conversation.score, ConversationKpi.csat).join(
        ConversationKpi, ConversationKpi.conversation_id == Conversation.id
    )
    stmt = stmt.where(ConversationKpi.csat.is_not(None))
    if user is not None:
        stmt = stmt.where(conversation_filter(session, user))
    rows = list(session.execute(apply_filter(stmt, flt)))
    pairs = [(float(r.score), float(r.csat)) for r in rows if r.score is not None]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    pearson = stats.pearson(xs, ys)
    spearman = stats.spearman(xs, ys)
    csat = {r.id: float(r.csat) for r in rows}
    return CsatCorrelation(
        n=len(pairs),
        pearson=pearson,
        spearman=spearman,
        verdict=stats.correlation_verdict(pearson),
        behaviours=_behaviours(session, csat),
    )


def _behaviours(session: Session, csat: dict[int, float]) -> list[BehaviourCsat]:
    shown: dict[tuple[str, str], set[int]] = defaultdict(set)
    ids = list(csat)
    for start in range(0, len(ids), 500):
        stmt = select(Label.conversation_id, Label.kind, Label.label).where(
            Label.conversation_id.in_(ids[start : start + 500]),
            Label.kind.in_(("behaviour", "anti_pattern")),
        )
        for conv_id, kind, label in session.execute(stmt):
            shown[(label, kind)].add(conv_id)
    out: list[BehaviourCsat] = []
    for (label, kind), with_ids in shown.items():
        with_ = [csat[i] for i in ids if i in with_ids]
        without = [csat[i] for i in ids if i not in with_ids]
        figures = stats.mean_difference(without, with_)
        out.append(BehaviourCsat(label, kind, figures, stats.association_verdict(figures)))
    out.sort(key=lambda b: (-(b.figures.difference or 0.0), b.label))
    return out


__all__ = ["BehaviourCsat", "CsatCorrelation", "csat_correlation"]
