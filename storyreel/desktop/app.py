"""``storyreel-desktop`` (and ``storyreel desktop``): start the app."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from types import TracebackType

FIRST_WINDOW_MARKER = "storyreel-desktop: first window shown at"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="storyreel-desktop", description="The storyreel desktop app."
    )
    parser.add_argument(
        "--server", help="the server's URL (default: the local one, started when not running)"
    )
    parser.add_argument(
        "--no-start-server",
        action="store_true",
        help="never start a local server; say so when none answers",
    )
    parser.add_argument("--lang", choices=("en", "zh"), help="language (default: the system's)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Imported here: `--help` answers without loading Qt.
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from storyreel.desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("storyreel")
    app.setApplicationName("storyreel-desktop")
    app.setApplicationDisplayName("storyreel")
    window = MainWindow(
        settings=QSettings(),
        server_url=args.server,
        auto_start=not args.no_start_server,
        language=args.lang,
    )
    # The start-up benchmark (bench/desktop.py) reads this line.
    window.first_shown.connect(
        lambda: print(f"{FIRST_WINDOW_MARKER} {time.time():.6f}", file=sys.stderr, flush=True)
    )

    def unexpected(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # A bug in a slot: logged with its traceback, shown to the user as one line.
        logging.getLogger(__name__).error("unexpected error", exc_info=(kind, exc, tb))
        window.show_error(exc)

    sys.excepthook = unexpected
    window.show()
    window.start()
    try:
        return int(app.exec())
    finally:
        window.shutdown()
