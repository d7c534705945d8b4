"""Executors by name (as Airflow's ``ExecutorLoader``): the one place that maps a setting such
as ``STORYREEL_EXECUTOR=celery`` to code, so no caller branches on the executor's name.

- ``make_executor(name, runner, options)``: the executor a process runs tasks with (``start()``
  it); the celery module, and Celery with it, is imported only when "celery" is asked for.
- ``make_dispatcher(name, runner, options)``: for a process that queues tasks but runs none
  (an API without workers, the CLI): an executor to hand them to, or None when the executor's
  workers find queued tasks in the database by themselves (``Executor.needs_dispatch``).
- ``executor_class(name)``: the class, for its policy without making one —
  ``resubmits_lost_messages`` (the reaper re-sends tasks queued a lease ago and never claimed).
- ``run_worker(name, host, queues, concurrency, drain_s=...)``: serve tasks in this process until
  SIGTERM or SIGINT (``storyreel worker``).
- ``Executor.health()`` on any executor: None when it can work, else what is wrong (readiness).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from storyreel.tasks.executors.base import (
    Executor,
    ExecutorOptions,
    ExecutorUnavailable,
    WorkerHost,
)

if TYPE_CHECKING:
    from storyreel.tasks.runner import Runner

__all__ = [
    "Executor",
    "ExecutorOptions",
    "ExecutorUnavailable",
    "WorkerHost",
    "executor_class",
    "executor_names",
    "make_dispatcher",
    "make_executor",
    "run_worker",
]

# name → "module:Class"; imported on first use, so an executor's dependencies stay optional.
_EXECUTORS: dict[str, str] = {
    "local": "storyreel.tasks.executors.local:LocalExecutor",
    "celery": "storyreel.tasks.executors.celery:CeleryExecutor",
}


def executor_names() -> list[str]:
    return sorted(_EXECUTORS)


def executor_class(name: str) -> type[Executor]:
    """The executor class called ``name``; ``ExecutorUnavailable`` names the choices."""
    try:
        target = _EXECUTORS[name]
    except KeyError:
        raise ExecutorUnavailable(
            f"no executor {name!r}; choose one of {', '.join(executor_names())}"
        ) from None
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Executor)):
        raise TypeError(f"{target} is not an Executor")
    return cls


def make_executor(name: str, runner: Runner, options: ExecutorOptions) -> Executor:
    """A new executor called ``name`` running tasks on ``runner``, not yet started."""
    return executor_class(name).create(runner, options)


def make_dispatcher(name: str, runner: Runner, options: ExecutorOptions) -> Executor | None:
    """What a process that runs no tasks hands the tasks it queues to (None: nothing needed)."""
    cls = executor_class(name)
    return cls.create(runner, options) if cls.needs_dispatch else None


def run_worker(
    name: str, host: WorkerHost, queues: list[str], concurrency: int, *, drain_s: float = 10.0
) -> None:
    """Serve ``queues`` in this process until SIGTERM or SIGINT, as executor ``name`` does
    (``host.start()`` must make that executor); running tasks get ``drain_s`` to finish."""
    executor_class(name).run_worker(host, queues, concurrency, drain_s=drain_s)
