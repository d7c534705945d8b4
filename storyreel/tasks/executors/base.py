"""The executor interface (DESIGN.md: submit, cancel, start, stop)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime


class Executor(ABC):
    @abstractmethod
    def submit(self, task_id: str, queue: str, priority: int, eta: datetime | None) -> None:
        """A task is ready (or will be at ``eta``) in ``queue``, its resource class."""

    @abstractmethod
    def cancel(self, task_id: str) -> None:
        """Stop the task now if it runs here (the database already says it is cancelled)."""

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self, drain_s: float = 10.0) -> None:
        """Stop taking work; give running tasks ``drain_s`` to finish, then hand them back."""
