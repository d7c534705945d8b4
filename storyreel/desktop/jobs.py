"""Blocking API calls off the GUI thread, their results back on it.

Every network call runs on a small thread pool; ``done`` or ``failed`` then runs on the GUI
thread (a queued signal to a QObject living there), so windows never freeze and never touch
widgets from another thread. Failures arrive as exceptions for ``describe`` to put in words;
anything that is not a ``DesktopError`` is a bug, logged with its traceback, and still shown
as one line — never a traceback dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal

from storyreel.desktop.errors import DesktopError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Jobs(QObject):
    """Runs work on a thread pool and its callbacks on the thread that made this object."""

    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None, threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._deliver.connect(self._call)
        self.pending = 0

    def _call(self, callback: Callable[[], None]) -> None:
        self.pending -= 1
        callback()

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the GUI thread (callable from any thread)."""
        self.pending += 1
        self._deliver.emit(callback)

    def run(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None],
    ) -> None:
        def task() -> None:
            try:
                result = work()
            except Exception as exc:  # the boundary: every failure reaches a window as words
                if not isinstance(exc, DesktopError):
                    log.exception("a background call failed")
                error = exc  # `exc` is unbound once the except block ends
                self.call_soon(lambda: failed(error))
                return
            self.call_soon(lambda: done(result))

        self._pool.start(task)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for the running work (the tests and shutdown)."""
        return bool(self._pool.waitForDone(msecs))
