"""A task engine wired from real parts (database, runner, local executor, event bus) with
handlers the test defines: what the engine does, without media in the way."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from storyreel.db import migrate
from storyreel.db.models import Task
from storyreel.db.repositories import tasks as repo
from storyreel.db.session import Database
from storyreel.tasks import service
from storyreel.tasks.dispatch import AfterCommit
from storyreel.tasks.events import MemoryEventBus
from storyreel.tasks.executors.local import LocalExecutor
from storyreel.tasks.kinds import KindPolicy, KindRegistry
from storyreel.tasks.model import ACTIVE, TaskSpec
from storyreel.tasks.runner import EngineTiming, Runner, TaskContext

FAST = EngineTiming(lease_s=5.0, heartbeat_s=0.5, backoff_base_s=0.05, backoff_max_s=0.2)


class Kit:
    def __init__(
        self,
        url: str,
        *,
        timing: EngineTiming = FAST,
        concurrency: dict[str, int] | None = None,
        migrated: bool = True,
    ) -> None:
        self.db = Database(url)
        if migrated:
            migrate.upgrade(self.db)
        self.kinds = KindRegistry()
        self.bus = MemoryEventBus()
        self.hooks = AfterCommit(self.db, self.bus)
        self.timing = timing
        self.runner = Runner(self.db, self.kinds, timing=timing, worker="kit-1")
        self.executor = LocalExecutor(
            self.runner, concurrency or {"cpu": 2, "gpu": 1, "llm": 2, "io": 2}, poll_s=0.2
        )
        self.hooks.executor = self.executor
        self.runs: Counter[str] = Counter()
        self._lock = threading.Lock()

    def kind(
        self,
        name: str,
        fn: Callable[[TaskContext], dict[str, Any] | None] | None = None,
        **policy: Any,
    ) -> None:
        """Register ``name``; every run is counted per task id before ``fn`` runs."""

        def handler(ctx: TaskContext) -> dict[str, Any] | None:
            with self._lock:
                self.runs[ctx.task_id] += 1
            return fn(ctx) if fn else {"ok": True}

        self.kinds.register(name, handler, KindPolicy(**policy))

    def submit(self, kind: str, *deps: str, **fields: Any) -> str:
        with self.db.session() as s:
            return service.submit(s, TaskSpec(kind=kind, depends_on=deps, **fields), self.kinds).id

    def task(self, task_id: str) -> Task:
        with self.db.session() as s:
            task = repo.get(s, task_id)
            assert task is not None
            return task

    def start(self) -> Kit:
        self.executor.start()
        return self

    def wait(self, *task_ids: str, timeout: float = 30.0) -> list[Task]:
        deadline = time.monotonic() + timeout
        while True:
            tasks = [self.task(t) for t in task_ids]
            if all(t.status not in ACTIVE for t in tasks):
                return tasks
            if time.monotonic() > deadline:
                raise AssertionError(f"still active: {[(t.kind, t.status) for t in tasks]}")
            time.sleep(0.05)

    def wait_status(self, task_id: str, status: str, timeout: float = 30.0) -> Task:
        deadline = time.monotonic() + timeout
        while (task := self.task(task_id)).status != status:
            if time.monotonic() > deadline:
                raise AssertionError(f"{task.kind} is {task.status}, never became {status}")
            time.sleep(0.02)
        return task

    def close(self) -> None:
        self.executor.stop(drain_s=2)
        self.db.dispose()
