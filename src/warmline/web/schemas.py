"""Pydantic models of the REST API's request and response bodies (the edges only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenOut(BaseModel):
    """An API token: send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class ImportOut(BaseModel):
    """What an import stored."""

    ids: list[str]
    created: int
    updated: int
    redactions: int


class ConversationSummary(BaseModel):
    """One row of a conversation list."""

    id: str
    agent_id: str | None
    team: str | None
    channel: str | None
    customer_name: str | None
    started_at: datetime
    turns: int
    score: int | None
    lowest_turn_score: int | None
    escalated: bool | None
    deescalated: bool | None


class ConversationList(BaseModel):
    """A page of conversations and how many match in all."""

    items: list[ConversationSummary]
    total: int
    limit: int
    offset: int


class ReviewIn(BaseModel):
    """A coach's verdict on one annotation, or a comment."""

    model_config = ConfigDict(extra="forbid")
    turn: int | None = None
    label: str | None = None
    start: int | None = None
    end: int | None = None
    verdict: Literal["agree", "disagree"] | None = None
    comment: str = ""


class ReviewOut(ReviewIn):
    """A stored review."""

    model_config = ConfigDict(extra="ignore")
    id: int
    reviewer: str
    created_at: datetime


class AssistTurn(BaseModel):
    """One turn of the context: the interchange format's turn."""

    speaker: str
    text: str
    timestamp: str | None = None


class AssistIn(BaseModel):
    """The conversation so far and the agent's draft reply."""

    model_config = ConfigDict(extra="forbid")
    turns: list[AssistTurn] = Field(default_factory=list, max_length=2000)
    draft: str = Field(min_length=1, max_length=20_000)
    customer_name: str | None = None


class JobOut(BaseModel):
    """A background import's progress."""

    id: int
    filename: str
    status: str
    total: int
    done: int
    created: int
    updated: int
    failed: int
    message: str
    errors: dict[str, Any]


class UserOut(BaseModel):
    """Who a token belongs to."""

    id: int
    email: str
    display_name: str
    role: str
    agent_id: str | None
    teams: list[str]
