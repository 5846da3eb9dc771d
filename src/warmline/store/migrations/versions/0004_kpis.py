"""business results: KPIs per conversation and per agent-period

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversation_kpis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("fcr", sa.Boolean(), nullable=True),
        sa.Column("repeat_contact", sa.Boolean(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "csat IS NULL OR (csat BETWEEN 1 AND 5)", name="ck_conversation_kpis_csat"
        ),
        sa.CheckConstraint(
            "nps IS NULL OR (nps BETWEEN 0 AND 10)", name="ck_conversation_kpis_nps"
        ),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    op.create_table(
        "agent_kpis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=120), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "agent_id", "metric", "period_start", "period_end", name="uq_agent_kpis_period"
        ),
    )
    op.create_index("ix_agent_kpis_agent_id", "agent_kpis", ["agent_id"])
    op.create_index("ix_agent_kpis_team_id", "agent_kpis", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_kpis_team_id", table_name="agent_kpis")
    op.drop_index("ix_agent_kpis_agent_id", table_name="agent_kpis")
    op.drop_table("agent_kpis")
    op.drop_table("conversation_kpis")
