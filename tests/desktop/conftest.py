"""The desktop app's tests: pytest-qt on Qt's offscreen platform, against a real
``storyreel serve`` (one per test process, so xdist workers each have their own)."""

from __future__ import annotations

import os

# Before anything makes the QApplication: no display is needed, on CI or here.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QtMultimedia lists every optional library it did not find (VA-API, PipeWire): noise here.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring.backend
import pytest
from PySide6.QtCore import QSettings

from storyreel.desktop.client import ApiClient
from storyreel.desktop.session import SessionStore
from storyreel.desktop.ui.main_window import MainWindow
from tests.cluster import ChildProcess, clean_env, spawn_storyreel, wait_until
from tests.services import HOST, free_port

PASSWORD = "a long desktop password"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in this process (the tests' "OS keyring")."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def server_env(data_dir: Path) -> dict[str, str]:
    """The embedded shape with the offline providers, in a private data folder."""
    env = clean_env()
    env.update(
        STORYREEL_DATA_DIR=str(data_dir),
        STORYREEL_RENDER_JOBS="2",
        STORYREEL_LOG_FORMAT="json",
        STORYREEL_ADMIN_PASSWORD="desktop admin password",
    )
    return env


def start_server(root: Path) -> tuple[str, ChildProcess]:
    env = server_env(root / "data")
    migrated = subprocess.run(
        [sys.executable, "-m", "storyreel.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    url = f"http://{HOST}:{port}"
    child = spawn_storyreel(
        "serve", ["serve", "--host", HOST, "--port", str(port)], env, root / "serve.log"
    )

    def ready() -> bool:
        if not child.alive:
            raise AssertionError(f"storyreel serve exited\n{child.tail()}")
        try:
            return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until("storyreel serve answers /readyz", ready, 90, child.tail, poll=0.2)
    return url, child


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real ``storyreel serve`` with the offline providers."""
    url, child = start_server(tmp_path_factory.mktemp("desktop-server"))
    yield url
    child.kill()


def new_email() -> str:
    return f"desk-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def account(server: str) -> tuple[str, str]:
    """A new account on the server: (email, password)."""
    email = new_email()
    client = ApiClient(server)
    client.register(email, PASSWORD, "Desk Tester")
    client.close()
    return email, PASSWORD


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """The window's settings in a file of this test (never the user's)."""
    return QSettings(str(tmp_path / "desktop.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(
    qtbot: object, qsettings: QSettings, memory_keyring: MemoryKeyring, tmp_path: Path
) -> Iterator[object]:
    """Open a main window on a server (started, shown, closed after the test)."""
    windows: list[MainWindow] = []

    def make(
        url: str,
        *,
        auto_start: bool = False,
        language: str = "en",
        store: SessionStore | None = None,
    ) -> MainWindow:
        window = MainWindow(
            settings=qsettings,
            store=store or SessionStore(memory_keyring),
            server_url=url,
            auto_start=auto_start,
            language=language,  # type: ignore[arg-type]
            log_dir=tmp_path / "logs",
        )
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        window.start()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
