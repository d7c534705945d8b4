"""Executors by name, their health, and the in-process worker loop."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.tasks.executors.base import Executor, ExecutorOptions, ExecutorUnavailable
from storyreel.tasks.executors.local import LocalExecutor
from storyreel.tasks.executors.registry import (
    executor_class,
    executor_names,
    make_dispatcher,
    make_executor,
    run_worker,
)
from storyreel.tasks.model import RESOURCES
from storyreel.tasks.runner import Runner
from tests.tasks.kit import Kit


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = Kit(f"sqlite:///{tmp_path / 'engine.db'}")
    yield k
    k.close()


def test_executors_are_chosen_by_name_and_an_unknown_name_lists_the_choices(kit: Kit) -> None:
    assert executor_names() == ["celery", "local"]
    executor = make_executor("local", kit.runner, ExecutorOptions(concurrency={"cpu": 3}))
    assert isinstance(executor, LocalExecutor)
    assert executor.lanes["cpu"].size == 3 and executor.lanes["gpu"].size == 1
    with pytest.raises(
        ExecutorUnavailable, match="no executor 'kafka'; choose one of celery, local"
    ):
        make_executor("kafka", kit.runner, ExecutorOptions())


def test_a_process_that_runs_no_tasks_needs_no_local_dispatcher(kit: Kit) -> None:
    # Local workers find queued tasks in the database; nothing has to be told of them.
    assert make_dispatcher("local", kit.runner, ExecutorOptions()) is None
    assert not executor_class("local").resubmits_lost_messages


def test_a_local_executor_is_healthy_only_while_its_threads_run(kit: Kit) -> None:
    executor = make_executor("local", kit.runner, ExecutorOptions(concurrency={"cpu": 1}))
    assert "no worker threads" in (executor.health() or "")
    executor.start()
    try:
        assert executor.health() is None
    finally:
        executor.stop(drain_s=1)
    assert "no worker threads" in (executor.health() or "")
    idle = make_executor("local", kit.runner, ExecutorOptions(dict.fromkeys(RESOURCES, 0)))
    idle.start()
    assert "every STORYREEL_CONCURRENCY__* is 0" in (idle.health() or "")


def test_a_local_executor_with_a_dead_thread_says_which(kit: Kit) -> None:
    executor = make_executor("local", kit.runner, ExecutorOptions(concurrency={"cpu": 1}))
    executor.start()
    assert isinstance(executor, LocalExecutor)
    dead = threading.Thread(target=lambda: None, name="cpu-dead")
    dead.start()
    dead.join()
    executor._threads.append(dead)  # as a thread killed by an error outside any task would be
    try:
        assert executor.health() == "executor threads stopped: cpu-dead"
    finally:
        executor.stop(drain_s=1)


def test_the_default_health_hook_says_healthy() -> None:
    class Inline(Executor):
        @classmethod
        def create(cls, runner: Runner, options: ExecutorOptions) -> Inline:
            return cls()

        def submit(self, task_id: str, queue: str, priority: int, eta: object) -> None: ...
        def cancel(self, task_id: str) -> None: ...
        def start(self) -> None: ...
        def stop(self, drain_s: float = 10.0) -> None: ...

    assert Inline().health() is None
    assert not Inline.needs_dispatch and not Inline.resubmits_lost_messages


class _Host:
    """What ``storyreel worker`` hosts an executor in, reduced to the engine's parts."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.executor: Executor | None = None
        self.stopped_with: float | None = None

    @property
    def runner(self) -> Runner:
        return self.kit.runner

    def start(self) -> _Host:
        self.executor = self.kit.executor
        self.kit.start()
        return self

    def stop(self, drain_s: float) -> None:
        self.stopped_with = drain_s
        self.kit.executor.stop(drain_s)


def test_a_local_worker_runs_queued_tasks_until_sigterm_then_stops(kit: Kit) -> None:
    kit.kind("step")
    first = kit.submit("step")
    second = kit.submit("step", first)

    def terminate_when_done() -> None:
        kit.wait(first, second)
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    watcher = threading.Thread(target=terminate_when_done, daemon=True)
    watcher.start()
    host = _Host(kit)
    run_worker("local", host, ["cpu"], 1, drain_s=2.5)  # returns on SIGTERM
    watcher.join(timeout=5)
    assert [kit.task(t).status for t in (first, second)] == ["succeeded", "succeeded"]
    assert host.stopped_with == 2.5
    assert signal.getsignal(signal.SIGTERM) == before  # the worker's handler is gone again
    assert kit.executor.health() is not None  # and so are its threads
