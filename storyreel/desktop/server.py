"""The local embedded server: its default address, and starting it when nothing answers there.

The app never imports the server: it runs ``storyreel migrate`` and ``storyreel serve`` as
processes (the console script beside this Python, else ``python -m storyreel.cli``) — what
``make run`` does — and waits for ``/readyz``. A server it started stops when the app quits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from storyreel.desktop.errors import ServerStartFailed

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MIGRATE_TIMEOUT_S = 120.0
READY_TIMEOUT_S = 90.0


def default_url() -> str:
    """Where ``storyreel serve`` listens by default (the same STORYREEL_HOST/PORT it reads)."""
    host = os.environ.get("STORYREEL_HOST") or "127.0.0.1"
    port = os.environ.get("STORYREEL_PORT") or "8000"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def is_local(url: str) -> bool:
    """A loopback address: one this app may start a server for."""
    return (urlsplit(url).hostname or "") in LOOPBACK


def answers(url: str, timeout: float = 1.5) -> bool:
    """Whether a storyreel server is up and ready at ``url``."""
    import httpx  # here, not at the top: the first window does not wait for it

    try:
        return httpx.get(f"{url}/readyz", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def storyreel_command() -> list[str]:
    exe = Path(sys.executable).with_name("storyreel")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("storyreel")
    return [found] if found else [sys.executable, "-m", "storyreel.cli"]


class LocalServer:
    """A ``storyreel serve`` this app started; ``log`` holds its output."""

    def __init__(self, url: str, log_dir: Path) -> None:
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = log_dir / "server.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()  # the app is closing: stop waiting for the start

    def start(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Migrate the database, start the server, and return once ``/readyz`` answers."""
        command = storyreel_command()
        with self.log.open("ab") as out:
            try:
                migrated = subprocess.run(
                    [*command, "migrate"],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=MIGRATE_TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise self._failed(f"could not prepare the local database ({exc})") from exc
            if migrated.returncode != 0:
                raise self._failed("could not prepare the local database")
            serve = [*command, "serve", "--host", self.host, "--port", str(self.port)]
            self._proc = subprocess.Popen(
                serve, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._stopping.is_set():
                self.stop()
                raise self._failed("the app closed while the local server was starting")
            if answers(self.url):
                log.info("started the local server at %s (pid %d)", self.url, self._proc.pid)
                return
            if self._proc.poll() is not None:
                raise self._failed("the local server stopped while starting")
            time.sleep(0.25)
        self.stop()
        raise self._failed(f"the local server did not answer within {timeout:.0f} s")

    def _failed(self, message: str) -> ServerStartFailed:
        return ServerStartFailed(message, str(self.log))

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        self._stopping.set()
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=5)
