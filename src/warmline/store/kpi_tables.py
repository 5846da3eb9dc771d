"""Tables of business results (KPIs): per conversation, and per agent and period.

A conversation has at most one row of KPIs (CSAT, first-contact resolution, repeat contact,
the customer's 0–10 NPS answer); re-importing it updates that row. Figures that exist only
per agent and period (a team's survey export, say) are one row per agent, metric and period.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warmline.store.tables import Base, Conversation, Team, utcnow

#: The metrics an agent-period row may carry, and the range of each value.
PERIOD_METRICS: dict[str, tuple[float, float]] = {
    "csat": (1.0, 5.0),
    "fcr_rate": (0.0, 1.0),
    "retention_rate": (0.0, 1.0),
    "nps": (-100.0, 100.0),
    "engagement": (0.0, 100.0),
}


class ConversationKpi(Base):
    """The business results of one conversation; every figure is optional."""

    __tablename__ = "conversation_kpis"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    #: Customer satisfaction, 1 (very unhappy) to 5 (very happy).
    csat: Mapped[int | None] = mapped_column(Integer, default=None)
    #: Resolved on first contact.
    fcr: Mapped[bool | None] = mapped_column(Boolean, default=None)
    #: The customer had to come back about the same issue.
    repeat_contact: Mapped[bool | None] = mapped_column(Boolean, default=None)
    #: The customer's answer to "how likely are you to recommend us", 0–10.
    nps: Mapped[int | None] = mapped_column(Integer, default=None)
    source: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Loaded on access only: a conversation row carries its whole record and analysis.
    conversation: Mapped[Conversation] = relationship()

    __table_args__ = (
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="ck_conversation_kpis_csat"),
        CheckConstraint("nps IS NULL OR (nps BETWEEN 0 AND 10)", name="ck_conversation_kpis_nps"),
    )


class AgentKpi(Base):
    """One metric of one agent over one period (both days included)."""

    __tablename__ = "agent_kpis"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(120), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: One of :data:`PERIOD_METRICS`.
    metric: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    team: Mapped[Team | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint(
            "agent_id", "metric", "period_start", "period_end", name="uq_agent_kpis_period"
        ),
    )


__all__ = ["PERIOD_METRICS", "AgentKpi", "ConversationKpi"]
