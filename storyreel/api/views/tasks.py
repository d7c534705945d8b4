"""How a task looks through the API (``TaskOut``, and ``TaskState`` inside projects and shots),
and the reads behind ``GET /tasks/{id}``.

``GET /tasks/{id}`` is the polling fallback every client hammers, so it reads the task and its
project's owner in one primary-key select on the read-only engine and decides access from that
row; only a project shared with the caller costs a second (membership) query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors, signing
from storyreel.api.deps import AppState
from storyreel.auth import policy
from storyreel.db.models import Project, Task, User
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.tasks.model import Status


class TaskError(BaseModel):
    code: str = Field(examples=["provider_error"])
    message: str
    retryable: bool = False


class TaskTimings(BaseModel):
    """When the task moved, and how long each phase took (seconds; ``None`` until known)."""

    created_at: datetime
    queued_at: datetime | None = None
    started_at: datetime | None = Field(None, description="Start of the latest attempt.")
    finished_at: datetime | None = None
    updated_at: datetime | None = None
    wait_s: float | None = Field(None, description="Queued until the latest attempt started.")
    run_s: float | None = Field(None, description="The latest attempt, start to finish.")
    total_s: float | None = Field(None, description="Created until finished.")


class TaskOut(BaseModel):
    id: str
    kind: str = Field(examples=["render"])
    status: Status
    progress: float = Field(ge=0, le=100)
    message: str
    attempts: int
    max_attempts: int
    priority: int
    resource: str
    project_id: str | None
    shot_id: str | None
    owner_id: str | None
    params: dict[str, Any]
    result: dict[str, Any] | None = Field(
        None,
        description="What the task made. Each `…asset_id` comes with a signed download link "
        "`…url` (relative to this server, valid for a few minutes).",
    )
    error: TaskError | None
    timings: TaskTimings


class TaskState(BaseModel):
    """The current task of one step: enough to show progress; ``GET /tasks/{id}`` has the rest."""

    id: str
    status: str
    progress: float
    finished_at: datetime | None = Field(description="When it last finished.")


class TaskIds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=100
    )


class TaskBatch(BaseModel):
    items: list[TaskOut]
    missing: list[str] = Field(description="Ids that do not exist or that you may not see.")


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 3)


def _with_links(state: AppState, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A signed URL beside every asset id: ``asset_id`` → ``url``, ``video_asset_id`` →
    ``video_url``. An HMAC each; no database work."""
    if not result:
        return result
    out = dict(result)
    for key, value in result.items():
        if key.endswith("asset_id") and isinstance(value, str) and value:
            out[key[: -len("asset_id")] + "url"] = signing.asset_url(state, value)
    return out


def task_out(state: AppState, task: Task) -> TaskOut:
    error = task.error
    return TaskOut(
        id=task.id,
        kind=task.kind,
        status=task.status,
        progress=task.progress,
        message=task.message,
        attempts=task.attempts,
        max_attempts=task.max_attempts,
        priority=task.priority,
        resource=task.resource,
        project_id=task.project_id,
        shot_id=task.shot_id,
        owner_id=task.owner_id,
        params=dict(task.params or {}),
        result=_with_links(state, task.result),
        error=TaskError(
            code=str(error.get("code", "task_failed")),
            message=str(error.get("message", "")),
            retryable=bool(error.get("retryable", False)),
        )
        if error
        else None,
        timings=TaskTimings(
            created_at=task.created_at,
            queued_at=task.queued_at,
            started_at=task.started_at,
            finished_at=task.finished_at,
            updated_at=task.updated_at,
            wait_s=_seconds(task.queued_at, task.started_at),
            run_s=_seconds(task.started_at, task.finished_at),
            total_s=_seconds(task.created_at, task.finished_at),
        ),
    )


def task_state(task: Task) -> TaskState:
    return TaskState(
        id=task.id, status=task.status, progress=task.progress, finished_at=task.finished_at
    )


def _visible(s: Session, user: User, task: Task, project: Project | None) -> bool:
    if task.project_id is None:
        return task.owner_id == user.id or user.role == "admin"
    return project is not None and policy.project_access(s, user, project) is not None


def readable_task(s: Session, user: User, task_id: str) -> Task:
    """The task if ``user`` may read it; 404 otherwise (exactly as for an unknown id)."""
    row = tasks_repo.with_project(s, task_id)
    if row is None or not _visible(s, user, row[0], row[1]):
        raise errors.NotFound(f"no task {task_id}")
    task: Task = row[0]
    return task


def readable_tasks(s: Session, user: User, task_ids: Sequence[str]) -> list[Task]:
    """The tasks among ``task_ids`` that ``user`` may read, in the order asked."""
    wanted = list(dict.fromkeys(task_ids))
    access: dict[str, bool] = {}  # per project: one membership query at most
    found: dict[str, Task] = {}
    for task, project in tasks_repo.many_with_projects(s, wanted):
        if task.project_id is not None and project is not None:
            if project.id not in access:
                access[project.id] = _visible(s, user, task, project)
            if access[project.id]:
                found[task.id] = task
        elif _visible(s, user, task, project):
            found[task.id] = task
    return [found[i] for i in wanted if i in found]
