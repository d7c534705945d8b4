"""What a handler sees of a run: its claim, a cancel token, progress, and success effects.

This module imports neither the runner nor the DAG service, so kinds (which name handlers) and
the runner (which calls them) both depend on it and not on each other. A handler's services
are bound to it when it is registered (``functools.partial(handler, services)``); the engine
carries no services of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from storyreel.domain.cancel import CancelToken


@dataclass
class Claim:
    """A task claimed by one runner, with the fencing token its writes must carry."""

    task_id: str
    fence: int
    kind: str
    params: dict[str, Any]
    attempts: int
    max_attempts: int
    timeout_s: float
    project_id: str | None
    shot_id: str | None
    owner_id: str | None


class ProgressSink(Protocol):
    """What a ``TaskContext`` needs from the runner that made it."""

    @property
    def progress_interval_s(self) -> float:
        """At most this often a progress write per task."""
        ...

    def report_progress(self, claim: Claim, percent: float, message: str) -> None: ...


@dataclass
class TaskContext:
    """What a handler gets: its parameters, a cancel token, progress, and success effects."""

    claim: Claim
    cancel: CancelToken
    _runner: ProgressSink
    _effects: list[Callable[[Session], None]] = field(default_factory=list)
    _last_progress: float = 0.0

    @property
    def task_id(self) -> str:
        return self.claim.task_id

    @property
    def params(self) -> dict[str, Any]:
        return self.claim.params

    def on_success(self, effect: Callable[[Session], None]) -> None:
        """Apply ``effect`` in the transaction that records success — fenced with it."""
        self._effects.append(effect)

    def progress(self, percent: float, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < self._runner.progress_interval_s:
            return
        self._last_progress = now
        self._runner.report_progress(self.claim, max(0.0, min(100.0, percent)), message)


Handler = Callable[[TaskContext], dict[str, Any] | None]
"""A kind's handler as the engine calls it; bind anything else it needs before registering."""
