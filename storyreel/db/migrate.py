"""Alembic, driven from code: ``storyreel migrate`` upgrades; servers refuse an old schema."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storyreel.db.session import Database


class DatabaseNotMigrated(RuntimeError):
    """The schema is missing or older than this version of storyreel expects."""


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", "storyreel.db:migrations")
    config.attributes["engine"] = db.engine
    return config


def head_revision(db: Database) -> str:
    head = ScriptDirectory.from_config(_config(db)).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to ``revision``; returns (before, after)."""
    before = current_revision(db)
    command.upgrade(_config(db), revision)
    return before, current_revision(db) or ""


def ensure_migrated(db: Database) -> None:
    current, head = current_revision(db), head_revision(db)
    if current != head:
        state = "has no storyreel tables" if current is None else f"is at revision {current}"
        raise DatabaseNotMigrated(
            f"the database {db.engine.url.render_as_string(hide_password=True)} {state}; "
            f"this storyreel needs revision {head}. Run `storyreel migrate` first."
        )
