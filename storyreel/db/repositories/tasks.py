"""SQL for tasks and their dependencies, with the compare-and-set claims the engine relies on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, load_only
from sqlalchemy.sql.elements import ColumnElement

from storyreel.db.models import Project, Task, TaskDependency
from storyreel.db.types import JSONType, UTCDateTime, utcnow


def get(session: Session, task_id: str, *, lock: bool = False) -> Task | None:
    """``lock``: hold the row (FOR UPDATE) until commit, and read its latest committed state —
    a read-check-write on a task must not interleave with another transaction's (PostgreSQL
    runs READ COMMITTED; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if not lock:
        return session.get(Task, task_id)
    return session.get(Task, task_id, with_for_update=True, populate_existing=True)


def get_many(session: Session, task_ids: Iterable[str], *, lock: bool = False) -> list[Task]:
    ids = sorted(set(task_ids))  # a fixed lock order: two transactions never deadlock
    if not ids:
        return []
    q = select(Task).where(Task.id.in_(ids)).order_by(Task.id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(q))


def by_idempotency_key(session: Session, key: str) -> Task | None:
    return session.scalars(select(Task).where(Task.idempotency_key == key)).first()


def add(session: Session, task: Task, depends_on: Sequence[str]) -> Task:
    session.add(task)
    session.flush()
    for dep in dict.fromkeys(depends_on):
        session.add(TaskDependency(task_id=task.id, depends_on_id=dep))
    session.flush()
    return task


def set_dependencies(session: Session, task_id: str, depends_on: Sequence[str]) -> None:
    session.execute(delete(TaskDependency).where(TaskDependency.task_id == task_id))
    for dep in dict.fromkeys(depends_on):
        session.add(TaskDependency(task_id=task_id, depends_on_id=dep))
    session.flush()


def dependency_ids(session: Session, task_id: str) -> list[str]:
    q = select(TaskDependency.depends_on_id).where(TaskDependency.task_id == task_id)
    return list(session.scalars(q))


_DEPENDENTS = select(TaskDependency.task_id).where(
    TaskDependency.depends_on_id == bindparam("task_id", type_=String())
)


def dependent_ids(session: Session, task_id: str) -> list[str]:
    return list(session.scalars(_DEPENDENTS, {"task_id": task_id}))


def unfinished_dependency_count(
    session: Session, task_id: str, except_kinds: Iterable[str] = ()
) -> int:
    """Dependencies of ``task_id`` not yet succeeded, leaving out those of ``except_kinds``."""
    q = (
        select(func.count())
        .select_from(TaskDependency)
        .join(Task, Task.id == TaskDependency.depends_on_id)
        .where(
            TaskDependency.task_id == task_id,
            Task.status != "succeeded",
            Task.kind.not_in(list(except_kinds)),
        )
    )
    return int(session.scalar(q) or 0)


def ready_candidates(session: Session, resource: str, now: datetime, limit: int = 8) -> list[str]:
    """Queued work of one class whose backoff has passed: highest priority, then oldest."""
    q = (
        select(Task.id)
        .where(
            Task.status == "queued",
            Task.resource == resource,
            or_(Task.not_before.is_(None), Task.not_before <= now),
        )
        .order_by(Task.priority.desc(), Task.created_at, Task.id)
        .limit(limit)
    )
    return list(session.scalars(q))


# The engine's hot statements are built once, with bound parameters: building an ORM statement
# (and its cache key) costs more CPU than SQLite takes to run it.
_NOW = bindparam("now", type_=UTCDateTime())
_READY = and_(Task.status == "queued", or_(Task.not_before.is_(None), Task.not_before <= _NOW))
_CLAIM_VALUES: dict[str, Any] = {
    "status": "running",
    "lease_owner": bindparam("worker", type_=String()),
    "lease_expires_at": bindparam("expires", type_=UTCDateTime()),
    "fence": Task.fence + 1,
    "attempts": Task.attempts + 1,
    "started_at": _NOW,
    "finished_at": None,
    "progress": 0.0,
    "message": "",
    "updated_at": _NOW,
}
_ORM_RETURNING = {"synchronize_session": False, "populate_existing": True}


def _claim_stmt(which: ColumnElement[bool]) -> Any:
    return (
        update(Task)
        .where(which, _READY)
        .values(**_CLAIM_VALUES)
        .returning(Task)
        .execution_options(**_ORM_RETURNING)
    )


def _pick(dialect: str) -> Any:
    pick = (
        select(Task.id)
        .where(_READY, Task.resource == bindparam("b_resource", type_=String()))
        .order_by(Task.priority.desc(), Task.created_at, Task.id)
        .limit(1)
    )
    # PostgreSQL: skip rows other workers are claiming; SQLite: BEGIN IMMEDIATE serializes.
    return pick.with_for_update(skip_locked=True) if dialect == "postgresql" else pick


_CLAIM = _claim_stmt(Task.id == bindparam("task_id", type_=String()))
_CLAIM_NEXT = {d: _claim_stmt(Task.id == _pick(d).scalar_subquery()) for d in ("postgresql", "")}
_SUCCEED = (
    update(Task)
    .where(
        Task.id == bindparam("task_id", type_=String()),
        Task.fence == bindparam("b_fence", type_=Integer()),
        Task.status == "running",
    )
    .values(
        status="succeeded",
        result=bindparam("b_result", type_=JSONType),
        error=None,
        progress=100.0,
        finished_at=_NOW,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=_NOW,
    )
    .returning(Task)
    .execution_options(**_ORM_RETURNING)
)


def _claim_params(worker: str, lease_s: float, now: datetime) -> dict[str, Any]:
    return {"worker": worker, "expires": now + timedelta(seconds=lease_s), "now": now}


def claim(
    session: Session, task_id: str, worker: str, lease_s: float, now: datetime
) -> Task | None:
    """queued → running for this worker, if nobody else got there first; returns the task as
    claimed (its ``fence`` is the new fencing token), loaded by the UPDATE itself."""
    params = {**_claim_params(worker, lease_s, now), "task_id": task_id}
    return session.scalars(_CLAIM, params).first()


def claim_next(
    session: Session, resource: str, worker: str, lease_s: float, now: datetime
) -> Task | None:
    """The best ready task of a class (highest priority, then oldest), claimed in one statement."""
    dialect = session.get_bind().dialect.name
    stmt = _CLAIM_NEXT["postgresql" if dialect == "postgresql" else ""]
    params = {**_claim_params(worker, lease_s, now), "b_resource": resource}
    return session.scalars(stmt, params).first()


def succeed(session: Session, task_id: str, fence: int, result: dict[str, Any]) -> Task | None:
    """running → succeeded, fenced; returns the task, or None when the fence refused it."""
    params = {"task_id": task_id, "b_fence": fence, "b_result": result, "now": utcnow()}
    return session.scalars(_SUCCEED, params).first()


def renew_lease(session: Session, task_id: str, fence: int, lease_s: float) -> bool:
    now = utcnow()
    result = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.fence == fence, Task.status == "running")
        .values(lease_expires_at=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def fenced_update(session: Session, task_id: str, fence: int, **values: Any) -> bool:
    """Write only while this runner still holds the task; a stale runner's write matches nothing."""
    values.setdefault("updated_at", utcnow())
    result = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.fence == fence, Task.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def expired_leases(session: Session, now: datetime, limit: int = 100) -> list[Task]:
    q = (
        select(Task)
        .where(Task.status == "running", Task.lease_expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(q))


def blocked_but_ready(session: Session, limit: int = 500) -> list[Task]:
    """Blocked tasks whose dependencies all succeeded (a safety net; normally none)."""
    pending = (
        select(TaskDependency.task_id)
        .join(Task, Task.id == TaskDependency.depends_on_id)
        .where(Task.status != "succeeded")
    )
    q = select(Task).where(Task.status == "blocked", Task.id.not_in(pending)).limit(limit)
    return list(session.scalars(q))


def stuck_queued(session: Session, older_than: datetime, limit: int = 500) -> list[Task]:
    """Queued and ready, but not picked up for a while (e.g. a broker that lost its messages)."""
    q = (
        select(Task)
        .where(
            Task.status == "queued",
            Task.queued_at < older_than,
            or_(Task.not_before.is_(None), Task.not_before < older_than),
        )
        .order_by(Task.priority.desc(), Task.created_at)
        .limit(limit)
    )
    return list(session.scalars(q))


def for_project(session: Session, project_id: str) -> list[Task]:
    q = select(Task).where(Task.project_id == project_id).order_by(Task.created_at, Task.id)
    return list(session.scalars(q))


def listing(
    session: Session,
    *,
    status: Sequence[str] = (),
    project_id: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[Task]:
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(Task.status.in_(list(status)))
    if project_id:
        conditions.append(Task.project_id == project_id)
    if kind:
        conditions.append(Task.kind == kind)
    q = select(Task).where(and_(*conditions)).order_by(Task.created_at.desc(), Task.id).limit(limit)
    return list(session.scalars(q))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Task.status, func.count()).group_by(Task.status))
    return {status: int(n) for status, n in rows}


# A task with its project (only the columns access checks need) in one statement, built once:
# building it would cost more than SQLite takes to run it (the API's status polls).
_PROJECT_COLUMNS = load_only(Project.id, Project.owner_id)
_WITH_PROJECT = (
    select(Task, Project)
    .outerjoin(Project, Project.id == Task.project_id)
    .where(Task.id == bindparam("task_id", type_=String()))
    .options(_PROJECT_COLUMNS)
)


def with_project(session: Session, task_id: str) -> tuple[Task, Project | None] | None:
    row = session.execute(_WITH_PROJECT, {"task_id": task_id}).first()
    return (row[0], row[1]) if row is not None else None


def many_with_projects(
    session: Session, task_ids: Sequence[str]
) -> list[tuple[Task, Project | None]]:
    q = (
        select(Task, Project)
        .outerjoin(Project, Project.id == Task.project_id)
        .where(Task.id.in_(list(task_ids)))
        .options(_PROJECT_COLUMNS)
    )
    return [(task, project) for task, project in session.execute(q)]


def project_page(
    session: Session,
    project_id: str,
    *,
    statuses: Sequence[str] = (),
    kind: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Task], int]:
    """One page of a project's tasks in pipeline order (oldest first), and the total."""
    where = [Task.project_id == project_id]
    if statuses:
        where.append(Task.status.in_(list(statuses)))
    if kind:
        where.append(Task.kind == kind)
    total = int(session.scalar(select(func.count()).select_from(Task).where(*where)) or 0)
    q = (
        select(Task)
        .where(*where)
        .order_by(Task.created_at, Task.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(session.scalars(q)), total
