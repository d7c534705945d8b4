"""The migrations build exactly the schema the models describe (no forgotten column or index),
and go down again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storyreel.db import migrate
from storyreel.db.models import Base
from storyreel.db.session import Database


def _drift(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(db)
    assert _drift(db) == []


def test_the_latest_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(db)
    head = migrate.head_revision(db)
    command.downgrade(migrate._config(db), "-1")
    assert migrate.current_revision(db) != head
    migrate.upgrade(db)
    assert migrate.current_revision(db) == head
    assert _drift(db) == []
