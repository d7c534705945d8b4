"""provider routes per account and project, project budgets, failovers on usage, provider keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storyreel.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _json(name: str, empty: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name,
        sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
        nullable=False,
        server_default=empty,
    )


def upgrade() -> None:
    op.create_table(
        "provider_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", storyreel.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storyreel.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_provider_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_keys")),
    )
    with op.batch_alter_table("provider_keys", schema=None) as batch_op:
        batch_op.create_index("ix_provider_keys_user_slot", ["user_id", "slot"], unique=True)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(_json("routing", "{}"))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(_json("routing", "{}"))
        batch_op.add_column(sa.Column("budget", sa.Float(), nullable=True))

    with op.batch_alter_table("usage_records", schema=None) as batch_op:
        batch_op.add_column(_json("failovers", "[]"))
        batch_op.create_index("ix_usage_records_owner_created", ["owner_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("usage_records", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_records_owner_created")
        batch_op.drop_column("failovers")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("budget")
        batch_op.drop_column("routing")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("routing")

    with op.batch_alter_table("provider_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_provider_keys_user_slot")

    op.drop_table("provider_keys")
