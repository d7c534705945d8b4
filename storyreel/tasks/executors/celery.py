"""Celery executor: the cluster shape's hand-off of ready tasks to worker processes over a broker.

The broker carries nothing but task ids, one queue per resource class (gpu, cpu, llm, io); the
task table stays the truth. A message is only a hint that a task may be ready: the worker that
gets it calls the same ``Runner.run(task_id)`` as the local executor, whose compare-and-set
claim makes a duplicate or stale message a no-op. So nothing here has to be reliable — a
message lost with a restarted broker, a submission dropped while the broker is down, or one
held by a worker killed with ``kill -9`` is recovered from the database by the reaper (it
requeues expired leases and, in this shape, re-sends queued tasks nobody picked up).

Celery is an optional dependency (``pip install 'storyreel[celery]'``): it is imported when an
executor or worker is made, never when this module is imported.

Workers: ``run_worker(host, queues, concurrency)`` serves the broker's messages in the process of
``host`` (anything with a runner, an executor it makes on ``start()``, and ``stop``: the
pipeline's ``Platform``), so this engine module names nothing of the pipeline.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.types import utcnow
from storyreel.tasks.executors.base import (
    Executor,
    ExecutorOptions,
    ExecutorUnavailable,
    WorkerHost,
)
from storyreel.tasks.model import RESOURCES
from storyreel.tasks.runner import Runner

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

TASK_NAME = "storyreel.run_task"
INSTALL_HINT = "STORYREEL_EXECUTOR=celery needs the celery extra: pip install 'storyreel[celery]'"

# Redis emulates priorities with one list per step and serves step 0 first; our priorities are
# "higher runs first" with 0 the default, so 0 maps to the middle step and ±5 reach the ends.
BROKER_PRIORITY_STEPS = list(range(10))
DEFAULT_BROKER_PRIORITY = 5

# How long submit() may spend on a broker that does not answer before dropping the message.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.0,
    "interval_step": 0.5,
    "interval_max": 1.0,
}
# A worker given SIGTERM or SIGINT lets running tasks finish for this long, then hands them back.
DRAIN_S = 10.0
# A Celery worker that stopped by itself (not by a signal) is started again after this long.
RESTART_DELAY_S = 5.0
# health(): how long one broker check may take, and how long its answer is reused, so that
# readiness probes from many clients cost the broker one connection every few seconds.
HEALTH_TIMEOUT_S = 2.0
HEALTH_CACHE_S = 5.0


class CeleryUnavailable(ExecutorUnavailable):
    """The celery executor was chosen but the celery extra is not installed."""


def _require_celery() -> Any:
    try:
        import celery
        import kombu
    except ImportError as exc:
        raise CeleryUnavailable(INSTALL_HINT) from exc
    del kombu
    return celery


def broker_priority(priority: int) -> int:
    """The broker's priority step (0 served first) for a task priority (higher served first)."""
    return max(0, min(BROKER_PRIORITY_STEPS[-1], DEFAULT_BROKER_PRIORITY - priority))


def make_celery_app(broker_url: str) -> Celery:
    """One app with one task, ``storyreel.run_task(task_id)``, and a queue per resource class."""
    celery = _require_celery()
    queue_class = importlib.import_module("kombu").Queue  # untyped: keep it Any

    app = celery.Celery("storyreel", broker=broker_url, set_as_current=False)
    app.conf.update(
        # The task table is the truth: no result backend, results are never stored.
        result_backend=None,
        task_ignore_result=True,
        task_store_errors_even_if_ignored=False,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        # A message is acknowledged only when its run ended, and given back if the worker dies;
        # each thread reserves one message at a time, so a busy worker does not hoard work.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A run writes its own outcome; losing the broker connection must not cancel it.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_queues=[queue_class(name, routing_key=name) for name in RESOURCES],
        task_default_queue="cpu",
        task_create_missing_queues=False,
        task_default_priority=DEFAULT_BROKER_PRIORITY,
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,  # a worker waits for its broker forever
        broker_transport_options={
            # Unacknowledged messages of a dead worker come back after this long; the reaper
            # has long since requeued their tasks (lease expiry), so it only bounds clutter.
            # Runs and backoff waits (eta) longer than this get a duplicate message, which the
            # claim turns into a no-op.
            "visibility_timeout": 3600,
            "priority_steps": BROKER_PRIORITY_STEPS,
            "socket_connect_timeout": 5,
            "socket_timeout": 10,
            "socket_keepalive": True,
            "retry_on_timeout": True,
        },
        task_publish_retry=True,
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        worker_hijack_root_logger=True,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        # No broadcast commands (`celery inspect`, `celery control`): `storyreel tasks` reads the
        # truth from the database, and a worker then holds no pub/sub connection to lose.
        worker_enable_remote_control=False,
        task_send_sent_event=False,
        enable_utc=True,
    )
    app.task(name=TASK_NAME, bind=True, ignore_result=True)(_run_task)
    return app


# --- the worker side ----------------------------------------------------------------------------

_worker_runner: Runner | None = None


def set_worker_runner(runner: Runner | None) -> None:
    """The Runner that ``storyreel.run_task`` messages run on in this process."""
    global _worker_runner
    _worker_runner = runner


def _run_task(task: Any, task_id: str) -> str:
    """Body of ``storyreel.run_task``: claim and run the task, or ignore a message that is stale
    (the task already ran, runs elsewhere, was cancelled) — the claim decides, not the message."""
    runner = _worker_runner
    if runner is None:
        raise RuntimeError(
            "no storyreel runner in this process: start workers with "
            "`storyreel worker --executor celery`, not `celery worker`"
        )
    status = runner.run(task_id)
    if status is not None:
        return status
    try:
        deferred = _deferred(runner, task_id)
    except Exception as exc:  # the reaper re-sends queued tasks anyway
        log.warning("task %s: could not look at it again: %s", task_id, exc)
        return "not claimed"
    if deferred is None:
        return "not claimed"
    # The message came before the task's backoff ended (an early timer, clock skew between
    # machines): send it again for then, instead of leaving it to the reaper.
    queue, priority, eta = deferred
    _send(task.app, task_id, queue, priority, eta + timedelta(milliseconds=50))
    return "deferred"


def _deferred(runner: Runner, task_id: str) -> tuple[str, int, datetime] | None:
    with runner.db.session() as s:
        row = tasks_repo.get(s, task_id)
        if row is None or row.status != "queued" or row.not_before is None:
            return None
        if row.not_before <= utcnow():
            return None
        return row.resource, row.priority, row.not_before


def _send(app: Any, task_id: str, queue: str, priority: int, eta: datetime | None) -> None:
    options: dict[str, Any] = {}
    if eta is not None and eta > utcnow():
        options["eta"] = eta
    app.send_task(
        TASK_NAME,
        args=[task_id],
        queue=queue,
        routing_key=queue,
        priority=broker_priority(priority),
        retry=True,
        retry_policy=PUBLISH_RETRY_POLICY,
        **options,
    )


# --- the executor -------------------------------------------------------------------------------


class CeleryExecutor(Executor):
    """Sends ready tasks to the broker; runs nothing itself (``run_worker`` does, elsewhere)."""

    # A message lost with the broker is re-sent by the reaper; a process that only queues
    # tasks must send them, as workers learn of them from the broker alone.
    resubmits_lost_messages = True
    needs_dispatch = True

    def __init__(self, broker_url: str, runner: Runner, *, app: Any = None) -> None:
        self.broker_url = broker_url
        self.runner = runner
        self.app: Any = app if app is not None else make_celery_app(broker_url)
        self._health_lock = threading.Lock()
        self._health: str | None = None
        self._health_until = float("-inf")

    @classmethod
    def create(cls, runner: Runner, options: ExecutorOptions) -> Self:
        return cls(options.broker_url, runner)

    def health(self) -> str | None:
        """Whether the broker answers; the answer is reused for ``HEALTH_CACHE_S``."""
        with self._health_lock:  # concurrent probes wait for one check instead of each making one
            if time.monotonic() < self._health_until:
                return self._health
            self._health = self._broker_problem()
            self._health_until = time.monotonic() + HEALTH_CACHE_S
            return self._health

    def _broker_problem(self) -> str | None:
        connection = importlib.import_module("kombu").Connection  # untyped: keep it Any
        try:
            with connection(self.broker_url, connect_timeout=HEALTH_TIMEOUT_S) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=HEALTH_TIMEOUT_S)
        except Exception as exc:  # any failure to connect is the answer, not an error here
            return f"the celery broker {_redacted(self.broker_url)} does not answer: {exc}"
        return None

    @classmethod
    def run_worker(
        cls, host: WorkerHost, queues: list[str], concurrency: int, *, drain_s: float
    ) -> None:
        run_worker(host, queues, concurrency, drain_s=drain_s)  # the module's function

    def submit(self, task_id: str, queue: str, priority: int, eta: datetime | None) -> None:
        if queue not in RESOURCES:
            log.error("task %s is in unknown queue %r", task_id, queue)
            return
        try:
            _send(self.app, task_id, queue, priority, eta)
        except Exception as exc:
            # Never fail the caller (this runs after a commit): the task is queued in the
            # database, and the reaper sends it again once it has waited a lease.
            log.warning(
                "broker unavailable, task %s not sent (the reaper re-sends it): %s", task_id, exc
            )

    def cancel(self, task_id: str) -> None:
        # Runners in other processes see the cancelled status at their next heartbeat.
        self.runner.cancel_local(task_id)

    def runs_tasks(self) -> bool:
        # Only `storyreel worker --executor celery` consumes messages (``run_worker`` sets the
        # runner before it starts the host); an API process merely sends them.
        return _worker_runner is self.runner

    def start(self) -> None:
        """Nothing to start: connections to the broker are made on the first submission."""

    def stop(self, drain_s: float = 10.0) -> None:
        self.app.close()


def run_worker(
    host: WorkerHost, queues: list[str], concurrency: int, *, drain_s: float = DRAIN_S
) -> None:
    """Run a Celery worker in this process until SIGTERM or SIGINT: ``concurrency`` threads
    consume ``queues`` and run each message's task on ``host.runner``. ``host.start()`` must
    make a ``CeleryExecutor`` (the worker consumes with its app, and tasks a finished one
    unblocks are sent to the broker through it) and start the reaper, so tasks of workers that
    died are requeued. On a stop signal running tasks get ``drain_s`` to finish, then are handed
    back to the queue; ``host.stop(drain_s)`` ends it."""
    _require_celery()
    signals = importlib.import_module("celery.signals")  # untyped: keep it Any
    unknown = [q for q in queues if q not in RESOURCES]
    if unknown or not queues:
        raise ValueError(f"unknown queue {unknown[0] if unknown else ''!r}; use {RESOURCES}")
    runner = host.runner

    hand_back = threading.Timer(drain_s, runner.cancel_all_local)
    hand_back.daemon = True

    stopping = threading.Event()

    def on_shutdown(sender: Any = None, **kwargs: Any) -> None:
        stopping.set()
        if not hand_back.is_alive() and not hand_back.finished.is_set():
            log.warning("stopping: running tasks get %g s, then go back to the queue", drain_s)
            hand_back.start()

    signals.worker_shutting_down.connect(on_shutdown, weak=False)
    options: dict[str, Any] = {
        "hostname": f"storyreel-{os.getpid()}@{socket.gethostname()}",
        "pool": "threads",
        "concurrency": concurrency,
        "queues": list(queues),
        "loglevel": "INFO",
        "without_mingle": True,
        "without_gossip": True,
        "optimization": "fair",
        "quiet": True,
    }
    set_worker_runner(runner)
    try:
        host.start()
        executor = host.executor
        if not isinstance(executor, CeleryExecutor):
            raise ExecutorUnavailable(
                f"a celery worker needs the celery executor; its host made {executor!r}"
            )
        for attempt in itertools.count():
            worker = executor.app.Worker(**options)  # sets up logging: announce ourselves after
            if attempt == 0:
                log.warning(
                    "worker %s serving %s with %d thread(s) (celery executor, broker %s)",
                    runner.worker,
                    ", ".join(queues),
                    concurrency,
                    _redacted(executor.broker_url),
                )
            worker.start()
            if stopping.is_set():
                break
            # Celery gave up by itself (an "unrecoverable" error, e.g. in a reconnect): this
            # process is still fine, and what was running has finished, so start it again.
            log.error(
                "the celery worker stopped unexpectedly (exit status %s); restarting in %g s",
                worker.exitcode,
                RESTART_DELAY_S,
            )
            if stopping.wait(RESTART_DELAY_S):
                break
    finally:
        signals.worker_shutting_down.disconnect(on_shutdown)
        hand_back.cancel()
        runner.cancel_all_local()
        set_worker_runner(None)
        host.stop(drain_s)


def _redacted(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))
