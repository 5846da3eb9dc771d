"""The reflection journal: private entries, shared one at a time with one coach by their author.

Privacy is the point. An entry is readable by its author and by the coaches the author shared
that entry with (read-only); to anyone else, admins included, it does not exist: every lookup
answers :class:`NotFoundError` exactly as for a missing id. Nothing here analyses journal text
(inferring an employee's emotions at work is banned in the EU): "your patterns" only counts
the feelings the author ticked, and only for the author.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store import conversations as convs
from warmline.store.access import team_ids
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.practice_tables import JournalEntry, JournalShare
from warmline.store.tables import Conversation, User

#: The feelings an author may tick; "your patterns" counts these and nothing else.
FEELINGS: Final[tuple[str, ...]] = (
    "calm",
    "confident",
    "proud",
    "relieved",
    "frustrated",
    "anxious",
    "drained",
    "hurt",
    "angry",
    "sad",
    "overwhelmed",
    "helpless",
)
#: The longest text accepted per prompt.
MAX_TEXT: Final = 5000
TEXT_FIELDS: Final = ("felt", "customer_felt", "differently", "notes")


def create_entry(
    session: Session,
    author: User,
    *,
    felt: str = "",
    customer_felt: str = "",
    differently: str = "",
    notes: str = "",
    feelings: Iterable[str] = (),
    conversation_id: str = "",
) -> JournalEntry:
    """Write a new entry for *author*; a linked conversation must be one they may see."""
    texts = {
        "felt": felt.strip(),
        "customer_felt": customer_felt.strip(),
        "differently": differently.strip(),
        "notes": notes.strip(),
    }
    ticked = sorted(set(feelings))
    unknown = [f for f in ticked if f not in FEELINGS]
    if unknown:
        raise InvalidInputError(f"feelings {unknown}: choose from {', '.join(FEELINGS)}")
    if not any(texts.values()) and not ticked:
        raise InvalidInputError("the entry is empty: answer at least one prompt or tick a feeling")
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            raise InvalidInputError(f"{name}: {len(text)} characters; keep it under {MAX_TEXT}")
    entry = JournalEntry(
        author_id=author.id,
        conversation_id=_conversation(session, author, conversation_id.strip()),
        feelings=ticked,
        **texts,
    )
    session.add(entry)
    session.flush()
    return entry


def _conversation(session: Session, author: User, external_id: str) -> int | None:
    if not external_id:
        return None
    try:
        return convs.get_conversation(session, author, external_id).id
    except (NotFoundError, ForbiddenError):
        raise InvalidInputError(
            f"conversation {external_id!r}: not a conversation you can see"
        ) from None


def own_entries(session: Session, author: User) -> list[JournalEntry]:
    """*author*'s own entries, newest first."""
    return list(
        session.scalars(
            select(JournalEntry)
            .where(JournalEntry.author_id == author.id)
            .order_by(JournalEntry.id.desc())
        )
    )


def shared_with(session: Session, coach: User) -> list[JournalEntry]:
    """Entries their authors shared with *coach*, newest first."""
    return list(
        session.scalars(
            select(JournalEntry)
            .join(JournalShare, JournalShare.entry_id == JournalEntry.id)
            .where(JournalShare.coach_id == coach.id)
            .order_by(JournalEntry.id.desc())
        )
    )


def get_entry(session: Session, user: User, entry_id: int) -> JournalEntry:
    """An entry *user* wrote or was shared; :class:`NotFoundError` for every other entry."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None or not (entry.author_id == user.id or _shared(session, entry, user)):
        raise NotFoundError(f"no journal entry {entry_id}")
    return entry


def own_entry(session: Session, author: User, entry_id: int) -> JournalEntry:
    """An entry *author* wrote; :class:`NotFoundError` otherwise (even for a shared coach)."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None or entry.author_id != author.id:
        raise NotFoundError(f"no journal entry {entry_id}")
    return entry


def _shared(session: Session, entry: JournalEntry, user: User) -> bool:
    return session.get(JournalShare, (entry.id, user.id)) is not None


def delete_entry(session: Session, author: User, entry_id: int) -> None:
    """Delete one of *author*'s entries (and its shares)."""
    session.delete(own_entry(session, author, entry_id))
    session.flush()


def coaches_for(session: Session, author: User) -> list[User]:
    """The coaches *author* may share with: the coaches of their teams (any coach if teamless)."""
    stmt = select(User).where(User.role == "coach", User.active.is_(True), User.id != author.id)
    teams = set(team_ids(author))
    return [
        c
        for c in session.scalars(stmt.order_by(User.email))
        if not teams or teams & set(team_ids(c))
    ]


def share_entry(session: Session, author: User, entry_id: int, coach_email: str) -> User:
    """Share one of *author*'s entries, read-only, with one of their coaches."""
    entry = own_entry(session, author, entry_id)
    email = coach_email.strip().lower()
    coach = next((c for c in coaches_for(session, author) if c.email == email), None)
    if coach is None:
        raise InvalidInputError(f"coach {coach_email!r}: not one of your coaches")
    if session.get(JournalShare, (entry.id, coach.id)) is None:
        session.add(JournalShare(entry_id=entry.id, coach_id=coach.id))
        session.flush()
    return coach


def unshare_entry(session: Session, author: User, entry_id: int, coach_email: str) -> None:
    """Stop sharing one of *author*'s entries with that coach (nothing if it was not shared)."""
    entry = own_entry(session, author, entry_id)
    for share in shares_of(session, entry):
        if share.coach.email == coach_email.strip().lower():
            session.delete(share)
    session.flush()


def shares_of(session: Session, entry: JournalEntry) -> list[JournalShare]:
    """Who an entry is shared with (show this to its author only)."""
    return list(session.scalars(select(JournalShare).where(JournalShare.entry_id == entry.id)))


def conversation_ref(session: Session, entry: JournalEntry) -> str | None:
    """The external id of the conversation an entry is linked to, if any."""
    if entry.conversation_id is None:
        return None
    conv = session.get(Conversation, entry.conversation_id)
    return conv.external_id if conv else None


@dataclass(frozen=True, slots=True)
class Month:
    """One month of an author's journal: how many entries and which feelings they ticked."""

    month: str  # YYYY-MM
    entries: int
    feelings: Counter[str] = field(default_factory=Counter)


def patterns(entries: Sequence[JournalEntry]) -> list[Month]:
    """The author's own patterns per month, oldest first, from the feelings they ticked."""
    months: dict[str, tuple[int, Counter[str]]] = {}
    for entry in entries:
        key = entry.created_at.strftime("%Y-%m")
        count, feelings = months.get(key, (0, Counter()))
        feelings.update(f for f in entry.feelings if f in FEELINGS)
        months[key] = (count + 1, feelings)
    return [Month(k, n, c) for k, (n, c) in sorted(months.items())]


__all__ = [
    "FEELINGS",
    "MAX_TEXT",
    "TEXT_FIELDS",
    "Month",
    "coaches_for",
    "conversation_ref",
    "create_entry",
    "delete_entry",
    "get_entry",
    "own_entries",
    "own_entry",
    "patterns",
    "share_entry",
    "shared_with",
    "unshare_entry",
]
