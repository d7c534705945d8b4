"""Launching the app as a user does: the entry point, and the CLI's word when Qt is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from storyreel.desktop.app import FIRST_WINDOW_MARKER
from tests.services import HOST, free_port

BIN = Path(sys.executable).parent


def test_storyreel_desktop_without_its_extra_names_the_install_line() -> None:
    # As on a machine without the extra: importing PySide6 fails.
    code = (
        "import sys; sys.modules['PySide6'] = None; sys.argv = ['storyreel', 'desktop'];"
        "from storyreel.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert "pip install 'storyreel[desktop]'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_entry_point_opens_its_window_before_any_server_answers(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    dead = f"http://{HOST}:{free_port()}"
    started = time.time()
    proc = subprocess.Popen(
        [str(BIN / "storyreel-desktop"), "--server", dead, "--no-start-server"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        shown = next((line for line in proc.stderr if line.startswith(FIRST_WINDOW_MARKER)), None)
        assert shown is not None, f"no first window (exit {proc.poll()})"
        at = float(shown.split()[-1])
        assert started - 0.001 < at < time.time() + 0.001  # printed to the microsecond
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # It remembered the server it was pointed at, in its own settings file.
    settings = (tmp_path / "config" / "storyreel" / "storyreel-desktop.conf").read_text()
    assert dead in settings


def test_the_language_follows_the_systems() -> None:
    code = "from storyreel.desktop.i18n import system_language; print(system_language())"
    found = {}
    for locale in ("zh_CN.UTF-8", "zh_TW.UTF-8", "en_US.UTF-8", "de_DE.UTF-8"):
        env = {**os.environ, "LC_ALL": locale, "LANG": locale, "LANGUAGE": ""}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        found[locale] = done.stdout.strip()
    assert found == {
        "zh_CN.UTF-8": "zh",
        "zh_TW.UTF-8": "zh",
        "en_US.UTF-8": "en",
        "de_DE.UTF-8": "en",
    }
