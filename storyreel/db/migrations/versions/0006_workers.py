"""workers: the registry of processes that run tasks (host, pid, version, queues, heartbeat,
what each runs now, its GPU), shown by ``storyreel workers`` and ``GET /admin/workers``

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storyreel.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = storyreel.db.types.UTCDateTime(timezone=True)
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("executor", sa.String(length=32), nullable=False),
        sa.Column(
            "queues",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            server_default="[]",
        ),
        sa.Column("started_at", when, nullable=False),
        sa.Column("last_heartbeat_at", when, nullable=False),
        sa.Column("task_id", sa.String(length=32), nullable=True),
        sa.Column("task_kind", sa.String(length=64), nullable=True),
        sa.Column("tasks_running", sa.Integer(), nullable=False),
        sa.Column("gpu_name", sa.String(length=255), nullable=True),
        sa.Column("gpu_memory_mb", sa.Integer(), nullable=True),
        sa.Column("stopped_at", when, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_index("ix_workers_last_heartbeat_at", "workers", ["last_heartbeat_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_workers_last_heartbeat_at", table_name="workers")
    op.drop_table("workers")
