"""Deleting data on purpose: conversations past the retention period, and one customer's data.

Both are admin actions (or the CLI's, or the app's retention schedule) and both write one
:mod:`audit <warmline.store.audit>` event in the same transaction as the deletion: either the
data is gone *and* the event is recorded, or neither. A dry run counts without deleting and
records nothing.

Deleting a conversation removes what hangs off it in the database (machine labels, reviews,
KPIs, surveys, follow-ups, calibration scores: foreign keys with ``ON DELETE CASCADE``), and
the practice sessions built from it with *Practise this*, which hold the customer's own words.
Journal entries that linked it keep their text and lose the link.

A customer is found by the ``customer_id`` their conversations carried in ``metadata`` (the
``customer_ref`` column) or by ``customer_name`` (case-insensitive, exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from warmline.store.access import require_role
from warmline.store.audit import identifier_digest, record_event
from warmline.store.errors import InvalidInputError
from warmline.store.practice_tables import PracticeSession
from warmline.store.tables import Conversation, User, utcnow

__all__ = ["Deletion", "customer_ref_of", "forget_customer", "purge_older_than"]

#: Rows deleted per statement, so a purge of millions never builds one huge IN list.
_CHUNK = 500


@dataclass(frozen=True)
class Deletion:
    """What a purge or a customer deletion removed (or, on a dry run, would remove)."""

    action: str
    conversations: int
    practice_sessions: int
    dry_run: bool
    audit_event_id: int | None = None
    criteria: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "conversations": self.conversations,
            "practice_sessions": self.practice_sessions,
            "dry_run": self.dry_run,
            "audit_event_id": self.audit_event_id,
            "criteria": self.criteria or {},
        }


def customer_ref_of(record: dict[str, Any]) -> str | None:
    """The customer identifier an import carries in ``metadata.customer_id``, if any."""
    meta = record.get("metadata")
    if not isinstance(meta, dict):
        return None
    value = meta.get("customer_id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:200]
    return None


def purge_older_than(
    session: Session,
    key: str,
    *,
    days: int,
    actor: User | str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Deletion:
    """Delete every conversation that started more than *days* days before *now*."""
    _check_actor(actor)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise InvalidInputError(f"days: expected a whole number of days of at least 1, got {days!r}")
    cutoff = (now or utcnow()) - timedelta(days=days)
    rows = session.execute(
        select(Conversation.id, Conversation.external_id).where(Conversation.started_at < cutoff)
    ).all()
    criteria = {"older_than_days": days, "cutoff": cutoff.isoformat(timespec="seconds")}
    return _delete(session, key, "retention.purge", rows, actor, criteria, dry_run=dry_run)


def forget_customer(
    session: Session,
    key: str,
    *,
    actor: User | str,
    customer_id: str | None = None,
    customer_name: str | None = None,
    dry_run: bool = False,
) -> Deletion:
    """Delete every conversation of one customer, by id or by name (not both)."""
    _check_actor(actor)
    given = [(k, v.strip()) for k, v in (("customer_id", customer_id), ("customer_name", customer_name)) if v and v.strip()]
    if len(given) != 1:
        raise InvalidInputError("give exactly one of customer_id or customer_name")
    kind, value = given[0]
    if kind == "customer_id":
        where = Conversation.customer_ref == value
    else:
        where = func.lower(Conversation.customer_name) == value.casefold()
    rows = session.execute(select(Conversation.id, Conversation.external_id).where(where)).all()
    # Who the customer was is kept only as a keyed digest: it proves the request was done.
    criteria = {"by": kind, "identifier_digest": identifier_digest(key, kind, value)}
    return _delete(session, key, "customer.forget", rows, actor, criteria, dry_run=dry_run)


def _check_actor(actor: User | str) -> None:
    if isinstance(actor, User):
        require_role(actor, "admin")


def _delete(
    session: Session,
    key: str,
    action: str,
    rows: Sequence[Any],
    actor: User | str,
    criteria: dict[str, Any],
    *,
    dry_run: bool,
) -> Deletion:
    ids = [r[0] for r in rows]
    external = {r[1] for r in rows}
    practice = _practice_sessions_from(session, external)
    if dry_run:
        return Deletion(action, len(ids), len(practice), True, criteria=criteria)
    for chunk in _chunks(practice):
        session.execute(delete(PracticeSession).where(PracticeSession.id.in_(chunk)))
    for chunk in _chunks(ids):
        session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))
    event = record_event(
        session,
        key,
        actor=actor,
        action=action,
        detail={**criteria, "conversations": len(ids), "practice_sessions": len(practice)},
    )
    session.expire_all()
    return Deletion(action, len(ids), len(practice), False, event.id, criteria)


def _practice_sessions_from(session: Session, external_ids: set[str]) -> list[int]:
    """Practice sessions whose scenario was built from one of these conversations."""
    if not external_ids:
        return []
    found = session.execute(
        select(PracticeSession.id, PracticeSession.custom).where(PracticeSession.custom.is_not(None))
    ).all()
    return [sid for sid, custom in found if isinstance(custom, dict) and custom.get("conversation") in external_ids]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
