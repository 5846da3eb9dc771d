"""calibration sessions, blind reviewer scores and versioned rubrics

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    rubrics = op.create_table(
        "rubrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    # Version 1 is the rubric every score so far was made with: the shipped weights.
    from warmline.engine.scoring import load_weights

    op.bulk_insert(
        rubrics,
        [
            {
                "version": 1,
                "weights": load_weights(),
                "note": "the shipped scoring.yaml",
                "author_id": None,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    op.add_column(
        "conversations",
        sa.Column("rubric_version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("conversation_id", "owner_id", "team_id"):
        op.create_index(f"ix_calibration_sessions_{column}", "calibration_sessions", [column])
    op.create_table(
        "calibration_reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("invited_at", _WHEN, nullable=False),
        sa.Column("submitted_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["calibration_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_calibration_reviewer"),
    )
    op.create_index("ix_calibration_reviewers_session_id", "calibration_reviewers", ["session_id"])
    op.create_index("ix_calibration_reviewers_user_id", "calibration_reviewers", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_calibration_reviewers_user_id", table_name="calibration_reviewers")
    op.drop_index("ix_calibration_reviewers_session_id", table_name="calibration_reviewers")
    op.drop_table("calibration_reviewers")
    for column in ("team_id", "owner_id", "conversation_id"):
        op.drop_index(f"ix_calibration_sessions_{column}", table_name="calibration_sessions")
    op.drop_table("calibration_sessions")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("rubric_version")
    op.drop_table("rubrics")
