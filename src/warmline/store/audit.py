"""A tamper-evident audit log: who deleted what, when, and on what grounds.

Each :class:`AuditEvent` carries an HMAC-SHA256 (keyed with the deployment's
``WARMLINE_SECRET_KEY``) over its own content and the previous event's MAC, so the events form
a chain: editing, deleting or reordering any event breaks :func:`verify_chain` from that point
on, and nobody without the key can forge a replacement. ``prev_mac`` is unique, so two writers
can never both extend the chain from the same event (the loser retries).

Details never hold the deleted content itself; a customer identifier is recorded only as a
keyed digest (:func:`identifier_digest`), which proves later that *this* customer's request
was carried out without keeping who they are in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warmline.store.audit_tables import AuditEvent
from warmline.store.tables import User, utcnow

__all__ = [
    "GENESIS",
    "AuditEvent",
    "ChainCheck",
    "identifier_digest",
    "list_events",
    "record_event",
    "verify_chain",
]

#: The ``prev_mac`` of the first event.
GENESIS = "0" * 64

@dataclass(frozen=True)
class ChainCheck:
    """The result of :func:`verify_chain`: how many events were checked, and the first bad one."""

    events: int
    first_bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_bad_id": self.first_bad_id, "reason": self.reason}


def identifier_digest(key: str, kind: str, value: str) -> str:
    """A keyed digest of a customer identifier: the same customer always gives the same digest."""
    message = f"{kind}\x00{value.strip().casefold()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def record_event(
    session: Session,
    key: str,
    *,
    actor: User | str,
    action: str,
    detail: Mapping[str, Any],
    attempts: int = 5,
) -> AuditEvent:
    """Append one event to the chain, in its own savepoint (retried if another writer won)."""
    name = actor if isinstance(actor, str) else actor.email
    actor_id = None if isinstance(actor, str) else actor.id
    for attempt in range(attempts):
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        prev = last.mac if last is not None else GENESIS
        at = utcnow().replace(microsecond=0)
        event = AuditEvent(
            at=at, actor_id=actor_id, actor=name, action=action, detail=dict(detail), prev_mac=prev
        )
        event.mac = _mac(key, event)
        try:
            with session.begin_nested():
                session.add(event)
                session.flush()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            continue
        return event
    raise AssertionError("unreachable")


def list_events(session: Session, *, limit: int = 200) -> list[AuditEvent]:
    """The newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def verify_chain(session: Session, key: str) -> ChainCheck:
    """Walk the chain from the first event; report the first one that was altered or is missing."""
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_mac != prev:
            return ChainCheck(count, event.id, "an event before this one was removed or reordered")
        if not hmac.compare_digest(event.mac, _mac(key, event)):
            return ChainCheck(count, event.id, "this event was altered (or the key is not the one it was written with)")
        prev = event.mac
    return ChainCheck(count)


def _mac(key: str, event: AuditEvent) -> str:
    at = event.at.replace(microsecond=0).isoformat() if event.at else ""
    payload = json.dumps(
        {
            "at": at,
            "actor": event.actor,
            "action": event.action,
            "detail": event.detail,
            "prev": event.prev_mac,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
