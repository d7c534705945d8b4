"""SQL that asks the database about itself (for the readiness probe)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def ping(session: Session) -> None:
    """A round trip: raises if the database cannot be reached."""
    session.execute(text("SELECT 1"))


def revision(session: Session) -> str | None:
    """The migration the schema is at; raises ``DBAPIError`` where there is no schema."""
    found = session.scalar(text("SELECT version_num FROM alembic_version"))
    return str(found) if found is not None else None
