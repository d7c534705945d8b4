"""The worker registry: a process that runs tasks registers, heartbeats with what it runs,
marks itself stopped on a clean exit, reads as lost when silent past the lease, and is
forgotten a day later; its GPU is found by ``nvidia-smi`` when there is one."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storyreel import __version__
from storyreel.db import migrate
from storyreel.db.models import Worker
from storyreel.db.repositories import workers as repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.pipeline.engine import Platform
from storyreel.settings import Concurrency, Settings
from storyreel.tasks import service
from storyreel.tasks.kinds import KindPolicy
from storyreel.tasks.model import TaskSpec
from storyreel.tasks.presence import KEEP, Gpu, WorkerPresence, detect_gpu, parse_nvidia_smi
from storyreel.tasks.runner import TaskContext


def wait_until(check: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


@pytest.fixture
def fast(settings: Settings) -> Settings:
    only_cpu = Concurrency(cpu=1, gpu=0, llm=0, io=0)
    fast = settings.model_copy(update={"lease_s": 2.0, "heartbeat_s": 0.1, "concurrency": only_cpu})
    db = Database(fast.database)
    migrate.upgrade(db)
    db.dispose()
    return fast


def row(platform: Platform) -> Worker:
    with platform.db.reading() as s:
        worker = repo.get(s, platform.runner.worker)
        assert worker is not None, "the worker did not register"
        return worker


def test_a_running_platform_registers_heartbeats_with_its_task_and_stops_cleanly(
    fast: Settings,
) -> None:
    release = threading.Event()

    def slow(ctx: TaskContext) -> dict[str, Any]:
        release.wait(10)
        return {}

    platform = Platform.create(fast)
    platform.kinds.register("test.slow", slow, KindPolicy(resource="cpu", max_attempts=1))
    platform.start()
    try:
        first = row(platform)
        assert (first.host, first.pid, first.version) == (
            socket.gethostname(),
            os.getpid(),
            __version__,
        )
        assert first.executor == "local" and first.queues == ["cpu"]
        assert repo.state_of(first, utcnow(), fast.lease_s) == "idle"
        with platform.db.session() as s:
            task_id = service.submit(s, TaskSpec(kind="test.slow"), platform.kinds).id

        def running() -> bool:
            return row(platform).task_id == task_id

        wait_until(running, what="the heartbeat to name the running task")
        busy = row(platform)
        assert busy.task_kind == "test.slow" and busy.tasks_running == 1
        assert repo.state_of(busy, utcnow(), fast.lease_s) == "running"
        assert busy.last_heartbeat_at > first.last_heartbeat_at
        release.set()
        wait_until(lambda: row(platform).task_id is None, what="the worker to read as idle")
    finally:
        release.set()
        platform.stop(2)
    db = Database(fast.database)
    with db.reading() as s:
        stopped = repo.get(s, platform.runner.worker)
    db.dispose()
    assert stopped is not None and stopped.stopped_at is not None
    assert repo.state_of(stopped, utcnow(), fast.lease_s) == "stopped"


def test_an_api_process_that_only_sends_to_a_broker_is_no_worker(fast: Settings) -> None:
    pytest.importorskip("celery")
    celery = fast.model_copy(update={"executor": "celery", "broker_url": "redis://127.0.0.1:9/0"})
    platform = Platform.create(celery)
    platform.start(execute=True, reap=False)  # what `storyreel serve` does with celery
    try:
        assert platform.presence is None
        with platform.db.reading() as s:
            assert repo.page(s, 0, 10)[1] == 0
    finally:
        platform.stop(0)


def _worker(worker_id: str, heartbeat_ago: timedelta, stopped_ago: timedelta | None) -> Worker:
    now = utcnow()
    return Worker(
        id=worker_id,
        host="h",
        pid=1,
        version="1",
        executor="local",
        queues=["cpu"],
        started_at=now - heartbeat_ago,
        last_heartbeat_at=now - heartbeat_ago,
        tasks_running=0,
        stopped_at=None if stopped_ago is None else now - stopped_ago,
    )


def test_silent_past_the_lease_reads_lost_and_old_rows_are_pruned(fast: Settings) -> None:
    db = Database(fast.database)
    cases = {
        "alive": (timedelta(seconds=1), None),
        "lost": (timedelta(seconds=30), None),
        "lost-long-ago": (KEEP + timedelta(hours=1), None),
        "stopped": (timedelta(hours=2), timedelta(hours=2)),
        "stopped-long-ago": (KEEP + timedelta(hours=1), KEEP + timedelta(hours=1)),
    }
    with db.session() as s:
        for name, (beat, stop) in cases.items():
            repo.register(s, _worker(name, beat, stop))
    now = utcnow()
    with db.reading() as s:
        states = {w.id: repo.state_of(w, now, fast.lease_s) for w in repo.page(s, 0, 50)[0]}
    assert states == {
        "alive": "idle",
        "lost": "lost",
        "lost-long-ago": "lost",
        "stopped": "stopped",
        "stopped-long-ago": "stopped",
    }
    with db.session() as s:
        assert repo.prune(s, utcnow(), fast.lease_s, KEEP) == 2
    with db.reading() as s:
        rows, total = repo.page(s, 0, 50)
    assert total == 3 and [w.id for w in rows] == ["alive", "lost", "stopped"]
    db.dispose()


def test_a_worker_pruned_while_frozen_registers_again(fast: Settings) -> None:
    db = Database(fast.database)
    presence = WorkerPresence(
        db,
        "frozen-1",
        list,
        executor="local",
        queues=["cpu"],
        heartbeat_s=60,
        lease_s=fast.lease_s,
        gpu=lambda: Gpu("Fake GPU", 8192),
    )
    presence.start()
    with db.session() as s:
        s.delete(s.get(Worker, "frozen-1"))
    presence.beat()
    with db.reading() as s:
        back = repo.get(s, "frozen-1")
        assert back is not None and back.gpu_name == "Fake GPU" and back.gpu_memory_mb == 8192
    presence.stop()
    db.dispose()


@pytest.fixture
def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real ``nvidia-smi`` executable first on PATH that prints what the test writes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "nvidia-smi"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    yield script


def test_the_gpu_comes_from_nvidia_smi(fake_nvidia_smi: Path) -> None:
    fake_nvidia_smi.write_text(
        "#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559'\necho 'NVIDIA H100 80GB HBM3, 81559'\n"
    )
    fake_nvidia_smi.chmod(0o755)
    assert detect_gpu() == Gpu("2× NVIDIA H100 80GB HBM3", 81559)
    fake_nvidia_smi.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    assert detect_gpu() is None or "torch" in sys.modules  # torch may still know one


def test_nvidia_smi_lines_parse() -> None:
    assert parse_nvidia_smi("Tesla T4, 15360\n") == Gpu("Tesla T4", 15360)
    assert parse_nvidia_smi("Odd GPU, [N/A]\n") == Gpu("Odd GPU", None)
    assert parse_nvidia_smi("") is None
