"""privacy: the customer reference on conversations and the HMAC-chained audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("customer_ref", sa.String(length=200), nullable=True))
        batch.create_index("ix_conversations_customer_ref", ["customer_ref"])
    _backfill_customer_refs()
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_mac", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prev_mac"),
    )
    op.create_index("ix_audit_events_action", "audit_events", ["action"])


def _backfill_customer_refs() -> None:
    """Conversations imported before this revision get their ``metadata.customer_id`` copied."""
    conn = op.get_bind()
    table = sa.table(
        "conversations",
        sa.column("id", sa.Integer()),
        sa.column("record", sa.JSON()),
        sa.column("customer_ref", sa.String()),
    )
    updates: list[dict[str, Any]] = []
    for row_id, record in conn.execute(sa.select(table.c.id, table.c.record)):
        data = json.loads(record) if isinstance(record, str) else record
        meta = data.get("metadata") if isinstance(data, dict) else None
        value = meta.get("customer_id") if isinstance(meta, dict) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            updates.append({"row_id": row_id, "ref": str(value).strip()[:200]})
    if updates:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")).values(customer_ref=sa.bindparam("ref")),
            updates,
        )


def downgrade() -> None:
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_table("audit_events")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_customer_ref")
        batch.drop_column("customer_ref")
