"""The REST API of data protection under /api/v1, for admins: retention purges, deleting one
customer's data on request, and the tamper-evident audit log of both.

Every deletion takes ``dry_run`` (default false): a dry run counts what would go and records
nothing. See docs/privacy.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from warmline.store.access import require_role
from warmline.store.audit import list_events, verify_chain
from warmline.store.errors import InvalidInputError
from warmline.store.retention import forget_customer, purge_older_than
from warmline.web.deps import Ctx, CurrentUser, Db

router = APIRouter(prefix="/api/v1", tags=["privacy"])


class PurgeIn(BaseModel):
    """Delete conversations older than ``days`` (default: ``WARMLINE_RETENTION_DAYS``)."""

    model_config = ConfigDict(extra="forbid")

    days: int | None = Field(default=None, ge=1)
    dry_run: bool = False


class ForgetIn(BaseModel):
    """One customer, by the ``metadata.customer_id`` of their conversations or by name."""

    model_config = ConfigDict(extra="forbid")

    customer_id: str | None = None
    customer_name: str | None = None
    dry_run: bool = False


class DeletionOut(BaseModel):
    action: str
    conversations: int
    practice_sessions: int
    dry_run: bool
    audit_event_id: int | None
    criteria: dict[str, Any]


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class ChainOut(BaseModel):
    ok: bool
    events: int
    first_bad_id: int | None
    reason: str


@router.post("/retention/purge", response_model=DeletionOut)
def post_purge(ctx: Ctx, session: Db, user: CurrentUser, body: PurgeIn) -> dict[str, Any]:
    """Delete (or count, with ``dry_run``) every conversation past the retention period."""
    require_role(user, "admin")
    days = body.days or ctx.settings.retention_days
    if days is None:
        raise InvalidInputError("days: give the number of days to keep (WARMLINE_RETENTION_DAYS is not set)")
    return purge_older_than(session, ctx.secret, days=days, actor=user, dry_run=body.dry_run).to_dict()


@router.post("/customers/forget", response_model=DeletionOut)
def post_forget(ctx: Ctx, session: Db, user: CurrentUser, body: ForgetIn) -> dict[str, Any]:
    """Delete (or count) one customer's conversations and everything built from them."""
    require_role(user, "admin")
    done = forget_customer(
        session,
        ctx.secret,
        actor=user,
        customer_id=body.customer_id,
        customer_name=body.customer_name,
        dry_run=body.dry_run,
    )
    return done.to_dict()


@router.get("/audit", response_model=list[AuditEventOut])
def get_audit(
    session: Db, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[Any]:
    """The newest audit events first."""
    require_role(user, "admin")
    return list(list_events(session, limit=limit))


@router.get("/audit/verify", response_model=ChainOut)
def get_audit_verify(ctx: Ctx, session: Db, user: CurrentUser) -> dict[str, Any]:
    """Check the whole chain with this deployment's key: the first altered or missing event."""
    require_role(user, "admin")
    return verify_chain(session, ctx.secret).to_dict()
