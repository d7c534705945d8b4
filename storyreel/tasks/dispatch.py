"""After-commit hand-off: queued tasks reach the executor, and events the bus, only once the
transaction that made them is committed; a rollback drops them (CONVENTIONS.md, rule 4)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from storyreel.db.models import Task
from storyreel.db.types import utcnow
from storyreel.tasks.events import ALL_TASKS, EventBus, project_channel

if TYPE_CHECKING:
    from storyreel.db.session import Database

log = logging.getLogger(__name__)

_SUBMIT = "storyreel.submit"
_EVENTS = "storyreel.events"
_CANCEL = "storyreel.cancel"


class Dispatcher(Protocol):
    """The part of an executor the hand-off uses (every ``Executor`` is one); named here so the
    hand-off, which the runner uses, does not depend on the executors, which use the runner."""

    def submit(self, task_id: str, queue: str, priority: int, eta: datetime | None) -> None: ...

    def cancel(self, task_id: str) -> None: ...


@dataclass(frozen=True)
class Submission:
    task_id: str
    queue: str
    priority: int
    eta: datetime | None


def task_event(task: Task) -> dict[str, Any]:
    return {
        "type": "task",
        "task_id": task.id,
        "kind": task.kind,
        "owner_id": task.owner_id,
        "project_id": task.project_id,
        "shot_id": task.shot_id,
        "status": task.status,
        "progress": task.progress,
        "message": task.message,
        "attempts": task.attempts,
        "error": task.error,
        "result": task.result,
        "updated_at": task.updated_at.isoformat() if task.updated_at else None,
    }


def enqueue(session: Session, task: Task) -> None:
    """Hand ``task`` to the executor after this transaction commits."""
    session.info.setdefault(_SUBMIT, []).append(
        Submission(task.id, task.resource, task.priority, task.not_before)
    )


def revoke(session: Session, task: Task) -> None:
    """Tell the executor to stop ``task`` now, after this transaction commits."""
    session.info.setdefault(_CANCEL, []).append(task.id)


def announce(session: Session, task: Task) -> None:
    """Publish the task's state on its project's channel and on the firehose (``ALL_TASKS``)
    after this transaction commits."""
    if task in session.new or session.is_modified(task):
        # The flush would stamp updated_at only later: stamp it now so event and row agree.
        task.updated_at = utcnow()
    payload = task_event(task)
    events = session.info.setdefault(_EVENTS, [])
    if task.project_id:
        events.append((project_channel(task.project_id), payload))
    events.append((ALL_TASKS, payload))


class AfterCommit:
    """Wired once per process to a Database; the executor is attached when one exists."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self.bus = bus
        self.executor: Dispatcher | None = None
        event.listen(db.sessions, "after_commit", self._after_commit)
        event.listen(db.sessions, "after_soft_rollback", self._after_rollback)

    def _after_commit(self, session: Session) -> None:
        submissions: list[Submission] = session.info.pop(_SUBMIT, [])
        events: list[tuple[str, dict[str, Any]]] = session.info.pop(_EVENTS, [])
        revoked: list[str] = session.info.pop(_CANCEL, [])
        # Work first, news second: a bus that is down must not strand a task. Failures here are
        # logged, not raised — the transaction is committed and the reaper is the safety net.
        if self.executor is not None:
            for task_id in revoked:
                self._safely(self.executor.cancel, task_id)
            for s in submissions:
                self._safely(self.executor.submit, s.task_id, s.queue, s.priority, s.eta)
        for channel, payload in events:
            self._safely(self.bus.publish, channel, payload)

    @staticmethod
    def _safely(call: Any, *args: Any) -> None:
        try:
            call(*args)
        except Exception:
            log.exception("after-commit %s failed", getattr(call, "__name__", call))

    def _after_rollback(self, session: Session, previous_transaction: Any) -> None:
        session.info.pop(_SUBMIT, None)
        session.info.pop(_EVENTS, None)
        session.info.pop(_CANCEL, None)
