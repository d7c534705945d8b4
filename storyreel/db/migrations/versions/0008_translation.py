"""projects.bilingual_subtitles and shots.original_narration: a translated project keeps each
shot's original narration and may show it as a second subtitle line

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "bilingual_subtitles", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("shots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_narration", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("shots", schema=None) as batch_op:
        batch_op.drop_column("original_narration")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("bilingual_subtitles")
