"""Tables of calibration and rubric versioning: Rubric, CalibrationSession, CalibrationReviewer.

A **rubric** is one version of the scoring weights; version 1 is the shipped
``scoring.yaml``, recorded by migration 0006. A conversation keeps the ``rubric_version`` it
was scored with. A **calibration session** is one conversation scored blind by several
reviewers; it keeps a snapshot of the staff turns and of the engine's findings taken when it
was opened, so a later re-import or re-score of the conversation changes nothing in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warmline.store.tables import Base, User, utcnow


class Rubric(Base):
    """One version of the scoring weights; the highest version is the active one."""

    __tablename__ = "rubrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    #: The weights, in the structure of the shipped ``scoring.yaml``.
    weights: Mapped[dict[str, Any]] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[User | None] = relationship(lazy="joined")


class CalibrationSession(Base):
    """A conversation that several reviewers score blind, then compare with each other and the engine."""

    __tablename__ = "calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    #: The conversation's external id, for links and lists without loading the conversation.
    external_id: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    #: "open" (reviewers score) or "closed" (results shown, scores frozen).
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    #: The rubric the conversation was scored with when the session was opened.
    rubric_version: Mapped[int] = mapped_column(Integer, default=1)
    #: The staff turns (index, speaker, text, the customer turn before) and the engine's
    #: labels and score per turn, as they were when the session was opened.
    snapshot: Mapped[dict[str, Any]] = mapped_column()
    #: The agreement figures, computed once when the session is closed.
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    owner: Mapped[User] = relationship(lazy="joined")
    reviewers: Mapped[list[CalibrationReviewer]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="CalibrationReviewer.id",
    )


class CalibrationReviewer(Base):
    """One invited reviewer of a session and their answers (a draft until submitted)."""

    __tablename__ = "calibration_reviewers"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``{"turns": {"<index>": {"labels": [present label ids], "score": 0-100 or null}}}``.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    session: Mapped[CalibrationSession] = relationship(back_populates="reviewers")
    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_calibration_reviewer"),)


__all__ = ["CalibrationReviewer", "CalibrationSession", "Rubric"]
