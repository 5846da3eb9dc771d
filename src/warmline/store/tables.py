"""The database tables: Team, User, AuthToken, Conversation, Label, Review, ImportJob."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("admin", "coach", "agent")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base; every timestamp column stores timezone-aware UTC."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Team(Base):
    """A group of agents with its coaches."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """A user in a team: an agent works in it, a coach coaches it."""

    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )


class User(Base):
    """Someone who logs in: admin (everything), coach (their teams), agent (their own data)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    #: For agents: the ``agent_id`` their conversations carry.
    agent_id: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    teams: Mapped[list[Team]] = relationship(secondary="memberships", lazy="selectin")


class AuthToken(Base):
    """A browser session or a REST API token; only a hash of the secret is stored."""

    __tablename__ = "auth_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "session" or "api"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class Conversation(Base):
    """One imported conversation: its redacted record and the latest machine analysis."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The id the conversation had in its source; re-importing it updates this row.
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    agent_id: Mapped[str | None] = mapped_column(String(120), index=True, default=None)
    channel: Mapped[str | None] = mapped_column(String(40), default=None)
    customer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    #: ``metadata.customer_id`` of the import: finds one customer's data to delete on request.
    customer_ref: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    #: First turn's timestamp when it has one, else the first import time.
    started_at: Mapped[datetime] = mapped_column(index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(255), default="")
    turn_count: Mapped[int] = mapped_column(Integer, default=0)
    redactions: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    lowest_turn_score: Mapped[int | None] = mapped_column(Integer, default=None)
    deescalated: Mapped[bool | None] = mapped_column(Boolean, default=None)
    escalated: Mapped[bool | None] = mapped_column(Boolean, default=None)
    #: The interchange-format record as stored (after PII redaction).
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``warmline analyze --explain`` output for the record (machine results only).
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine_version: Mapped[str] = mapped_column(String(40), default="")
    #: The rubric (scoring weights) version the score was made with; see ``store.rubrics``.
    rubric_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    labels: Mapped[list[Label]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (Index("ix_conversations_agent_started", "agent_id", "started_at"),)


class Label(Base):
    """One machine finding, flattened for dashboards: a behaviour, anti-pattern, emotion or miss."""

    __tablename__ = "labels"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    turn: Mapped[int] = mapped_column(Integer)
    #: "behaviour", "anti_pattern", "emotion" or "missed".
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(60))
    start: Mapped[int | None] = mapped_column(Integer, default=None)
    end: Mapped[int | None] = mapped_column(Integer, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    conversation: Mapped[Conversation] = relationship(back_populates="labels")

    __table_args__ = (Index("ix_labels_kind_label", "kind", "label"),)


class Review(Base):
    """A coach's verdict on one annotation (or on the whole conversation), kept apart from it."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    turn: Mapped[int | None] = mapped_column(Integer, default=None)
    label: Mapped[str | None] = mapped_column(String(60), default=None)
    start: Mapped[int | None] = mapped_column(Integer, default=None)
    end: Mapped[int | None] = mapped_column(Integer, default=None)
    #: "agree", "disagree", or None for a comment on its own.
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer: Mapped[User] = relationship(lazy="joined")


class ImportJob(Base):
    """An import running in the background, with its progress and the errors it met."""

    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: "queued", "running", "done" or "failed".
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    errors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


__all__ = [
    "ROLES",
    "AuthToken",
    "Base",
    "Conversation",
    "ImportJob",
    "Label",
    "Membership",
    "Review",
    "Team",
    "UTCDateTime",
    "User",
    "utcnow",
]
