"""renders.qc_report and renders.qc_outcome: the quality check each render gets before it is
called done (media/qc.py), and what it made of it (ok, attention)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:50:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("renders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qc_report", _json(), nullable=True))
        batch_op.add_column(sa.Column("qc_outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("renders", schema=None) as batch_op:
        batch_op.drop_column("qc_outcome")
        batch_op.drop_column("qc_report")
