"""daily quota usage ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:07:41.545789
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storyreel.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_ledger",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("day", storyreel.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("images", sa.Integer(), nullable=False),
        sa.Column("videos", sa.Integer(), nullable=False),
        sa.Column("render_seconds", sa.Float(), nullable=False),
        sa.Column("created_at", storyreel.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_usage_ledger_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_ledger")),
    )
    with op.batch_alter_table("usage_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_usage_ledger_user_day", ["user_id", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("usage_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_ledger_user_day")

    op.drop_table("usage_ledger")
