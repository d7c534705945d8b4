"""SQL for projects, their shots, characters, assets, renders and usage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from storyreel.db.models import (
    Asset,
    Character,
    Project,
    ProjectMember,
    Render,
    Shot,
    Task,
    UsageRecord,
)


def get(session: Session, project_id: str) -> Project | None:
    return session.get(Project, project_id)


def listing(session: Session, limit: int = 100) -> list[Project]:
    q = select(Project).order_by(Project.created_at.desc(), Project.id).limit(limit)
    return list(session.scalars(q))


def by_origin(session: Session, origin: str) -> Project | None:
    """The newest project that came from ``origin`` (``make:/path/film.mp4``)."""
    q = (
        select(Project)
        .where(Project.origin == origin)
        .order_by(Project.created_at.desc(), Project.id)
        .limit(1)
    )
    return session.scalars(q).first()


def render_of_task(session: Session, task_id: str) -> Render | None:
    return session.scalars(select(Render).where(Render.task_id == task_id)).first()


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


# --- listing and status ---------------------------------------------------------------------

ACTIVE_STATUSES = ("blocked", "queued", "running")
PROJECT_STATUSES = ("draft", "running", "failed", "done")


def _superseded(t: type[Task] | Any) -> ColumnElement[bool]:
    """A newer task of the same kind for the same shot (or the project) replaced ``t``: its
    failure no longer says anything about the project."""
    newer = aliased(Task)
    return exists().where(
        newer.project_id == t.project_id,
        newer.kind == t.kind,
        or_(newer.shot_id == t.shot_id, and_(newer.shot_id.is_(None), t.shot_id.is_(None))),
        or_(
            newer.created_at > t.created_at,
            and_(newer.created_at == t.created_at, newer.id > t.id),
        ),
    )


def status_expression() -> ColumnElement[str]:
    """A project's status from its tasks: work in flight → running; else a current task that
    failed → failed; else a render → done; else draft. One SQL expression, so lists can filter
    and paginate on it."""
    active = aliased(Task)
    failed = aliased(Task)
    return case(
        (
            exists().where(active.project_id == Project.id, active.status.in_(ACTIVE_STATUSES)),
            "running",
        ),
        (
            exists().where(
                failed.project_id == Project.id, failed.status == "failed", ~_superseded(failed)
            ),
            "failed",
        ),
        (exists().where(Render.project_id == Project.id), "done"),
        else_="draft",
    )


def status(session: Session, project_id: str) -> str:
    q = select(status_expression()).where(Project.id == project_id)
    return str(session.scalar(q) or "draft")


def page(
    session: Session,
    *,
    visible_to: str | None,
    status: str | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[tuple[Project, str]], int]:
    """Projects (newest first) with their status. ``visible_to``: a user id — their own and
    those shared with them; ``None``: every project (administrators)."""
    state = status_expression().label("status")
    q = select(Project, state)
    if visible_to is not None:
        shared = select(ProjectMember.project_id).where(ProjectMember.user_id == visible_to)
        q = q.where(or_(Project.owner_id == visible_to, Project.id.in_(shared)))
    if search:
        q = q.where(Project.title.icontains(search, autoescape=True))
    if status:
        q = q.where(status_expression() == status)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = session.execute(
        q.order_by(Project.created_at.desc(), Project.id.desc()).offset(offset).limit(limit)
    )
    return [(p, str(s)) for p, s in rows], total


# --- tasks of a project ---------------------------------------------------------------------


def current_tasks(session: Session, project_id: str) -> dict[tuple[str | None, str], Task]:
    """The newest task per (shot, kind) — older ones were replaced by a re-run with new
    parameters and no longer feed anything."""
    current: dict[tuple[str | None, str], Task] = {}
    for t in session.scalars(
        select(Task).where(Task.project_id == project_id).order_by(Task.created_at, Task.id)
    ):
        current[(t.shot_id, t.kind)] = t
    return current


def active_tasks(session: Session, project_id: str, shot_id: str | None = None) -> list[Task]:
    q = select(Task).where(Task.project_id == project_id, Task.status.in_(ACTIVE_STATUSES))
    if shot_id is not None:
        q = q.where(Task.shot_id == shot_id)
    return list(session.scalars(q))


# --- characters, assets, members --------------------------------------------------------------


def character(session: Session, character_id: str) -> Character | None:
    return session.get(Character, character_id)


def assets(session: Session, asset_ids: Iterable[str | None]) -> dict[str, Asset]:
    ids = sorted({a for a in asset_ids if a})
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(ids)))}


def has_music(session: Session, project_id: str) -> bool:
    """Whether the project has a music track made already."""
    found = session.scalar(
        select(Asset.id).where(Asset.project_id == project_id, Asset.kind == "music").limit(1)
    )
    return found is not None


def latest_renders(
    session: Session, project_ids: Iterable[str]
) -> dict[str, tuple[Render, Asset | None]]:
    """The newest render of each of these projects that has one, with its poster asset: one
    query for a whole page of projects."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=Render.project_id,
            order_by=(Render.created_at.desc(), Render.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Render.id, rank).where(Render.project_id.in_(ids)).subquery()
    q = (
        select(Render, Asset)
        .join(ranked, and_(ranked.c.id == Render.id, ranked.c.rank == 1))
        .outerjoin(Asset, Asset.id == Render.poster_asset_id)
    )
    return {render.project_id: (render, poster) for render, poster in session.execute(q)}


def shot_counts(session: Session, project_ids: Iterable[str]) -> dict[str, int]:
    """How many shots each of these projects has (projects without any are left out)."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    q = (
        select(Shot.project_id, func.count())
        .where(Shot.project_id.in_(ids))
        .group_by(Shot.project_id)
    )
    return {project_id: int(n) for project_id, n in session.execute(q)}


def latest_render(session: Session, project_id: str) -> Render | None:
    q = (
        select(Render)
        .where(Render.project_id == project_id)
        .order_by(Render.created_at.desc(), Render.id.desc())
        .limit(1)
    )
    return session.scalar(q)


def blob_keys_used_elsewhere(session: Session, keys: Iterable[str], project_id: str) -> set[str]:
    """Of ``keys``, those an asset of another project (or of none) still points at: a
    duplicated project shares its original's content-addressed blobs."""
    wanted = sorted(set(keys))
    used: set[str] = set()
    for start in range(0, len(wanted), 500):  # bounded IN lists
        chunk = wanted[start : start + 500]
        q = select(Asset.blob_key).where(
            Asset.blob_key.in_(chunk),
            or_(Asset.project_id.is_(None), Asset.project_id != project_id),
        )
        used.update(session.scalars(q))
    return used


def delete_project(session: Session, project_id: str) -> None:
    """The project and, by foreign-key cascade, its shots, characters, tasks, assets, renders,
    usage records and memberships."""
    session.execute(delete(Project).where(Project.id == project_id))
    session.flush()


def remove_member(session: Session, project_id: str, user_id: str) -> bool:
    result = session.execute(
        delete(ProjectMember).where(
            ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def blob_key_referenced(session: Session, key: str) -> bool:
    return session.scalar(select(Asset.id).where(Asset.blob_key == key).limit(1)) is not None
