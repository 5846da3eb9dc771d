"""Tables of practice and reflection: role-play sessions, assignments, journal entries, shares.

Journal entries hold only what their author wrote and the feelings they ticked; no machine
analysis of journal text is ever stored (see :mod:`warmline.store.journal`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warmline.store.tables import Base, User, utcnow


class PracticeSession(Base):
    """One role-play Session of a Scenario by a user: its replayable state, outcome and debrief."""

    __tablename__ = "practice_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200), default="")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    #: For a scenario built from a real conversation: how to rebuild it (base, persona, opening).
    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: ``Session.to_dict()``: scenario id, seed, replies, the customer's lines as worded.
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: What the page shows without replaying: ``{"lines": [...], "readings": [...]}``.
    log: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: "unfinished" while playing (or when stopped early), else resolved/escalated/abandoned.
    outcome: Mapped[str] = mapped_column(String(16), default="unfinished")
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    debrief: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (Index("ix_practice_sessions_user_scenario", "user_id", "scenario_id"),)


class PracticeAssignment(Base):
    """A Scenario a coach or admin asked an Agent to practise, with an optional due date."""

    __tablename__ = "practice_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    scenario_id: Mapped[str] = mapped_column(String(120))
    due: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent: Mapped[User] = relationship(foreign_keys=[agent_id], lazy="joined")
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id], lazy="joined")


class JournalEntry(Base):
    """A private reflection: what the author felt, what the customer felt, what they would change."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None
    )
    felt: Mapped[str] = mapped_column(Text, default="")
    customer_felt: Mapped[str] = mapped_column(Text, default="")
    differently: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The feelings the author ticked, from :data:`warmline.store.journal.FEELINGS`.
    feelings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[User] = relationship(lazy="joined")


class JournalShare(Base):
    """One journal entry shared, read-only, with one coach by its author."""

    __tablename__ = "journal_shares"
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True
    )
    coach_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    coach: Mapped[User] = relationship(lazy="joined")


__all__ = ["JournalEntry", "JournalShare", "PracticeAssignment", "PracticeSession"]
