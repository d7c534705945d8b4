"""`storyreel serve` as an operator starts it: refuses an un-migrated database and default
secrets in production, makes the first admin once, and answers on the port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

EXE = str(Path(sys.executable).with_name("storyreel"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYREEL_")}
    return {**env, "STORYREEL_DATA_DIR": str(tmp_path / "data"), **extra}


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [EXE, "serve", "--port", "9"], env=_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Run `storyreel migrate` first" in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_default_secrets(tmp_path: Path) -> None:
    result = subprocess.run(
        [EXE, "serve"],
        env=_env(tmp_path, STORYREEL_ENV="production"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "STORYREEL_JWT_SECRET" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_first_start_prints_a_one_time_admin_password_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert subprocess.run([EXE, "migrate"], env=env, capture_output=True).returncode == 0
    outputs = []
    for _ in range(2):
        port = _free_port()
        proc = subprocess.Popen(
            [EXE, "serve", "--port", str(port)],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            _wait_up(port)
            ok = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5)
            assert ok.status_code == 200 and ok.json()["info"]["title"] == "storyreel"
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
        outputs.append(err)
    assert "one-time password" in outputs[0]
    password = outputs[0].split("one-time password ")[1].split()[0]
    assert "one-time password" not in outputs[1] and password not in outputs[1]
    # The password was printed, never logged into the JSON log lines.
    assert all(password not in line for line in outputs[0].splitlines() if line.startswith("{"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("serve did not come up")
