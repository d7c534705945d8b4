"""Fault injection with real worker processes: ``kill -9`` mid-task, then a new worker.
Lease and heartbeat times are shrunk to seconds so recovery is quick."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyreel.db import migrate
from storyreel.db.models import Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.domain.project import ProjectOptions
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import create_project
from storyreel.settings import Settings
from tests.pipeline.test_engine_pipeline import STORY

pytestmark = pytest.mark.slow


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyreel.cli", "worker"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # kill -9 takes its FFmpeg children with the group
        )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill9(proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def setup(tmp_path: Path, database_url: str) -> Iterator[tuple[Settings, Workers]]:
    env = {
        **os.environ,
        "STORYREEL_DATA_DIR": str(tmp_path / "data"),
        "STORYREEL_DATABASE_URL": database_url,
        "STORYREEL_LEASE_S": "3",
        "STORYREEL_HEARTBEAT_S": "0.5",
        "STORYREEL_REAPER_INTERVAL_S": "0.5",
        "STORYREEL_RENDER_JOBS": "2",
    }
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, lease_s=3, heartbeat_s=0.5
    )
    migrate.upgrade(Database(settings.database))
    workers = Workers(env, tmp_path)
    yield settings, workers
    workers.close()


def _project(settings: Settings) -> str:
    platform = Platform.create(settings)
    with platform.session() as s:
        project, _ = create_project(
            s,
            platform.kinds,
            STORY,
            ProjectOptions(style="comic", target_seconds=25, quality="preview"),
        )
    platform.stop(0)
    return project.id


def _tasks(db: Database, pid: str) -> list[Task]:
    with db.session() as s:
        return tasks_repo.for_project(s, pid)


def _wait_for(
    db: Database,
    pid: str,
    check: Callable[[list[Task]], bool],
    timeout: float,
    worker: subprocess.Popen[bytes],
) -> None:
    deadline = time.monotonic() + timeout
    while not check(_tasks(db, pid)):
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited with {worker.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError([(t.kind, t.status) for t in _tasks(db, pid)])
        time.sleep(0.02)


def _finished(db: Database, pid: str, worker: subprocess.Popen[bytes]) -> list[Task]:
    done = ("succeeded", "failed")
    _wait_for(db, pid, lambda ts: all(t.status in done for t in ts), 240, worker)
    return _tasks(db, pid)


def _render_running(tasks: list[Task]) -> bool:
    return any(t.kind == "render" and t.status == "running" and t.progress > 60 for t in tasks)


def _image_running(tasks: list[Task]) -> bool:
    return any(t.kind == "image" and t.status == "running" for t in tasks)


@pytest.mark.parametrize("victim", ["render", "image"])
def test_kill_9_mid_task_then_a_new_worker_finishes_the_project_once(
    setup: tuple[Settings, Workers], victim: str
) -> None:
    settings, workers = setup
    db = Database(settings.database)
    pid = _project(settings)
    first = workers.start()
    _wait_for(db, pid, _render_running if victim == "render" else _image_running, 240, first)
    workers.kill9(first)
    running = {t.id for t in _tasks(db, pid) if t.status == "running"}
    killed = next(t for t in _tasks(db, pid) if t.kind == victim and t.status == "running")
    segments = settings.data_dir / "cache" / "render" / "segments"
    finished_segments = len(list(segments.glob("*.mp4"))) if segments.exists() else 0
    tasks = _finished(db, pid, workers.start())
    assert all(t.status == "succeeded" for t in tasks)
    # What the dead worker was running is requeued by the new worker's reaper and run once
    # more; everything else ran once.
    assert killed.id in running
    assert {t.id: t.attempts for t in tasks} == {t.id: 2 if t.id in running else 1 for t in tasks}
    with db.session() as s:
        renders = projects_repo.renders(s, pid)
        videos = [k for k in projects_repo.blob_keys(s, pid) if k.endswith(".mp4")]
    assert len(renders) == 1 and len(videos) == 1
    # The new run resumes from the segments the killed one finished.
    assert renders[0].segments_reused == finished_segments


def test_worker_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {**os.environ, "STORYREEL_DATA_DIR": str(tmp_path / "fresh")}
    done = subprocess.run(
        [sys.executable, "-m", "storyreel.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Run `storyreel migrate` first" in done.stderr
    assert "Traceback" not in done.stderr
