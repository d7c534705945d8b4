"""Task statuses, resource classes, what a submission says, and the errors handlers raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["blocked", "queued", "running", "succeeded", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = ("blocked", "queued", "running", "succeeded", "failed", "cancelled")
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE: frozenset[str] = frozenset({"blocked", "queued", "running"})

Resource = Literal["gpu", "cpu", "llm", "io"]
RESOURCES: tuple[Resource, ...] = ("gpu", "cpu", "llm", "io")


@dataclass(frozen=True)
class TaskSpec:
    """What to run: a kind, its parameters (ids, never objects or secrets) and what it needs."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    project_id: str | None = None
    shot_id: str | None = None
    owner_id: str | None = None
    depends_on: tuple[str, ...] = ()
    priority: int = 0
    idempotency_key: str | None = None
    # None: the kind's policy decides.
    resource: Resource | None = None
    max_attempts: int | None = None
    timeout_s: float | None = None


class TaskFailure(Exception):
    """An error a handler raises on purpose: a code, a message for people, retryable or not."""

    code = "task_failed"
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable

    def as_error(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "retryable": self.retryable}


class PermanentError(TaskFailure):
    """Bad input: running it again gives the same failure."""

    code = "invalid_input"
    retryable = False


class RetryableError(TaskFailure):
    """A passing fault (a provider timeout, a 5xx, a crashed FFmpeg): worth another attempt."""

    code = "transient"
    retryable = True


class ServiceUnavailable(TaskFailure):
    """A service the task needs (the object store, say) is down for now. Not the task's fault:
    the run is given back without spending an attempt, with a growing wait, for as long as
    outages last (``EngineTiming.outage_budget_s`` in a row); then it fails like any other."""

    code = "unavailable"
    retryable = True


class TaskNotFound(LookupError):
    pass


class InvalidTransition(ValueError):
    """E.g. retrying a task that is still running."""
