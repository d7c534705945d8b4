"""The reaper: gives back tasks whose runner died (lease expired) and re-sends queued tasks an
executor seems to have lost. It runs in every shape: inside ``serve`` and every ``worker``."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from storyreel.db.repositories import tasks as repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.tasks import service
from storyreel.tasks.dispatch import announce, enqueue

log = logging.getLogger(__name__)

#: Runs a task may lose with its worker before it fails. Unrelated losses (a node drained, a
#: worker OOM-killed by a neighbour) must not fail a long render; a task that takes its worker
#: down every time must not loop forever either.
MAX_LOST_RUNS = 5


@dataclass
class ReapReport:
    requeued: list[str]
    failed: list[str]
    resubmitted: list[str]
    released: list[str]


def reap(db: Database, *, resubmit_after_s: float | None = None) -> ReapReport:
    """One pass. A task that outlived its lease goes back to the queue with a new fencing token
    (its old runner, if merely stalled, can no longer write), or fails once it has lost
    ``MAX_LOST_RUNS`` runs that way — a task that kills its worker every time must not loop
    forever. Lost runs do not spend the task's attempts (those are for its own failures)."""
    report = ReapReport([], [], [], [])
    with db.session() as s:
        now = utcnow()
        for task in repo.expired_leases(s, now):
            task.fence += 1
            task.lease_owner = None
            task.lease_expires_at = None
            task.lost_runs += 1
            if task.lost_runs >= MAX_LOST_RUNS:
                task.status = "failed"
                task.finished_at = now
                task.error = {
                    "code": "worker_lost",
                    "message": f"the worker running it stopped responding {task.lost_runs} "
                    "times; a task that takes its worker down every time is not run again "
                    "(see the workers' logs, then retry it)",
                    "retryable": False,
                }
                s.flush()
                announce(s, task)
                service.fail_dependents(s, task)
                report.failed.append(task.id)
            else:
                task.status = "queued"
                task.queued_at = now
                task.message = "requeued: its worker stopped responding"
                enqueue(s, task)
                announce(s, task)
                report.requeued.append(task.id)
        for task in repo.blocked_but_ready(s):  # a safety net: releasing normally does this
            task.status = "queued"
            task.queued_at = now
            enqueue(s, task)
            announce(s, task)
            report.released.append(task.id)
        if resubmit_after_s is not None:
            for task in repo.stuck_queued(s, now - timedelta(seconds=resubmit_after_s)):
                task.queued_at = now  # so the next pass waits again before re-sending
                enqueue(s, task)
                report.resubmitted.append(task.id)
    if report.requeued or report.failed:
        log.info("reaper: requeued %s, failed %s", report.requeued, report.failed)
    return report


class Reaper(threading.Thread):
    """Runs ``reap`` every ``interval_s`` until stopped."""

    def __init__(
        self, db: Database, interval_s: float, resubmit_after_s: float | None = None
    ) -> None:
        super().__init__(name="reaper", daemon=True)
        self.db, self.interval_s, self.resubmit_after_s = db, interval_s, resubmit_after_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            try:
                reap(self.db, resubmit_after_s=self.resubmit_after_s)
            except Exception:  # keep reaping: a failed pass is retried next interval
                log.exception("reaper pass failed")

    def stop(self) -> None:
        self._stop_event.set()
