"""Tasks: read one (the polling fallback for every kind), read many, cancel, retry, and list a
project's tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from storyreel.api import errors
from storyreel.api.deps import CurrentUser, DbDep, StateDep, project_for, task_for
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.api.views.tasks import (
    TaskBatch,
    TaskIds,
    TaskOut,
    readable_task,
    readable_tasks,
    task_out,
)
from storyreel.db.models import Task
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.tasks import service
from storyreel.tasks.model import FINISHED, InvalidTransition, Status, TaskNotFound

router = APIRouter(tags=["tasks"])


@router.get("/tasks/{task_id}", response_model=TaskOut)
async def get_task(task_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> Response:
    """A task's status, progress, attempts, result or error, and timings."""

    def read() -> Task:
        with db.read(snapshot=False) as s:  # one SELECT (task and its project's owner)
            return readable_task(s, user, task_id)

    # SQLite answers a primary-key read from this process in about a tenth of a millisecond:
    # cheaper inline than the thread hop. A networked database gets the thread pool.
    task = read() if db.local else await run_in_threadpool(read)
    # The hottest endpoint (status polls): serialised once here rather than validated again
    # against the response model on the way out.
    return Response(task_out(state, task).model_dump_json(), media_type="application/json")


@router.post("/tasks/batch-get", response_model=TaskBatch)
def batch_get_tasks(body: TaskIds, user: CurrentUser, state: StateDep, db: DbDep) -> TaskBatch:
    """Up to 100 tasks at once; ids you may not see are listed in ``missing``."""
    with db.read() as s:
        tasks = readable_tasks(s, user, body.ids)
    found = {t.id for t in tasks}
    return TaskBatch(
        items=[task_out(state, t) for t in tasks],
        missing=[i for i in dict.fromkeys(body.ids) if i not in found],
    )


@router.post("/tasks/{task_id}/cancel", response_model=TaskOut)
def cancel_task(task_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> TaskOut:
    """Cancel a task that has not finished, and every task downstream of it."""
    try:
        with db.write() as s:
            task = task_for(s, user, task_id, write=True)
            if task.status in FINISHED:
                raise InvalidTransition(
                    f"task {task_id} already {task.status}; only blocked, queued or running "
                    "tasks can be cancelled"
                )
            service.cancel(s, task.id)
    except (InvalidTransition, TaskNotFound) as exc:
        raise _refused(exc) from exc
    return task_out(state, task)


@router.post("/tasks/{task_id}/retry", response_model=TaskOut)
def retry_task(task_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> TaskOut:
    """Run a failed or cancelled task again, with the dependents it took down."""
    try:
        with db.write() as s:
            task = task_for(s, user, task_id, write=True)
            service.retry(s, task.id, state.platform.kinds)
    except (InvalidTransition, TaskNotFound) as exc:
        raise _refused(exc) from exc
    return task_out(state, task)


def _refused(exc: Exception) -> errors.ApiError:
    if isinstance(exc, TaskNotFound):  # deleted between the lookup and the change
        return errors.NotFound(str(exc))
    return errors.Conflict(str(exc))


@router.get("/projects/{project_id}/tasks", response_model=Page[TaskOut])
def list_project_tasks(
    project_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    status: Annotated[list[Status] | None, Query(description="Only these statuses.")] = None,
    kind: Annotated[str | None, Query(max_length=32, description="Only this kind.")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[TaskOut]:
    """A project's tasks in pipeline order (oldest first)."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        tasks, total = tasks_repo.project_page(
            s, project.id, statuses=status or (), kind=kind, page=page, page_size=page_size
        )
    return Page[TaskOut](
        items=[task_out(state, t) for t in tasks], page=page, page_size=page_size, total=total
    )
