"""Wire the platform once per process: database, event bus, task kinds, runner, executor and
reaper, all chosen by settings (DESIGN.md: the shape is settings, never code).

Every client runs the pipeline through a ``Platform``: ``storyreel serve`` (the API), the
workers, and ``storyreel make`` (an embedded one: the in-process executor, the data folder's
SQLite database migrated on first use).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from storyreel.auth.secrets import load_server_secrets
from storyreel.db import migrate
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.pipeline import kinds as pipeline_kinds
from storyreel.pipeline.context import PipelineContext, PipelineServices
from storyreel.settings import Settings
from storyreel.storage.base import BlobStore
from storyreel.tasks.dispatch import AfterCommit
from storyreel.tasks.events import EventBus, event_bus_from_url
from storyreel.tasks.executors.registry import (
    Executor,
    ExecutorOptions,
    executor_class,
    make_dispatcher,
    make_executor,
)
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import ACTIVE, RESOURCES
from storyreel.tasks.presence import WorkerPresence
from storyreel.tasks.reaper import Reaper
from storyreel.tasks.runner import EngineTiming, Runner
from storyreel.webhooks.dispatcher import WebhookDispatcher


@dataclass
class Platform:
    settings: Settings
    db: Database
    bus: EventBus
    kinds: KindRegistry
    services: PipelineServices
    runner: Runner
    hooks: AfterCommit
    executor: Executor | None = None
    reaper: Reaper | None = None
    #: Send webhooks from this process while it runs tasks (a worker does; the API process
    #: runs its own dispatcher beside the requests).
    deliver_webhooks: bool = False
    presence: WorkerPresence | None = None
    webhooks: WebhookDispatcher | None = None
    _started: bool = field(default=False, repr=False)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        check_schema: bool = True,
        worker: str | None = None,
        deliver_webhooks: bool = False,
    ) -> Platform:
        db = Database(settings.database)
        if check_schema:
            migrate.ensure_migrated(db)
        bus = event_bus_from_url(settings.events_url)
        kinds = KindRegistry()
        services = PipelineServices(PipelineContext.create(settings), db, kinds)
        pipeline_kinds.register(kinds, services)
        timing = EngineTiming(lease_s=settings.lease_s, heartbeat_s=settings.heartbeat_s)
        runner = Runner(db, kinds, timing=timing, worker=worker, classify=pipeline_kinds.classify)
        hooks = AfterCommit(db, bus)
        return cls(
            settings, db, bus, kinds, services, runner, hooks, deliver_webhooks=deliver_webhooks
        )

    @classmethod
    def embedded(cls, settings: Settings) -> Platform:
        """A platform for one process that runs its own work (``storyreel make``): the local
        executor and in-process events whatever the settings say, and the database migrated
        when it is the data folder's own SQLite file (a shared database is the operator's to
        migrate, with ``storyreel migrate``)."""
        local = settings.model_copy(update={"executor": "local", "events_url": "memory://"})
        if local.database_url is None:
            migrate.upgrade(Database(local.database))
        return cls.create(local)

    @property
    def store(self) -> BlobStore:
        return self.services.pipeline.store

    @property
    def pipeline(self) -> PipelineContext:
        return self.services.pipeline

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as s:
            yield s

    def start(self, *, execute: bool = True, reap: bool = True) -> Platform:
        """Start the executor (if ``execute``) and the reaper (if ``reap``). A process whose
        executor runs tasks here also registers as a worker and, if ``deliver_webhooks``,
        sends webhooks."""
        if execute:
            self.executor = self._make_executor()
            self.hooks.executor = self.executor
            self.executor.start()
            if self.executor.runs_tasks():
                self._start_worker_services()
        if reap:
            # Executors whose messages can be lost (a broker) want queued tasks sent again.
            resubmit = executor_class(self.settings.executor).resubmits_lost_messages
            self.reaper = Reaper(
                self.db,
                self.settings.reaper_interval_s,
                resubmit_after_s=self.settings.lease_s if resubmit else None,
            )
            self.reaper.start()
        self._started = True
        return self

    def connect(self) -> Platform:
        """Hand tasks this process queues to the executor without running any here: a broker
        needs the message; local workers find queued tasks in the database by themselves."""
        if self.executor is None:  # stop() then closes it too
            self.executor = make_dispatcher(self.settings.executor, self.runner, self._options())
            self.hooks.executor = self.executor
        return self

    def _start_worker_services(self) -> None:
        settings = self.settings
        limits = settings.concurrency.model_dump()
        self.presence = WorkerPresence(
            self.db,
            self.runner.worker,
            self.runner.running,
            executor=settings.executor,
            queues=[r for r in RESOURCES if limits.get(r, 0) > 0],
            heartbeat_s=settings.heartbeat_s,
            lease_s=settings.lease_s,
        )
        self.presence.start()
        if self.deliver_webhooks:
            secret = load_server_secrets(settings).webhook
            self.webhooks = WebhookDispatcher(self.db, self.bus, settings, secret)
            self.webhooks.start()

    def _options(self) -> ExecutorOptions:
        return ExecutorOptions(
            concurrency=self.settings.concurrency.model_dump(),
            broker_url=self.settings.broker_url,
        )

    def _make_executor(self) -> Executor:
        return make_executor(self.settings.executor, self.runner, self._options())

    def stop(self, drain_s: float = 10.0) -> None:
        if self.reaper is not None:
            self.reaper.stop()
        if self.executor is not None:
            self.executor.stop(drain_s)
        if self.webhooks is not None:
            self.webhooks.stop()
            self.webhooks = None
        if self.presence is not None:  # after the drain: it ran tasks until then
            self.presence.stop()
            self.presence = None
        self.bus.close()
        self.db.dispose()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_project(
        self, project_id: str, timeout: float, poll_s: float = 0.2
    ) -> dict[str, int]:
        """Block until no task of the project is blocked, queued or running; returns counts."""
        deadline = time.monotonic() + timeout
        while True:
            with self.db.session() as s:
                statuses = [t.status for t in tasks_repo.for_project(s, project_id)]
            counts = {status: statuses.count(status) for status in set(statuses)}
            if statuses and not any(status in ACTIVE for status in statuses):
                return counts
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"project {project_id} still has work after {timeout:g} s: {counts}"
                )
            time.sleep(poll_s)
