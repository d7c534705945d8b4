"""``storyreel workers``: the registry as an operator reads it — state, heartbeat age, what
each runs and its GPU; a worker silent past the lease is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from storyreel.db import migrate
from storyreel.db.models import Worker
from storyreel.db.repositories import workers as workers_repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow
from storyreel.settings import Settings
from tests.test_cli import storyreel


def test_workers_lists_running_idle_lost_and_stopped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = Database(Settings(data_dir=data).database)
    migrate.upgrade(db)
    empty = storyreel("workers", data_dir=data)
    assert empty.returncode == 0 and "no workers have registered" in empty.stdout
    now = utcnow()
    # id, seconds since the heartbeat, (task kind, id), (GPU, MiB), stopped
    rows = [
        ("gpu-1:11:aaaaaa", 2, ("image", "a" * 32), ("NVIDIA L4", 23034), False),
        ("cpu-1:12:bbbbbb", 3, None, None, False),
        ("cpu-2:13:cccccc", 600, ("render", "c" * 32), None, False),
        ("cpu-3:14:dddddd", 900, None, None, True),
    ]
    with db.session() as s:
        for worker_id, beat, task, gpu, stopped in rows:
            host, pid, _ = worker_id.split(":")
            s.add(
                Worker(
                    id=worker_id,
                    host=host,
                    pid=int(pid),
                    version="1.2.3",
                    executor="celery",
                    queues=["gpu"] if gpu else ["cpu", "io"],
                    started_at=now - timedelta(hours=1),
                    last_heartbeat_at=now - timedelta(seconds=beat),
                    task_kind=task[0] if task else None,
                    task_id=task[1] if task else None,
                    tasks_running=1 if task else 0,
                    gpu_name=gpu[0] if gpu else None,
                    gpu_memory_mb=gpu[1] if gpu else None,
                    stopped_at=now if stopped else None,
                )
            )
    db.dispose()
    listed = storyreel("workers", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[1]: line for line in listed.stdout.splitlines() if ":" in line}
    assert "running" in lines["gpu-1:11:aaaaaa"] and "NVIDIA L4 22 GiB" in lines["gpu-1:11:aaaaaa"]
    assert f"image {'a' * 32}" in lines["gpu-1:11:aaaaaa"]
    assert "idle" in lines["cpu-1:12:bbbbbb"] and "cpu,io" in lines["cpu-1:12:bbbbbb"]
    assert "lost" in lines["cpu-2:13:cccccc"] and "10m ago" in lines["cpu-2:13:cccccc"]
    assert "stopped" in lines["cpu-3:14:dddddd"]


def test_a_worker_process_registers_and_marks_itself_stopped_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = Database(Settings(data_dir=data).database)
    migrate.upgrade(db)
    env = {
        **os.environ,
        "STORYREEL_DATA_DIR": str(data),
        "STORYREEL_HEARTBEAT_S": "0.2",
        "STORYREEL_LEASE_S": "3",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyreel.cli", "worker", "-Q", "cpu,io", "--executor", "local"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with db.reading() as s:
                rows, _ = workers_repo.page(s, 0, 10)
            if rows and rows[0].last_heartbeat_at > rows[0].started_at:
                break  # registered, and beating
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the worker never registered"
            time.sleep(0.1)
        [me] = rows
        assert me.pid == proc.pid and me.queues == ["cpu", "io"] and me.stopped_at is None
        listed = storyreel("workers", data_dir=data)
        assert str(proc.pid) in listed.stdout and "idle" in listed.stdout
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    with db.reading() as s:
        stopped = workers_repo.get(s, me.id)
    assert stopped is not None and stopped.stopped_at is not None
    db.dispose()
