"""The worker registry's live side: a process that runs tasks registers itself in ``workers``,
renews its heartbeat there on an interval (one small UPDATE, with what it runs now) and marks
itself stopped on a clean exit. Operators see it in ``storyreel workers`` and the admin status
page; one silent past the lease is shown as lost (``db.repositories.workers.state_of``)."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from storyreel import __version__
from storyreel.db.models import Worker
from storyreel.db.repositories import workers as repo
from storyreel.db.session import Database
from storyreel.db.types import utcnow

log = logging.getLogger(__name__)

#: Stopped and lost workers are forgotten after this long.
KEEP = timedelta(days=1)
PRUNE_EVERY_S = 3600.0
NVIDIA_SMI_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_mb: int | None


def detect_gpu() -> Gpu | None:
    """The GPU this process can use, found cheaply: ``nvidia-smi`` when installed (bounded by a
    short timeout), else torch when something already imported it (never imported for this),
    else none. Several GPUs read as ``4× NAME`` with one card's memory."""
    binary = shutil.which("nvidia-smi")
    if binary is not None:
        try:
            done = subprocess.run(
                [binary, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                capture_output=True,
                text=True,
                timeout=NVIDIA_SMI_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("nvidia-smi did not answer: %s", exc)
        else:
            gpu = parse_nvidia_smi(done.stdout) if done.returncode == 0 else None
            if gpu is not None:
                return gpu
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_available():
                n = torch.cuda.device_count()
                props = torch.cuda.get_device_properties(0)
                name = props.name if n == 1 else f"{n}× {props.name}"
                return Gpu(name, int(props.total_memory) // (1 << 20))
        except Exception as exc:  # a broken CUDA setup is a worker without a GPU, not a crash
            log.info("torch.cuda could not describe the GPU: %s", exc)
    return None


def parse_nvidia_smi(text: str) -> Gpu | None:
    """``NAME, MEMORY_MIB`` lines (``--format=csv,noheader,nounits``), one per GPU."""
    rows = [line.rsplit(",", 1) for line in text.strip().splitlines() if "," in line]
    if not rows:
        return None
    name, memory = rows[0][0].strip(), rows[0][1].strip()
    if len(rows) > 1:
        name = f"{len(rows)}× {name}"
    return Gpu(name, int(memory) if memory.isdigit() else None)


class WorkerPresence:
    """Registers ``worker_id`` and keeps its heartbeat; ``running()`` says what it runs now,
    as ``(task id, kind)`` pairs, longest-running first (the runner's ``running``)."""

    def __init__(
        self,
        db: Database,
        worker_id: str,
        running: Callable[[], Sequence[tuple[str, str]]],
        *,
        executor: str,
        queues: Sequence[str],
        heartbeat_s: float,
        lease_s: float,
        gpu: Callable[[], Gpu | None] = detect_gpu,
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.running = running
        self.executor = executor
        self.queues = list(queues)
        self.heartbeat_s = heartbeat_s
        self.lease_s = lease_s
        self._gpu = gpu
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._registered = False
        self._pruned_at = float("-inf")
        self._fields: dict[str, object] = {}

    def start(self) -> None:
        self._stop.clear()
        gpu = self._gpu()
        self._fields = {
            "id": self.worker_id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "version": __version__,
            "executor": self.executor,
            "queues": self.queues,
            "gpu_name": gpu.name if gpu else None,
            "gpu_memory_mb": gpu.memory_mb if gpu else None,
        }
        self._register()  # at once, so `storyreel workers` shows it before the first beat
        self._thread = threading.Thread(target=self._loop, name="worker-presence", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and record a clean exit."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if not self._registered:
            return
        try:
            with self.db.session() as s:
                repo.stop(s, self.worker_id, utcnow())
        except Exception as exc:  # it will read as lost once its lease has passed
            log.warning("could not mark worker %s stopped: %s", self.worker_id, exc)

    def _register(self) -> None:
        try:
            now = utcnow()
            with self.db.session() as s:
                row = Worker(
                    **self._fields,
                    started_at=now,
                    last_heartbeat_at=now,
                    tasks_running=0,
                )
                repo.register(s, row)
            self._registered = True
        except Exception as exc:  # the database may come up later: the loop tries again
            log.warning("could not register worker %s yet: %s", self.worker_id, exc)

    def beat(self) -> None:
        """One heartbeat now (the loop calls this every ``heartbeat_s``)."""
        if not self._registered:
            self._register()
            return
        running = list(self.running())
        first = running[0] if running else (None, None)
        current = repo.Current(task_id=first[0], task_kind=first[1], running=len(running))
        with self.db.session() as s:
            found = repo.heartbeat(s, self.worker_id, utcnow(), current)
        if not found:  # pruned while this process was frozen for a day: come back
            self._registered = False
            self._register()

    def _loop(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                self.beat()
                if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
                    self._pruned_at = time.monotonic()
                    with self.db.session() as s:
                        gone = repo.prune(s, utcnow(), self.lease_s, KEEP)
                    if gone:
                        log.info("forgot %d stopped or lost worker(s)", gone)
            except Exception as exc:  # the database may be briefly away; the next beat tries
                log.warning("worker %s heartbeat failed: %s", self.worker_id, exc)
