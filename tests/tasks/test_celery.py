"""The Celery executor end to end: real Redis, real `storyreel worker --executor celery`
processes, a real project rendered to an MP4 — and the failures the design promises to survive:
a broker restarted with the project's messages in it, and a worker killed mid-task."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from storyreel.db import migrate
from storyreel.db.models import Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.domain.project import ProjectOptions
from storyreel.media.probe import probe
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.project import create_project
from storyreel.settings import Settings
from storyreel.tasks.executors import celery as celery_executor
from storyreel.tasks.executors.base import ExecutorOptions
from storyreel.tasks.executors.celery import TASK_NAME, CeleryExecutor
from storyreel.tasks.executors.registry import executor_class, make_dispatcher
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.runner import Runner
from tests.cluster import FAST_RECOVERY, ChildProcess, clean_env, spawn_storyreel, wait_until
from tests.services import RedisServer

REPO = Path(__file__).resolve().parents[2]
STORY = (
    "Mia found a small red boat on the beach. She pushed it into the calm sea. "
    "The boat sailed toward a lighthouse. At sunset, Mia waved goodbye."
)
OTHER_STORY = (
    "An old clockmaker mended a silver watch in his tiny shop. Snow fell on the quiet street. "
    "A girl pressed her face to the window. He smiled and waved her in."
)


@dataclass
class Cluster:
    """A shared data dir and database (SQLite or PostgreSQL), a Redis broker, and workers."""

    data_dir: Path
    database_url: str
    broker_url: str
    timing: dict[str, float]
    workers: list[ChildProcess] = field(default_factory=list)
    platforms: list[Platform] = field(default_factory=list)

    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            executor="celery",
            broker_url=self.broker_url,
            render_jobs=2,
            **self.timing,
        )

    def env(self) -> dict[str, str]:
        env = clean_env()
        env.update(
            STORYREEL_DATA_DIR=str(self.data_dir),
            STORYREEL_DATABASE_URL=self.database_url,
            STORYREEL_EXECUTOR="celery",
            STORYREEL_BROKER_URL=self.broker_url,
            STORYREEL_RENDER_JOBS="2",
        )
        env.update({f"STORYREEL_{k.upper()}": str(v) for k, v in self.timing.items()})
        return env

    def start_worker(self, queues: str = "gpu,cpu,llm,io", concurrency: int = 2) -> ChildProcess:
        number = len(self.workers) + 1
        worker = spawn_storyreel(
            f"worker-{number}",
            ["worker", "--executor", "celery", "-Q", queues, "--concurrency", str(concurrency)],
            self.env(),
            self.data_dir.parent / f"worker-{number}.log",
        )
        self.workers.append(worker)
        return worker

    def submitter(self) -> Platform:
        """This process as the API would be: records projects, sends tasks, runs none."""
        platform = Platform.create(self.settings())
        self.platforms.append(platform)
        return platform.start(execute=True, reap=False)

    def submit(self, platform: Platform, story: str = STORY) -> str:
        options = ProjectOptions(target_seconds=10, quality="preview")
        with platform.session() as s:
            project, _ = create_project(s, platform.kinds, story, options)
        return project.id

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {i + 1} (exit {w.proc.poll()}) ---\n{w.tail()}"
            for i, w in enumerate(self.workers)
        )

    def wait_for(
        self, platform: Platform, project_id: str, timeout: float = 90.0
    ) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return platform.wait_for_project(project_id, timeout=0, poll_s=0)
            except TimeoutError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{exc}\n{self.logs()}") from None
            if not any(w.proc.poll() is None for w in self.workers):
                raise AssertionError(f"every worker exited\n{self.logs()}")
            time.sleep(0.2)

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        for platform in self.platforms:
            platform.stop(0)


@pytest.fixture
def cluster(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Cluster]:
    data_dir = tmp_path / "data"
    made = Cluster(data_dir, database_url, redis_url, timing={})
    migrate.upgrade(Database(made.database_url))
    try:
        yield made
    finally:
        made.close()


def _tasks(platform: Platform, project_id: str) -> list[Task]:
    with platform.session() as s:
        return tasks_repo.for_project(s, project_id)


def _assert_rendered(platform: Platform, project_id: str, cluster: Cluster) -> None:
    """Exactly one render, whose video is a real MP4 in the blob store."""
    with platform.session() as s:
        renders = projects_repo.renders(s, project_id)
        assert len(renders) == 1, f"{len(renders)} renders\n{cluster.logs()}"
        video = projects_repo.asset(s, renders[0].video_asset_id)
    assert video is not None
    info = probe(cluster.data_dir / "blobs" / video.blob_key)
    assert info.video is not None and info.audio is not None
    assert info.duration is not None and info.duration > 3
    assert "mp4" in info.format_name


def _running(platform: Platform, project_id: str, kind: str) -> Task | None:
    for task in _tasks(platform, project_id):
        if task.kind == kind and task.status == "running" and task.lease_owner:
            return task
    return None


# --- end to end ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_workers_make_a_project_running_every_task_once(cluster: Cluster) -> None:
    platform = cluster.submitter()
    project_id = cluster.submit(platform)
    # The storyboard task is in Redis before any worker exists: the broker holds the work.
    with redis.Redis.from_url(cluster.broker_url) as client:
        assert any(key.startswith(b"llm") for key in client.scan_iter())
    first, second = cluster.start_worker(), cluster.start_worker()

    counts = cluster.wait_for(platform, project_id)

    tasks = _tasks(platform, project_id)
    assert counts == {"succeeded": len(tasks)}, cluster.logs()
    assert {t.kind for t in tasks} == {"storyboard", "image", "voice", "motion", "music", "render"}
    assert [t.attempts for t in tasks] == [1] * len(tasks), cluster.logs()
    _assert_rendered(platform, project_id, cluster)

    # SIGTERM (a supervisor) and SIGINT (Ctrl-C) both stop a worker cleanly.
    first.proc.send_signal(signal.SIGTERM)
    second.proc.send_signal(signal.SIGINT)
    assert first.proc.wait(timeout=30) == 0, cluster.logs()
    assert second.proc.wait(timeout=30) == 0, cluster.logs()


@pytest.mark.slow
def test_work_lost_with_a_restarted_broker_is_sent_again(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    cluster.timing = FAST_RECOVERY
    platform = cluster.submitter()
    project_id = cluster.submit(platform)
    redis_server.restart()  # no persistence: the storyboard's message is gone
    with redis.Redis.from_url(cluster.broker_url) as client:
        assert client.dbsize() == 0
    worker = cluster.start_worker()

    # Only the worker's reaper can bring it back: it re-sends queued tasks left a lease unclaimed.
    counts = cluster.wait_for(platform, project_id)
    tasks = _tasks(platform, project_id)
    assert counts == {"succeeded": len(tasks)}, cluster.logs()
    assert [t.attempts for t in tasks] == [1] * len(tasks), cluster.logs()
    _assert_rendered(platform, project_id, cluster)

    # The broker restarted under a worker in the middle of a task: the run goes on, the worker
    # reconnects and keeps taking work.
    second = cluster.submit(platform, OTHER_STORY)
    render = wait_until(
        "the render running", lambda: _running(platform, second, "render"), 60, cluster.logs
    )
    broker_lost_at = utcnow()
    redis_server.restart()
    counts = cluster.wait_for(platform, second)
    tasks = _tasks(platform, second)
    assert counts == {"succeeded": len(tasks)}, cluster.logs()
    assert [t.attempts for t in tasks] == [1] * len(tasks), cluster.logs()
    (rendered,) = [t for t in tasks if t.id == render.id]
    assert rendered.finished_at is not None and rendered.finished_at > broker_lost_at
    _assert_rendered(platform, second, cluster)
    third = cluster.submit(platform)
    counts = cluster.wait_for(platform, third)
    assert counts == {"succeeded": len(_tasks(platform, third))}, cluster.logs()
    assert worker.proc.poll() is None, cluster.logs()


@pytest.mark.slow
def test_a_worker_killed_mid_task_loses_nothing(cluster: Cluster) -> None:
    cluster.timing = FAST_RECOVERY
    platform = cluster.submitter()
    project_id = cluster.submit(platform)
    first, second = cluster.start_worker(), cluster.start_worker()
    by_pid = {first.proc.pid: first, second.proc.pid: second}

    running = wait_until(
        "the render running", lambda: _running(platform, project_id, "render"), 60, cluster.logs
    )
    victim = by_pid[int(running.lease_owner.split(":")[-2])]  # lease owner: host:pid:id
    victim.kill()

    counts = cluster.wait_for(platform, project_id)
    tasks = _tasks(platform, project_id)
    assert counts == {"succeeded": len(tasks)}, cluster.logs()
    attempts = {t.id: t.attempts for t in tasks}
    assert attempts.pop(running.id) == 2, cluster.logs()  # the killed run, then the survivor's
    assert set(attempts.values()) == {1}, cluster.logs()
    _assert_rendered(platform, project_id, cluster)
    survivor = second if victim is first else first
    assert survivor.proc.poll() is None


# --- the broker hand-off ------------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    db = Database(f"sqlite:///{tmp_path / 'runner.db'}")
    migrate.upgrade(db)
    yield Runner(db, KindRegistry())
    db.dispose()


def _get_all(executor: CeleryExecutor, queue: str) -> list[Any]:
    with executor.app.connection_for_read() as conn:
        channel = conn.default_channel
        messages = []
        while (message := channel.basic_get(queue)) is not None:
            messages.append(message)
        return messages


def test_messages_carry_only_the_task_id_in_json_and_higher_priority_first(
    redis_url: str, runner: Runner
) -> None:
    executor = CeleryExecutor(redis_url, runner)
    try:
        executor.submit("normal", "io", 0, None)
        executor.submit("urgent", "io", 5, None)
        executor.submit("background", "io", -3, None)
        executor.submit("gpu-one", "gpu", 0, None)
        executor.submit("nowhere", "tape", 0, None)  # unknown queue: logged, not sent
        io_messages = _get_all(executor, "io")
        gpu_messages = _get_all(executor, "gpu")
    finally:
        executor.stop()
    assert [m.decode()[0] for m in io_messages] == [["urgent"], ["normal"], ["background"]]
    assert [m.decode()[0] for m in gpu_messages] == [["gpu-one"]]
    message = io_messages[0]
    assert message.content_type == "application/json"
    assert message.headers["task"] == TASK_NAME
    assert message.decode()[1] == {}  # no kwargs: the id is the whole payload


def test_a_later_task_is_sent_with_its_eta(redis_url: str, runner: Runner) -> None:
    executor = CeleryExecutor(redis_url, runner)
    eta = utcnow() + timedelta(seconds=30)
    try:
        executor.submit("later", "cpu", 0, eta)
        executor.submit("now", "cpu", 0, utcnow() - timedelta(seconds=1))  # past: no eta
        messages = {m.decode()[0][0]: m for m in _get_all(executor, "cpu")}
    finally:
        executor.stop()
    assert messages["later"].headers["eta"] == eta.isoformat()
    assert messages["now"].headers["eta"] is None


def test_submit_with_the_broker_down_logs_and_returns(
    runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    executor = CeleryExecutor(f"redis://127.0.0.1:{port}/0", runner)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=celery_executor.__name__):
        executor.submit("lost", "cpu", 0, None)
    executor.stop()
    assert time.monotonic() - started < 10
    assert "broker unavailable, task lost not sent" in caplog.text


def test_health_says_when_the_broker_does_not_answer_and_stays_cheap(
    redis_url: str, runner: Runner
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = CeleryExecutor(f"redis://:secret@127.0.0.1:{port}/0", runner)
    up = CeleryExecutor(redis_url, runner)
    try:
        started = time.monotonic()
        problem = down.health()
        took = time.monotonic() - started
        again = time.monotonic()
        assert down.health() == problem  # reused, not asked again
        assert time.monotonic() - again < 0.1
        assert up.health() is None
    finally:
        down.stop()
        up.stop()
    assert problem is not None and f"127.0.0.1:{port}/0 does not answer" in problem
    assert "secret" not in problem
    assert took < 2 * celery_executor.HEALTH_TIMEOUT_S + 1


def test_a_process_that_runs_no_tasks_sends_them_to_the_broker(
    redis_url: str, runner: Runner
) -> None:
    dispatcher = make_dispatcher("celery", runner, ExecutorOptions(broker_url=redis_url))
    assert isinstance(dispatcher, CeleryExecutor)
    assert executor_class("celery").resubmits_lost_messages  # lost messages are sent again
    try:
        dispatcher.submit("queued-in-the-api", "llm", 0, None)
        (message,) = _get_all(dispatcher, "llm")
    finally:
        dispatcher.stop()
    assert message.decode()[0] == ["queued-in-the-api"]


def test_a_message_early_for_its_backoff_is_sent_again_for_then(
    redis_url: str, runner: Runner
) -> None:
    not_before = utcnow() + timedelta(seconds=20)
    with runner.db.session() as s:
        task = Task(kind="noop", params={}, resource="cpu", status="queued", priority=0)
        task.queued_at = utcnow()
        task.not_before = not_before
        tasks_repo.add(s, task, [])
        task_id = task.id
    executor = CeleryExecutor(redis_url, runner)
    celery_executor.set_worker_runner(runner)
    try:
        outcome = celery_executor._run_task(SimpleNamespace(app=executor.app), task_id)
        (message,) = _get_all(executor, "cpu")
        gone = celery_executor._run_task(SimpleNamespace(app=executor.app), "no-such-task")
    finally:
        celery_executor.set_worker_runner(None)
        executor.stop()
    assert outcome == "deferred"
    assert message.decode()[0] == [task_id]
    assert message.headers["eta"] == (not_before + timedelta(milliseconds=50)).isoformat()
    assert gone == "not claimed"


# --- without the extra --------------------------------------------------------------------------

_WITHOUT_CELERY = "import sys; sys.modules['celery'] = None; "


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_choosing_celery_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    code = _WITHOUT_CELERY + (
        "from storyreel.tasks.executors.celery import CeleryExecutor, CeleryUnavailable\n"
        "try:\n"
        "    CeleryExecutor('redis://127.0.0.1:1/0', None)\n"
        "except CeleryUnavailable as exc:\n"
        "    print(exc)\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "STORYREEL_EXECUTOR=celery needs the celery extra: pip install 'storyreel[celery]'"
    )


def _worker_without_celery(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    data_dir = tmp_path / "data"
    migrate.upgrade(Database(f"sqlite:///{data_dir / 'storyreel.db'}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYREEL_")}
    env.update(STORYREEL_DATA_DIR=str(data_dir), STORYREEL_EXECUTOR="celery", COLUMNS="200")
    cli = _WITHOUT_CELERY + (
        "sys.argv = ['storyreel', 'worker']\nfrom storyreel.cli import main\nmain()\n"
    )
    return _python(cli, env)


def test_the_worker_command_without_the_extra_fails_in_one_line(tmp_path: Path) -> None:
    result = _worker_without_celery(tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: STORYREEL_EXECUTOR=celery needs the celery extra: pip install" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_worker_command_shows_the_install_command_verbatim(tmp_path: Path) -> None:
    result = _worker_without_celery(tmp_path)
    assert "pip install 'storyreel[celery]'" in result.stderr
