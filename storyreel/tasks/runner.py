"""The runner: the only code that moves a task through running to a result (DESIGN.md, Tasks).

A run claims the task (compare-and-set queued → running, a new fencing token, a lease), keeps
the lease alive from a heartbeat thread, runs the kind's handler with a cancel token and a
timeout, and writes the outcome only while its fencing token is still current — so a runner
that lost its lease (it stalled, the reaper gave the task to another) cannot overwrite the
result of the runner that replaced it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.orm import Session

from storyreel.db.models import Task
from storyreel.db.repositories import tasks as repo
from storyreel.db.session import Database
from storyreel.db.types import new_id, utcnow
from storyreel.domain.cancel import CancelToken
from storyreel.tasks import service
from storyreel.tasks.context import Claim, TaskContext
from storyreel.tasks.dispatch import announce, enqueue
from storyreel.tasks.kinds import KindRegistry, UnknownKind
from storyreel.tasks.model import ServiceUnavailable, TaskFailure

# Claim and TaskContext live in ``context`` (no cycle with kinds); named here for callers.
__all__ = [
    "Claim",
    "EngineTiming",
    "ErrorClassifier",
    "Runner",
    "TaskContext",
    "backoff_seconds",
    "worker_name",
]

log = logging.getLogger(__name__)

ErrorClassifier = Callable[[BaseException], TaskFailure | None]


@dataclass(frozen=True)
class EngineTiming:
    """Lease and retry timing; tests shrink these to seconds to exercise recovery."""

    lease_s: float = 60.0
    heartbeat_s: float = 15.0
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    # How long in a row a task may wait out outages of the services it needs before it fails.
    outage_budget_s: float = 600.0
    outage_backoff_max_s: float = 60.0
    progress_interval_s: float = 0.5  # at most this often a progress write per task


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[:6]}"


def backoff_seconds(
    attempt: int, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Exponential backoff with full jitter: uniform in [base, min(cap, base·2^(attempt-1))]."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return (rng or random).uniform(min(base, ceiling), ceiling)


@dataclass(eq=False)
class _Watch:
    """A task this runner runs, as the watchdog sees it (times are ``time.monotonic()``)."""

    claim: Claim
    token: CancelToken
    deadline: float  # its timeout
    renew_at: float  # its next heartbeat
    last_ok: float  # its last renewed lease
    timed_out: bool = False
    done: bool = False
    reason: str = ""
    started: float = field(default_factory=time.monotonic)

    def next_check(self) -> float:
        return min(self.deadline, self.renew_at)


class _Watchdog(threading.Thread):
    """One thread per runner renews the lease of every task it runs (when it cannot: fenced,
    cancelled, database gone, it stops the task) and fires their timeouts. A heartbeat thread
    and a timer thread per task cost more than the engine's own work for a short task."""

    def __init__(self, runner: Runner) -> None:
        super().__init__(name="runner-watchdog", daemon=True)
        self.runner = runner
        self.cond = threading.Condition()
        self.watches: set[_Watch] = set()
        self.next_wake = float("inf")

    def watch(self, claim: Claim, token: CancelToken) -> _Watch:
        now = time.monotonic()
        w = _Watch(claim, token, now + claim.timeout_s, now + self.runner.timing.heartbeat_s, now)
        with self.cond:
            self.watches.add(w)
            if w.next_check() < self.next_wake:  # wake it only when it sleeps past this one
                self.cond.notify()
        return w

    def running(self) -> list[tuple[str, str]]:
        with self.cond:
            watches = sorted(self.watches, key=lambda w: w.started)
        return [(w.claim.task_id, w.claim.kind) for w in watches]

    def unwatch(self, w: _Watch) -> None:
        with self.cond:
            w.done = True
            self.watches.discard(w)

    def run(self) -> None:
        while True:
            with self.cond:
                now = time.monotonic()
                due = [w for w in self.watches if w.next_check() <= now]
                if not due:
                    self.next_wake = min((w.next_check() for w in self.watches), default=now + 60)
                    self.cond.wait(self.next_wake - now)
                    continue
                self.next_wake = now
            for w in due:  # timeouts first: a slow lease renewal must not delay them
                if w.deadline <= now and not w.done:
                    w.timed_out, w.deadline = True, float("inf")
                    w.token.cancel()
            for w in due:
                if w.renew_at <= now and not w.done:
                    w.renew_at = now + self.runner.timing.heartbeat_s
                    self._renew(w)

    def _renew(self, w: _Watch) -> None:
        timing, claim = self.runner.timing, w.claim
        try:
            with self.runner.db.session() as s:
                ok = repo.renew_lease(s, claim.task_id, claim.fence, timing.lease_s)
                status = None if ok else (repo.get(s, claim.task_id) or Task()).status
        except Exception as exc:  # the database may be briefly away; the lease is not
            log.warning("heartbeat for %s failed: %s", claim.task_id, exc)
            # Stop before the lease can run out: past it, the reaper may give the task
            # to another runner, and two must never run it at once.
            if time.monotonic() - w.last_ok > timing.lease_s - timing.heartbeat_s:
                self._halt(w, "lease lost: the database was unreachable for a whole lease")
            return
        if ok:
            w.last_ok = time.monotonic()
        elif not w.done:
            self._halt(w, "cancelled" if status == "cancelled" else "lease lost to another runner")

    def _halt(self, w: _Watch, reason: str) -> None:
        w.reason = reason
        w.renew_at = float("inf")
        w.token.cancel()


class Runner:
    def __init__(
        self,
        db: Database,
        kinds: KindRegistry,
        *,
        timing: EngineTiming | None = None,
        worker: str | None = None,
        classify: ErrorClassifier | None = None,
    ) -> None:
        self.db = db
        self.kinds = kinds
        self.timing = timing or EngineTiming()
        self.worker = worker or worker_name()
        self.classify = classify or (lambda exc: None)
        # Keyed by task id; the fence tells this run's token from an older run still stopping.
        self._tokens: dict[str, tuple[int, CancelToken]] = {}
        self._tokens_lock = threading.Lock()
        self._watchdog: _Watchdog | None = None
        self._watchdog_pid = 0

    def _watcher(self) -> _Watchdog:
        """The watchdog, started on first use (and again in a forked child, which has none)."""
        with self._tokens_lock:
            if self._watchdog is None or self._watchdog_pid != os.getpid():
                self._watchdog = _Watchdog(self)
                self._watchdog.start()
                self._watchdog_pid = os.getpid()
            return self._watchdog

    def running(self) -> list[tuple[str, str]]:
        """The tasks this runner runs now, as (task id, kind), longest-running first (for the
        worker registry's heartbeat)."""
        watchdog = self._watchdog
        if watchdog is None or self._watchdog_pid != os.getpid():
            return []
        return watchdog.running()

    @property
    def progress_interval_s(self) -> float:
        return self.timing.progress_interval_s

    # --- claiming -------------------------------------------------------------------------

    def claim(self, task_id: str) -> Claim | None:
        with self.db.session() as s:
            return self._claim(s, task_id)

    def claim_next(self, resource: str) -> Claim | None:
        """The best ready task of a class, claimed; None when there is none."""
        with self.db.session() as s:
            task = repo.claim_next(s, resource, self.worker, self.timing.lease_s, utcnow())
            return None if task is None else self._claimed(s, task)

    def _claim(self, s: Session, task_id: str) -> Claim | None:
        task = repo.claim(s, task_id, self.worker, self.timing.lease_s, utcnow())
        return None if task is None else self._claimed(s, task)

    def _claimed(self, s: Session, task: Task) -> Claim:
        announce(s, task)
        return Claim(
            task_id=task.id,
            fence=task.fence,
            kind=task.kind,
            params=dict(task.params),
            attempts=task.attempts,
            max_attempts=task.max_attempts,
            timeout_s=task.timeout_s,
            project_id=task.project_id,
            shot_id=task.shot_id,
            owner_id=task.owner_id,
        )

    # --- running --------------------------------------------------------------------------

    def run(self, task_id: str) -> str | None:
        """Claim ``task_id`` and run it (the Celery path); None if it was not claimable."""
        claim = self.claim(task_id)
        return self.execute(claim) if claim else None

    def cancel_local(self, task_id: str) -> bool:
        """Stop a task this process is running now (the in-process fast path of cancel)."""
        with self._tokens_lock:
            entry = self._tokens.get(task_id)
        if entry is not None:
            entry[1].cancel()
        return entry is not None

    def cancel_all_local(self) -> None:
        with self._tokens_lock:
            tokens = [token for _, token in self._tokens.values()]
        for token in tokens:
            token.cancel()

    def execute(self, claim: Claim) -> str:
        """Run a claimed task to an outcome; returns the status written (or 'fenced')."""
        # Every log line of the run (ours, the handler's, the providers') names the task.
        with structlog.contextvars.bound_contextvars(task_id=claim.task_id, task_kind=claim.kind):
            started = time.monotonic()
            outcome = self._execute(claim)
            log.info(
                "task %s %s",
                claim.kind,
                outcome,
                extra={"outcome": outcome, "seconds": round(time.monotonic() - started, 3)},
            )
            return outcome

    def _execute(self, claim: Claim) -> str:
        token = CancelToken()
        with self._tokens_lock:
            self._tokens[claim.task_id] = (claim.fence, token)
        watchdog = self._watcher()
        watch = watchdog.watch(claim, token)
        ctx = TaskContext(claim=claim, cancel=token, _runner=self)
        try:
            handler = self.kinds.get(claim.kind).handler
            result = handler(ctx)
            token.raise_if_cancelled()
        except BaseException as exc:
            watchdog.unwatch(watch)
            return self._failed(claim, exc, watch.timed_out, token.cancelled)
        finally:
            watchdog.unwatch(watch)
            with self._tokens_lock:
                if self._tokens.get(claim.task_id, (None,))[0] == claim.fence:
                    del self._tokens[claim.task_id]
        try:
            return self._succeeded(claim, result or {}, ctx._effects)
        except Exception as exc:  # an effect failed (the project vanished, a constraint...)
            return self._failed(claim, exc, False, False)

    def _succeeded(
        self, claim: Claim, result: dict[str, Any], effects: list[Callable[[Session], None]]
    ) -> str:
        with self.db.session() as s:
            task = repo.succeed(s, claim.task_id, claim.fence, result)
            if task is None:
                log.warning("task %s: result refused by the fence (stale runner)", claim.task_id)
                s.rollback()
                return "fenced"
            for effect in effects:
                effect(s)
            if effects:
                s.refresh(task)  # an effect may have changed the task row
            announce(s, task)
            service.release_dependents(s, claim.task_id, self.kinds)
        return "succeeded"

    def _failed(self, claim: Claim, exc: BaseException, timed_out: bool, stopped: bool) -> str:
        with self.db.session() as s:
            task = repo.get(s, claim.task_id, lock=True)
            if task is None or task.fence != claim.fence or task.status != "running":
                # Cancelled, invalidated or handed to another runner meanwhile: not ours to write.
                return task.status if task is not None and task.status == "cancelled" else "fenced"
            if stopped and not timed_out:
                # Stopped without a timeout while still ours: this process is shutting down.
                # Give the task back at once instead of waiting for the lease to expire.
                task.status = "queued"
                task.queued_at = utcnow()
                task.fence += 1
                task.attempts = max(0, task.attempts - 1)
                task.lease_owner = None
                task.lease_expires_at = None
                task.message = "handed back: the worker stopped"
                enqueue(s, task)
                announce(s, task)
                return "queued"
            failure = self._failure(exc, timed_out, claim)
            outage = self._outage(task.error, failure)
            task.error = failure.as_error() | outage
            task.lease_owner = None
            task.lease_expires_at = None
            if outage:
                # Not the task's failure: give the run back without spending an attempt.
                delay = backoff_seconds(
                    outage["outages"],
                    self.timing.backoff_base_s,
                    self.timing.outage_backoff_max_s,
                )
                task.attempts = max(0, task.attempts - 1)
                task.status = "queued"
                task.queued_at = utcnow()
                task.not_before = utcnow() + timedelta(seconds=delay)
                task.message = f"waiting for a service to come back; retrying in {delay:.1f} s"
                enqueue(s, task)
                announce(s, task)
                return "queued"
            # Runs lost with a dead worker are not failures of the task (see the reaper).
            failures = claim.attempts - task.lost_runs
            if failure.retryable and failures < claim.max_attempts:
                delay = backoff_seconds(
                    claim.attempts, self.timing.backoff_base_s, self.timing.backoff_max_s
                )
                task.status = "queued"
                task.queued_at = utcnow()
                task.not_before = utcnow() + timedelta(seconds=delay)
                task.message = f"attempt {claim.attempts} failed; retrying in {delay:.1f} s"
                enqueue(s, task)
                announce(s, task)
                return "queued"
            task.status = "failed"
            task.finished_at = utcnow()
            if failure.retryable:
                task.error = {
                    **failure.as_error(),
                    "message": f"gave up after {failures} attempts: {failure.message}",
                }
            s.flush()
            announce(s, task)
            service.fail_dependents(s, task)
            return "failed"

    def _outage(self, previous: dict[str, Any] | None, failure: TaskFailure) -> dict[str, Any]:
        """For a ``ServiceUnavailable`` within the outage budget: when this run of outages began
        and how many there were (kept in the task's error); else nothing."""
        if not isinstance(failure, ServiceUnavailable):
            return {}
        now = utcnow()
        since, outages = now, 1
        if previous and previous.get("code") == ServiceUnavailable.code and previous.get("since"):
            with contextlib.suppress(ValueError, TypeError):
                since = datetime.fromisoformat(str(previous["since"]))
                outages = int(previous.get("outages", 0)) + 1
        if (now - since).total_seconds() >= self.timing.outage_budget_s:
            return {}
        return {"since": since.isoformat(), "outages": outages}

    def _failure(self, exc: BaseException, timed_out: bool, claim: Claim) -> TaskFailure:
        if timed_out:
            return TaskFailure(
                f"timed out after {claim.timeout_s:g} s", code="timeout", retryable=True
            )
        if isinstance(exc, TaskFailure):
            return exc
        if isinstance(exc, UnknownKind):
            return TaskFailure(str(exc), code="unknown_kind", retryable=False)
        classified = self.classify(exc)
        if classified is not None:
            return classified
        log.error("task %s crashed:\n%s", claim.task_id, "".join(traceback.format_exception(exc)))
        return TaskFailure(f"{type(exc).__name__}: {exc}", code="crashed", retryable=True)

    def report_progress(self, claim: Claim, percent: float, message: str) -> None:
        with self.db.session() as s:
            if repo.fenced_update(s, claim.task_id, claim.fence, progress=percent, message=message):
                task = repo.get(s, claim.task_id)
                if task is not None:
                    s.refresh(task)
                    announce(s, task)
