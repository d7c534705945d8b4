"""In-process executor: a bounded pool of threads per resource class, fed from the database.

Each thread claims the best ready task of its class straight from the task table, so work
recorded while no worker ran is picked up at start, several worker processes share one
database without running a task twice (the claim is a compare-and-set), and ``submit`` is only
a wake-up call that keeps the hand-off between a dependency and its dependent fast.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Self

from storyreel.db.types import utcnow
from storyreel.tasks.executors.base import Executor, ExecutorOptions
from storyreel.tasks.model import RESOURCES
from storyreel.tasks.runner import Runner

log = logging.getLogger(__name__)


class _Lane:
    """One resource class: its threads share a condition that ``submit`` signals."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self.cond = threading.Condition()
        self.signals = 0
        self.busy = 0

    def signal(self) -> None:
        with self.cond:
            self.signals += 1
            self.cond.notify()

    def wait(self, timeout: float) -> None:
        with self.cond:
            if self.signals == 0:
                self.cond.wait(timeout)
            self.signals = max(0, self.signals - 1)


class LocalExecutor(Executor):
    def __init__(
        self, runner: Runner, concurrency: Mapping[str, int], *, poll_s: float = 1.0
    ) -> None:
        self.runner = runner
        self.poll_s = poll_s
        self.lanes: dict[str, _Lane] = {
            r: _Lane(r, max(0, int(concurrency.get(r, 1)))) for r in RESOURCES
        }
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()

    @classmethod
    def create(cls, runner: Runner, options: ExecutorOptions) -> Self:
        return cls(runner, options.concurrency)

    def submit(self, task_id: str, queue: str, priority: int, eta: datetime | None) -> None:
        lane = self.lanes.get(queue)
        if lane is None:
            log.error("task %s is in unknown queue %r", task_id, queue)
            return
        delay = (eta - utcnow()).total_seconds() if eta is not None else 0.0
        if delay > 0.01:
            timer = threading.Timer(delay, lane.signal)
            timer.daemon = True
            timer.start()
            with self._lock:
                self._timers = [t for t in self._timers if t.is_alive()] + [timer]
        else:
            lane.signal()

    def cancel(self, task_id: str) -> None:
        self.runner.cancel_local(task_id)

    def start(self) -> None:
        for lane in self.lanes.values():
            for i in range(lane.size):
                thread = threading.Thread(
                    target=self._work, args=(lane,), name=f"{lane.name}-{i}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self, lane: _Lane) -> None:
        while not self._stopping.is_set():
            try:
                claim = self.runner.claim_next(lane.name)
            except Exception:  # the database may be briefly unavailable: wait and try again
                log.exception("claiming a %s task failed", lane.name)
                lane.wait(self.poll_s)
                continue
            if claim is None:
                lane.wait(self.poll_s)
                continue
            with lane.cond:
                lane.busy += 1
            try:
                self.runner.execute(claim)
            except Exception:
                log.exception("running task %s failed outside its handler", claim.task_id)
            finally:
                with lane.cond:
                    lane.busy -= 1

    def busy(self) -> int:
        return sum(lane.busy for lane in self.lanes.values())

    def threads(self) -> list[threading.Thread]:
        """The pool's threads (for readiness checks: a dead one means work stopped)."""
        return list(self._threads)

    def health(self) -> str | None:
        """Unhealthy when no thread serves the pool (not started, stopped, or every class's
        concurrency is 0) or one died: queued tasks would then wait forever."""
        threads = self.threads()
        if not threads:
            return (
                "the local executor has no worker threads (not started, stopped, or every "
                "STORYREEL_CONCURRENCY__* is 0)"
            )
        dead = [t.name for t in threads if not t.is_alive()]
        if dead:
            return f"executor threads stopped: {', '.join(dead)}"
        return None

    def stop(self, drain_s: float = 10.0) -> None:
        self._stopping.set()
        for lane in self.lanes.values():
            with lane.cond:
                lane.cond.notify_all()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        deadline = time.monotonic() + drain_s
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.runner.cancel_all_local()
        for thread in self._threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
        self._threads.clear()
