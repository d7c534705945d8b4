"""DAG operations on the task table: submit, unblock, cascade failure and cancellation, retry,
and invalidation for incremental re-runs. Callers own the transaction (the boundary commits)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storyreel.db.models import Task
from storyreel.db.repositories import tasks as repo
from storyreel.db.repositories import usage
from storyreel.db.types import utcnow
from storyreel.tasks.dispatch import announce, enqueue, revoke
from storyreel.tasks.kinds import KindPolicy, KindRegistry
from storyreel.tasks.model import FINISHED, InvalidTransition, TaskNotFound, TaskSpec

DEPENDENCY_FAILED = "dependency_failed"


def get(session: Session, task_id: str) -> Task:
    task = repo.get(session, task_id, lock=True)
    if task is None:
        raise TaskNotFound(f"no task {task_id!r}")
    return task


def submit(session: Session, spec: TaskSpec, kinds: KindRegistry) -> Task:
    """Record a task; it is queued (and handed to the executor after commit) once its
    dependencies have succeeded. The same idempotency key submits once."""
    if spec.idempotency_key:
        existing = repo.by_idempotency_key(session, spec.idempotency_key)
        if existing is not None:
            return existing
    policy = kinds.policy(spec.kind)
    task = Task(
        kind=spec.kind,
        params=dict(spec.params),
        project_id=spec.project_id,
        shot_id=spec.shot_id,
        owner_id=spec.owner_id,
        priority=spec.priority,
        resource=spec.resource or policy.resource,
        max_attempts=spec.max_attempts or policy.max_attempts,
        timeout_s=spec.timeout_s or policy.timeout_s,
        idempotency_key=spec.idempotency_key,
        status="blocked",
    )
    deps = repo.get_many(session, spec.depends_on)
    if len(deps) != len(set(spec.depends_on)):
        missing = set(spec.depends_on) - {d.id for d in deps}
        raise TaskNotFound(f"unknown dependencies: {sorted(missing)}")
    if spec.idempotency_key:
        try:  # two submits with the same key at once: the loser returns the winner's task
            with session.begin_nested():
                repo.add(session, task, spec.depends_on)
        except IntegrityError:
            existing = repo.by_idempotency_key(session, spec.idempotency_key)
            if existing is None:
                raise
            return existing
    else:
        repo.add(session, task, spec.depends_on)
    _charge(session, task, policy)
    _settle(session, task, deps, kinds)
    return task


def _charge(session: Session, task: Task, policy: KindPolicy) -> None:
    """Record what this run of ``task`` counts against its owner's daily quotas."""
    if task.owner_id and policy.quota_units:
        units = dict(policy.quota_units)
        usage.charge(
            session,
            task.owner_id,
            images=units.get("images", 0),
            videos=units.get("videos", 0),
        )


def _settle(session: Session, task: Task, deps: Iterable[Task], kinds: KindRegistry) -> None:
    """blocked → queued when every dependency succeeded (but those the kind may start before);
    → failed when one failed for good."""
    deps = list(deps)
    early = kinds.policy(task.kind).starts_before
    broken = [d for d in deps if d.status in ("failed", "cancelled")]
    if broken:
        _finish(
            session,
            task,
            "failed",
            error={
                "code": DEPENDENCY_FAILED,
                "message": f"{broken[0].kind} task {broken[0].id} {broken[0].status}",
                "retryable": False,
            },
        )
        announce(session, task)
        fail_dependents(session, task)
        return
    elif all(d.status == "succeeded" for d in deps if d.kind not in early):
        task.status = "queued"
        task.queued_at = utcnow()
        task.not_before = None
        enqueue(session, task)
    else:
        task.status = "blocked"
    announce(session, task)


def _finish(session: Session, task: Task, status: str, *, error: dict[str, Any] | None) -> None:
    if task.status == "running":
        task.fence += 1  # the runner still holding it can no longer write
        revoke(session, task)
    task.status = status
    task.error = error
    task.finished_at = utcnow()
    task.lease_owner = None
    task.lease_expires_at = None
    session.flush()


def release_dependents(session: Session, task_id: str, kinds: KindRegistry) -> list[Task]:
    """After ``task_id`` succeeded: queue every dependent whose dependencies all succeeded
    (but those its kind may start before)."""
    released = []
    # Locked, so that two dependencies finishing at once cannot both see the other unfinished
    # and leave the dependent blocked forever (READ COMMITTED on PostgreSQL).
    for dependent in repo.get_many(session, repo.dependent_ids(session, task_id), lock=True):
        if dependent.status != "blocked":
            continue
        early = kinds.policy(dependent.kind).starts_before
        if repo.unfinished_dependency_count(session, dependent.id, early) == 0:
            dependent.status = "queued"
            dependent.queued_at = utcnow()
            enqueue(session, dependent)
            announce(session, dependent)
            released.append(dependent)
    session.flush()
    return released


def _downstream(session: Session, task_ids: Iterable[str]) -> list[Task]:
    """Every task that depends on these, transitively, in breadth-first order."""
    seen: set[str] = set()
    order: list[str] = []
    todo = deque(task_ids)
    while todo:
        for dep_id in repo.dependent_ids(session, todo.popleft()):
            if dep_id not in seen:
                seen.add(dep_id)
                order.append(dep_id)
                todo.append(dep_id)
    by_id = {t.id: t for t in repo.get_many(session, order, lock=True)}
    return [by_id[i] for i in order if i in by_id]


def fail_dependents(session: Session, task: Task) -> list[Task]:
    """``task`` failed for good: everything downstream that has not finished fails too."""
    failed = []
    for dependent in _downstream(session, [task.id]):
        if dependent.status in FINISHED:
            continue
        _finish(
            session,
            dependent,
            "failed",
            error={
                "code": DEPENDENCY_FAILED,
                "message": f"{task.kind} task {task.id} failed",
                "retryable": False,
            },
        )
        announce(session, dependent)
        failed.append(dependent)
    return failed


def cancel(session: Session, task_id: str) -> list[Task]:
    """Cancel a task and everything downstream of it that has not finished. A running task is
    fenced at once; its runner notices (heartbeat or executor signal) and kills its work."""
    task = get(session, task_id)
    cancelled = []
    for t in [task, *_downstream(session, [task.id])]:
        if t.status in FINISHED:
            continue
        _finish(
            session,
            t,
            "cancelled",
            error={"code": "cancelled", "message": "cancelled", "retryable": False},
        )
        announce(session, t)
        cancelled.append(t)
    return cancelled


def retry(session: Session, task_id: str, kinds: KindRegistry) -> Task:
    """Run a failed or cancelled task again (fresh attempts), and the dependents it took down.
    ``kinds`` says what each re-run counts against its owner's quotas."""
    task = get(session, task_id)
    if task.status not in ("failed", "cancelled"):
        raise InvalidTransition(
            f"task {task_id} is {task.status}; only failed or cancelled tasks retry"
        )
    reset = [task] + [
        t
        for t in _downstream(session, [task.id])
        if t.status == "cancelled" or (t.error or {}).get("code") == DEPENDENCY_FAILED
    ]
    for t in reset:
        _reset(session, t, kinds)
    session.flush()
    for t in reset:
        _settle(session, t, repo.get_many(session, repo.dependency_ids(session, t.id)), kinds)
    return task


def _reset(session: Session, task: Task, kinds: KindRegistry) -> None:
    if task.status not in ("blocked", "queued"):
        _charge(session, task, kinds.policy(task.kind))  # it ran (or runs): this is another run
    if task.status == "running":
        task.fence += 1
        revoke(session, task)
    task.status = "blocked"
    task.attempts = 0
    task.lost_runs = 0
    task.error = None
    task.result = None
    task.progress = 0.0
    task.message = ""
    task.not_before = None
    task.lease_owner = None
    task.lease_expires_at = None
    task.finished_at = None


def invalidate(session: Session, task_ids: Iterable[str], kinds: KindRegistry) -> list[Task]:
    """Mark these tasks and exactly what depends on them stale: they run again, in order.
    A running one is fenced, so its now-outdated result is refused; ``kinds`` says what each
    re-run counts against its owner's quotas."""
    roots = repo.get_many(session, task_ids, lock=True)
    stale = roots + [t for t in _downstream(session, [t.id for t in roots]) if t not in roots]
    for t in stale:
        _reset(session, t, kinds)
    session.flush()
    for t in stale:
        _settle(session, t, repo.get_many(session, repo.dependency_ids(session, t.id)), kinds)
    return stale
