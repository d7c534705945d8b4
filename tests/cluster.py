"""storyreel as an operator runs it in the cluster shape, on loopback: PostgreSQL, Redis and an
S3 server (from ``tests/services.py``), one ``storyreel serve`` and ``storyreel worker --executor
celery`` processes that share nothing but those services — each has its own empty data folder.

Used by the share-nothing cluster test (``tests/tasks/test_share_nothing.py``), the Celery tests
(``ChildProcess``) and the chaos benchmark (``bench/chaos.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from storyreel.settings import S3Settings
from tests.services import HOST, free_port

REPO = Path(__file__).resolve().parents[1]
LOG_TAIL = 4000
# Recovery tests shrink the engine's clocks so a lost lease or message shows within seconds.
FAST_RECOVERY = {"lease_s": 4.0, "heartbeat_s": 0.5, "reaper_interval_s": 0.5}


def _die_with_parent() -> None:
    """Children get SIGKILL if their parent dies, so no process outlives a killed test run."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


@dataclass
class ChildProcess:
    """A storyreel process this test started, with its output in a log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-LOG_TAIL:]

    def kill(self) -> None:
        """SIGKILL the process and everything it started (FFmpeg), as a lost machine would."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def wait_until(
    what: str, check: Callable[[], Any], timeout: float, logs: Callable[[], str], poll: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy (and return it); fail after ``timeout``
    seconds with ``what`` and the processes' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(poll)
    raise AssertionError(f"not seen within {timeout:g} s: {what}\n{logs()}")


def spawn_storyreel(name: str, args: list[str], env: dict[str, str], log: Path) -> ChildProcess:
    """``python -m storyreel.cli ARGS`` in its own process group (so ``kill`` takes FFmpeg too)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyreel.cli", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    return ChildProcess(name, proc, log)


def clean_env() -> dict[str, str]:
    """This process's environment without any ``STORYREEL_*`` (the test decides them all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYREEL_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@dataclass
class ShareNothingCluster:
    """The services' addresses and the storyreel processes started on them."""

    root: Path
    database_url: str
    broker_url: str
    storage_url: str  # s3://BUCKET/PREFIX
    s3: S3Settings
    timing: dict[str, float] = field(default_factory=dict)
    children: list[ChildProcess] = field(default_factory=list)
    api_url: str = ""
    # Production secrets, the same for every process (nothing is generated into a data folder).
    secrets: dict[str, str] = field(
        default_factory=lambda: {
            "STORYREEL_JWT_SECRET": secrets.token_hex(32),
            "STORYREEL_WEBHOOK_SECRET": secrets.token_hex(32),
            "STORYREEL_PROVIDER_KEYS_SECRET": secrets.token_hex(32),
        }
    )
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    def env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        """What the operator sets for every process; ``data_dir`` is the process's own."""
        data_dir.mkdir(parents=True, exist_ok=True)
        s3 = self.s3
        env = clean_env()
        env.update(
            STORYREEL_DATA_DIR=str(data_dir),
            STORYREEL_DATABASE_URL=self.database_url,
            STORYREEL_EXECUTOR="celery",
            STORYREEL_BROKER_URL=self.broker_url,
            STORYREEL_STORAGE_URL=self.storage_url,
            STORYREEL_S3__ENDPOINT_URL=str(s3.endpoint_url),
            STORYREEL_S3__REGION=str(s3.region),
            STORYREEL_S3__ACCESS_KEY_ID=s3.access_key_id or "",
            STORYREEL_S3__SECRET_ACCESS_KEY=(
                s3.secret_access_key.get_secret_value() if s3.secret_access_key else ""
            ),
            STORYREEL_RENDER_JOBS="2",
            **self.secrets,
        )
        env.update({f"STORYREEL_{k.upper()}": str(v) for k, v in self.timing.items()})
        env.update(extra)
        return env

    def _child(self, role: str, args: list[str], **extra: str) -> ChildProcess:
        name = f"{role}-{next(self._numbers)}"
        folder = self.root / name
        return self._start(name, args, self.env(folder / "data", **extra), folder / "log.txt")

    def _start(self, name: str, args: list[str], env: dict[str, str], log: Path) -> ChildProcess:
        child = spawn_storyreel(name, args, env, log)
        self.children.append(child)
        return child

    def migrate(self) -> None:
        """``storyreel migrate``, the one-shot job a deployment runs before the API starts."""
        folder = self.root / "migrate"
        done = subprocess.run(
            [sys.executable, "-m", "storyreel.cli", "migrate"],
            cwd=REPO,
            env=self.env(folder / "data"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"storyreel migrate failed:\n{done.stdout}\n{done.stderr}")

    def start_api(self, timeout: float = 60.0) -> ChildProcess:
        """``storyreel serve`` on a free loopback port; returns once ``/readyz`` answers 200."""
        port = free_port()
        api = self._child("api", ["serve", "--host", HOST, "--port", str(port)])
        self.api_url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.api_url}/readyz", timeout=2).status_code == 200:
                    return api
            if not api.alive or time.monotonic() > deadline:
                raise AssertionError(f"the API did not come up\n{self.logs()}")
            time.sleep(0.2)

    def start_worker(self, queues: str, concurrency: int = 2) -> ChildProcess:
        """``storyreel worker --executor celery -Q QUEUES`` with its own data folder."""
        return self._child(
            "worker",
            ["worker", "--executor", "celery", "-Q", queues, "--concurrency", str(concurrency)],
        )

    @property
    def workers(self) -> list[ChildProcess]:
        return [c for c in self.children if c.name.startswith("worker-")]

    def worker_by_pid(self, pid: int) -> ChildProcess | None:
        return next((w for w in self.workers if w.proc.pid == pid), None)

    def logs(self) -> str:
        return "\n".join(
            f"--- {c.name} (exit {c.proc.poll()}) ---\n{c.tail()}" for c in self.children
        )

    def close(self) -> None:
        for child in self.children:
            child.kill()


class ApiClient:
    """A signed-in account on the cluster's API, as a program calling the REST API would be."""

    def __init__(self, base_url: str, email: str, password: str = "correct horse battery") -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        registered = self.http.post(
            "/api/v1/auth/register", json={"email": email, "password": password}
        )
        assert registered.status_code == 201, registered.text
        login = self.http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.http.get(path, **kwargs)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def create_project(self, story: str, **options: Any) -> dict[str, Any]:
        response = self.http.post("/api/v1/projects", json={"story": story, **options})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def project(self, project_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/api/v1/projects/{project_id}")
        return result

    def tasks(self, project_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get(
            f"/api/v1/projects/{project_id}/tasks", params={"page_size": 100}
        )["items"]
        return items

    def close(self) -> None:
        self.http.close()
