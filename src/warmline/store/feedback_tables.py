"""Tables of the feedback loop: survey templates, survey links and answers, follow-up tasks.

A survey link belongs to one conversation; only the SHA-256 hash of its secret token is
stored, and the questions it asks are copied from its template when the link is made, so a
stored answer always reads against the questions the customer saw. A follow-up is a task for
the agent of one conversation (at most one per conversation, whatever the re-imports).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warmline.store.tables import Base, Conversation, utcnow

#: The states of a follow-up task.
FOLLOWUP_STATES = ("open", "done", "skipped")


class SurveyTemplate(Base):
    """A named, ordered list of questions (checked by :mod:`warmline.store.survey_templates`)."""

    __tablename__ = "survey_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Survey(Base):
    """One survey link for one conversation: single use, expiring, revocable."""

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: None for the built-in default template.
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_templates.id", ondelete="SET NULL"), default=None
    )
    template_name: Mapped[str] = mapped_column(String(120), default="")
    #: The questions as they were when the link was made.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    conversation: Mapped[Conversation] = relationship()


class SurveyAnswer(Base):
    """What a customer answered, with the comment redacted and read by the engine."""

    __tablename__ = "survey_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    #: Every answer by question key (the comment as stored: redacted).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    csat: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The answer to the question that feeds first-contact resolution, if the survey had one.
    solved: Mapped[bool | None] = mapped_column(default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_redactions: Mapped[int] = mapped_column(Integer, default=0)
    #: The engine's emotions of the comment read as a customer turn: [{label, score, intensity}].
    comment_emotions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    comment_emotion: Mapped[str | None] = mapped_column(String(20), default=None)
    comment_intensity: Mapped[int | None] = mapped_column(Integer, default=None)
    comment_valence: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    conversation: Mapped[Conversation] = relationship()

    __table_args__ = (
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="ck_survey_answers_csat"),
    )


class FollowUp(Base):
    """A task for an agent to check back on a conversation that started badly."""

    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    agent_id: Mapped[str | None] = mapped_column(String(120), index=True, default=None)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    reason: Mapped[str] = mapped_column(Text)
    #: The figures behind the reason: first emotion, its score and intensity, the last one.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(index=True)
    #: One of :data:`FOLLOWUP_STATES`.
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    conversation: Mapped[Conversation] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'skipped')", name="ck_followups_status"),
    )


__all__ = ["FOLLOWUP_STATES", "FollowUp", "Survey", "SurveyAnswer", "SurveyTemplate"]
