"""SQL for the worker registry: register, heartbeat (one small UPDATE), stop, list, prune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storyreel.db.models import Worker

WorkerState = Literal["running", "idle", "lost", "stopped"]
STATES: tuple[WorkerState, ...] = ("running", "idle", "lost", "stopped")


@dataclass(frozen=True)
class Current:
    """What a worker runs at a heartbeat: its longest-running task and how many it runs."""

    task_id: str | None = None
    task_kind: str | None = None
    running: int = 0


def state_of(worker: Worker, now: datetime, lease_s: float) -> WorkerState:
    """Stopped on a clean exit; lost when silent past the lease (killed, frozen, cut off)."""
    if worker.stopped_at is not None:
        return "stopped"
    if worker.last_heartbeat_at < now - timedelta(seconds=lease_s):
        return "lost"
    return "running" if worker.tasks_running > 0 else "idle"


def register(session: Session, worker: Worker) -> None:
    """Insert the row (or take over one with the same id, which a restart never reuses)."""
    session.merge(worker)
    session.flush()


def heartbeat(session: Session, worker_id: str, now: datetime, current: Current) -> bool:
    """Renew the heartbeat and record what runs now; False when the row is gone (pruned as
    lost by another process after a long pause): the caller registers again."""
    result = session.execute(
        update(Worker)
        .where(Worker.id == worker_id)
        .values(
            last_heartbeat_at=now,
            task_id=current.task_id,
            task_kind=current.task_kind,
            tasks_running=current.running,
            stopped_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def stop(session: Session, worker_id: str, now: datetime) -> None:
    session.execute(
        update(Worker)
        .where(Worker.id == worker_id)
        .values(
            stopped_at=now, last_heartbeat_at=now, task_id=None, task_kind=None, tasks_running=0
        )
        .execution_options(synchronize_session=False)
    )


def prune(session: Session, now: datetime, lease_s: float, keep: timedelta) -> int:
    """Delete workers stopped, or lost (silent past the lease), longer than ``keep`` ago."""
    cutoff = now - keep
    result = session.execute(
        delete(Worker)
        .where(
            or_(
                and_(Worker.stopped_at.is_not(None), Worker.stopped_at < cutoff),
                and_(
                    Worker.stopped_at.is_(None),
                    Worker.last_heartbeat_at < cutoff - timedelta(seconds=lease_s),
                ),
            )
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def get(session: Session, worker_id: str) -> Worker | None:
    return session.get(Worker, worker_id)


def page(session: Session, offset: int, limit: int) -> tuple[list[Worker], int]:
    """Workers still registered, newest heartbeat first (live ones before the lost and stopped)."""
    total = int(session.scalar(select(func.count()).select_from(Worker)) or 0)
    q = (
        select(Worker)
        .order_by(Worker.stopped_at.is_not(None), Worker.last_heartbeat_at.desc(), Worker.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(q)), total
