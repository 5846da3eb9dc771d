"""The audit log's table: one row per audited action, chained by HMAC (see :mod:`warmline.store.audit`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from warmline.store.tables import Base, utcnow


class AuditEvent(Base):
    """One audited action; ``mac`` chains it to the event before."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Kept for joins but not part of the MAC: deleting the user sets it to NULL.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    #: Who acted, as written at the time (an e-mail, ``cli`` or ``retention schedule``).
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_mac: Mapped[str] = mapped_column(String(64), unique=True)
    mac: Mapped[str] = mapped_column(String(64))


__all__ = ["AuditEvent"]
