"""projects.origin: where a project came from (``make:/path/film.mp4`` for the CLI's films)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=1024), nullable=True))
        batch_op.create_index("ix_projects_origin", ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_origin")
        batch_op.drop_column("origin")
