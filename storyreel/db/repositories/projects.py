"""SQL for projects, their shots, characters, assets, renders and usage."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Character, Project, Render, Shot, Task, UsageRecord


def get(session: Session, project_id: str) -> Project | None:
    return session.get(Project, project_id)


def listing(session: Session, limit: int = 100) -> list[Project]:
    q = select(Project).order_by(Project.created_at.desc(), Project.id).limit(limit)
    return list(session.scalars(q))


def shots(session: Session, project_id: str) -> list[Shot]:
    q = select(Shot).where(Shot.project_id == project_id).order_by(Shot.position, Shot.id)
    return list(session.scalars(q))


def shot(session: Session, shot_id: str) -> Shot | None:
    return session.get(Shot, shot_id)


def characters(session: Session, project_id: str) -> list[Character]:
    q = select(Character).where(Character.project_id == project_id).order_by(Character.key)
    return list(session.scalars(q))


def running_tasks(session: Session, project_id: str) -> list[Task]:
    q = select(Task).where(Task.project_id == project_id, Task.status == "running")
    return list(session.scalars(q))


def clear_storyboard(session: Session, project_id: str, keep_tasks: Sequence[str]) -> None:
    """Remove shots, characters and every task but ``keep_tasks`` (a new storyboard replaces
    them). A runner of a removed task finds its row gone and its writes match nothing."""
    session.execute(
        delete(Task).where(Task.project_id == project_id, Task.id.not_in(list(keep_tasks)))
    )
    session.execute(delete(Shot).where(Shot.project_id == project_id))
    session.execute(delete(Character).where(Character.project_id == project_id))
    session.flush()


def asset(session: Session, asset_id: str | None) -> Asset | None:
    return session.get(Asset, asset_id) if asset_id else None


def renders(session: Session, project_id: str) -> list[Render]:
    q = select(Render).where(Render.project_id == project_id).order_by(Render.created_at.desc())
    return list(session.scalars(q))


def usage(session: Session, project_id: str) -> list[UsageRecord]:
    q = select(UsageRecord).where(UsageRecord.project_id == project_id)
    return list(session.scalars(q.order_by(UsageRecord.created_at)))


def blob_keys(session: Session, project_id: str) -> list[str]:
    q = select(Asset.blob_key).where(Asset.project_id == project_id)
    return list(session.scalars(q))
