"""The REST API of practice and the journal under /api/v1: scenarios, role-play sessions,
journal entries and their shares. Same rules as the pages: only the owner plays a session;
a journal entry is a 404 to everyone but its author and the coaches it is shared with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from warmline.practice import list_scenarios
from warmline.store import journal, practice
from warmline.store.practice_tables import JournalEntry, PracticeSession
from warmline.web.deps import Ctx, CurrentUser, Db

router = APIRouter(prefix="/api/v1")


class SessionIn(BaseModel):
    """Start a role-play of a shipped scenario; a random seed unless given."""

    model_config = ConfigDict(extra="forbid")
    scenario_id: str
    seed: int | None = Field(default=None, ge=0, lt=2**31)


class ReplyIn(BaseModel):
    """The trainee's reply to the customer."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=practice.MAX_REPLY)


class SessionOut(BaseModel):
    """A role-play session: the chat so far, the outcome, and the debrief once it has ended."""

    id: int
    user: str
    scenario_id: str
    title: str
    seed: int
    outcome: str
    finished: bool
    score: int | None
    replies: int
    lines: list[dict[str, Any]]
    readings: list[dict[str, Any]]
    debrief: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None


class ReplyOut(BaseModel):
    """The reading of the reply, the customer's answer and the outcome, with the session."""

    exchange: dict[str, Any]
    session: SessionOut


class EntryIn(BaseModel):
    """A new journal entry: the guided prompts, ticked feelings, an optional conversation id."""

    model_config = ConfigDict(extra="forbid")
    felt: str = ""
    customer_felt: str = ""
    differently: str = ""
    notes: str = ""
    feelings: list[str] = Field(default_factory=list)
    conversation_id: str = ""


class EntryOut(BaseModel):
    """A journal entry; ``shared_with`` is shown to its author only (empty for a shared coach)."""

    id: int
    author: str
    mine: bool
    felt: str
    customer_felt: str
    differently: str
    notes: str
    feelings: list[str]
    conversation_id: str | None
    shared_with: list[str]
    created_at: datetime


class ShareIn(BaseModel):
    """The coach to share an entry with (or stop sharing with)."""

    model_config = ConfigDict(extra="forbid")
    coach_email: str


def session_out(row: PracticeSession) -> SessionOut:
    """API form of a stored session."""
    return SessionOut(
        id=row.id,
        user=row.user.email,
        scenario_id=row.scenario_id,
        title=row.title,
        seed=row.seed,
        outcome=row.outcome,
        finished=row.finished_at is not None,
        score=row.score,
        replies=row.replies,
        lines=row.log.get("lines", []),
        readings=row.log.get("readings", []),
        debrief=row.debrief,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


@router.get("/practice/scenarios", tags=["practice"])
def scenarios(user: CurrentUser) -> list[dict[str, Any]]:
    """The shipped scenarios: id, title, summary, customer, starting emotion and intensity."""
    return list_scenarios()


@router.get("/practice/sessions", tags=["practice"], response_model=list[SessionOut])
def sessions(session: Db, user: CurrentUser) -> list[SessionOut]:
    """The sessions you may read, newest first: yours; a coach's teams'; an admin's all."""
    return [session_out(r) for r in practice.list_sessions(session, user)]


@router.post(
    "/practice/sessions",
    tags=["practice"],
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
)
def start(ctx: Ctx, session: Db, user: CurrentUser, body: SessionIn) -> SessionOut:
    """Start a role-play; the customer's opening line is ``lines[0]``."""
    row = practice.start_session(
        session, user, body.scenario_id, seed=body.seed, analyzer=ctx.analyzer
    )
    return session_out(row)


@router.get("/practice/sessions/{session_id}", tags=["practice"], response_model=SessionOut)
def get_session(session: Db, user: CurrentUser, session_id: int) -> SessionOut:
    """One session you may read."""
    return session_out(practice.get_session(session, user, session_id))


@router.post("/practice/sessions/{session_id}/replies", tags=["practice"], response_model=ReplyOut)
def reply(ctx: Ctx, session: Db, user: CurrentUser, session_id: int, body: ReplyIn) -> ReplyOut:
    """Send a reply in your session: 422 when empty, 409 once the session has ended."""
    row, exchange = practice.add_reply(session, user, session_id, body.text, analyzer=ctx.analyzer)
    return ReplyOut(exchange=exchange, session=session_out(row))


# ----------------------------------------------------------------- journal


def entry_out(row: JournalEntry, session: Db, *, mine: bool) -> EntryOut:
    """API form of an entry (its shares only for its author)."""
    shares = [s.coach.email for s in journal.shares_of(session, row)] if mine else []
    return EntryOut(
        id=row.id,
        author=row.author.email,
        mine=mine,
        felt=row.felt,
        customer_felt=row.customer_felt,
        differently=row.differently,
        notes=row.notes,
        feelings=list(row.feelings),
        conversation_id=journal.conversation_ref(session, row),
        shared_with=shares,
        created_at=row.created_at,
    )


@router.get("/journal", tags=["journal"], response_model=list[EntryOut])
def entries(session: Db, user: CurrentUser) -> list[EntryOut]:
    """Your own entries, newest first, then those shared with you."""
    own = [entry_out(e, session, mine=True) for e in journal.own_entries(session, user)]
    return own + [entry_out(e, session, mine=False) for e in journal.shared_with(session, user)]


@router.post(
    "/journal", tags=["journal"], response_model=EntryOut, status_code=status.HTTP_201_CREATED
)
def create_entry(session: Db, user: CurrentUser, body: EntryIn) -> EntryOut:
    """Write a private entry."""
    row = journal.create_entry(session, user, **body.model_dump())
    return entry_out(row, session, mine=True)


@router.get("/journal/{entry_id}", tags=["journal"], response_model=EntryOut)
def get_entry(session: Db, user: CurrentUser, entry_id: int) -> EntryOut:
    """An entry you wrote, or one shared with you (read-only); 404 for any other."""
    row = journal.get_entry(session, user, entry_id)
    return entry_out(row, session, mine=row.author_id == user.id)


@router.delete("/journal/{entry_id}", tags=["journal"], status_code=status.HTTP_204_NO_CONTENT)
def delete_entry(session: Db, user: CurrentUser, entry_id: int) -> None:
    """Delete an entry you wrote."""
    journal.delete_entry(session, user, entry_id)


@router.post("/journal/{entry_id}/share", tags=["journal"], response_model=EntryOut)
def share(session: Db, user: CurrentUser, entry_id: int, body: ShareIn) -> EntryOut:
    """Share an entry you wrote, read-only, with one of your coaches."""
    journal.share_entry(session, user, entry_id, body.coach_email)
    return entry_out(journal.own_entry(session, user, entry_id), session, mine=True)


@router.delete("/journal/{entry_id}/share", tags=["journal"], response_model=EntryOut)
def unshare(
    session: Db, user: CurrentUser, entry_id: int, coach_email: Annotated[str, Query()]
) -> EntryOut:
    """Stop sharing an entry you wrote with that coach."""
    journal.unshare_entry(session, user, entry_id, coach_email)
    return entry_out(journal.own_entry(session, user, entry_id), session, mine=True)


__all__ = ["router"]
