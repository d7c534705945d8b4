"""The executor interface (DESIGN.md: submit, cancel, start, stop), the optional hooks every
executor has with a safe default, and what a worker process hosting one looks like."""

from __future__ import annotations

import logging
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, ClassVar, Protocol, Self

if TYPE_CHECKING:
    from storyreel.tasks.runner import Runner

log = logging.getLogger(__name__)


class ExecutorUnavailable(RuntimeError):
    """The executor chosen cannot be made here (an optional dependency is missing, or no
    executor has that name); the message says what to do."""


@dataclass(frozen=True)
class ExecutorOptions:
    """What executors are made from; each takes the options it needs and ignores the rest."""

    # Tasks at once per resource class in this process (local).
    concurrency: Mapping[str, int] = field(default_factory=dict)
    # Where ready tasks are sent (celery).
    broker_url: str = ""


class WorkerHost(Protocol):
    """A process that runs tasks (the pipeline's ``Platform``): ``start()`` makes and starts its
    executor (``executor`` is then set) and its reaper; ``stop`` stops them."""

    @property
    def runner(self) -> Runner: ...

    @property
    def executor(self) -> Executor | None: ...

    def start(self) -> object: ...

    def stop(self, drain_s: float) -> None: ...


class Executor(ABC):
    #: Submissions can be lost (a broker message), so the reaper must re-send tasks that sat
    #: queued for a lease without being claimed.
    resubmits_lost_messages: ClassVar[bool] = False
    #: A process that queues tasks but runs none (an API without workers, the CLI) still needs
    #: one of these to hand them over; False when workers find queued tasks by themselves.
    needs_dispatch: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def create(cls, runner: Runner, options: ExecutorOptions) -> Self:
        """One made from ``options``, running tasks on ``runner`` where it runs any here."""

    @abstractmethod
    def submit(self, task_id: str, queue: str, priority: int, eta: datetime | None) -> None:
        """A task is ready (or will be at ``eta``) in ``queue``, its resource class."""

    @abstractmethod
    def cancel(self, task_id: str) -> None:
        """Stop the task now if it runs here (the database already says it is cancelled)."""

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self, drain_s: float = 10.0) -> None:
        """Stop taking work; give running tasks ``drain_s`` to finish, then hand them back."""

    def runs_tasks(self) -> bool:
        """Whether this process runs tasks through this executor (it then registers as a
        worker): an executor whose workers live elsewhere (a broker's) says False except
        inside its own ``run_worker``."""
        return True

    def health(self) -> str | None:
        """None when this executor can do its work; otherwise what is wrong, in a sentence.
        Cheap enough for every readiness probe."""
        return None

    @classmethod
    def run_worker(
        cls, host: WorkerHost, queues: list[str], concurrency: int, *, drain_s: float
    ) -> None:
        """Serve tasks in this process until SIGTERM or SIGINT, then give running tasks
        ``drain_s`` to finish. This default starts ``host`` (its executor runs the tasks; the
        host made it with ``queues`` and ``concurrency`` already) and waits; an executor whose
        work arrives otherwise (a broker) overrides it."""
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            host.start()
            log.warning(
                "worker %s serving %s (%s)", host.runner.worker, ", ".join(queues), cls.__name__
            )
            while not stop.wait(1.0):
                pass
            log.warning("stopping: running tasks get %g s, then go back to the queue", drain_s)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            host.stop(drain_s)
