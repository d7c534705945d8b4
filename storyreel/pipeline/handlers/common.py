"""What every handler does the same way: load the project, read a parameter, store a file as an
asset, record usage, and record rows in the fenced transaction that marks the task done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Project, Shot, UsageRecord
from storyreel.db.repositories import projects as repo
from storyreel.db.types import new_id
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.costs import usage_record
from storyreel.pipeline.project import board_of
from storyreel.pipeline.scope import account_scope
from storyreel.providers.base import Capability, Usage
from storyreel.providers.router import CallScope
from storyreel.storage.base import BlobRef, put_content
from storyreel.tasks.model import PermanentError
from storyreel.tasks.runner import TaskContext

MIME = {
    ".png": "image/png",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".srt": "application/x-subrip",
    ".json": "application/json",
}


def project_of(services: PipelineServices, ctx: TaskContext) -> Project:
    with services.db.session() as s:
        project = repo.get(s, ctx.params["project_id"])
    if project is None:
        raise PermanentError("the project was deleted", code="not_found")
    return project


def load(services: PipelineServices, ctx: TaskContext) -> tuple[Project, list[Shot], Storyboard]:
    """The task's project, its shots in order, and them as the domain storyboard."""
    with services.db.session() as s:
        project = repo.get(s, ctx.params["project_id"])
        if project is None:
            raise PermanentError("the project was deleted", code="not_found")
        shots = repo.shots(s, project.id)
        board = board_of(project, shots, repo.characters(s, project.id)) if shots else None
    if board is None:
        raise PermanentError("the project has no storyboard yet", code="no_storyboard")
    return project, shots, board


def task_shot(shots: list[Shot], ctx: TaskContext) -> Shot:
    for shot in shots:
        if shot.id == ctx.params["shot_id"]:
            return shot
    raise PermanentError("the shot was deleted", code="not_found")


def store_asset(
    services: PipelineServices,
    owner_id: str | None,
    project_id: str | None,
    kind: str,
    path: Path,
    prefix: str,
    meta: dict[str, Any],
) -> tuple[Asset, BlobRef]:
    """Put the file into the store under a content-addressed key, and the row that names it
    (added to the database by the caller's on-success hook)."""
    ref = put_content(services.pipeline.store, prefix, path, path.suffix)
    asset = Asset(
        id=new_id(),  # known before the row is written, so a task's result can name it
        owner_id=owner_id,
        project_id=project_id,
        kind=kind,
        blob_key=ref.key,
        mime=MIME.get(path.suffix, "application/octet-stream"),
        size=ref.size,
        sha256=ref.sha256,
        meta=meta,
    )
    return asset, ref


def put(
    services: PipelineServices,
    project: Project,
    kind: str,
    path: Path,
    prefix: str,
    meta: dict[str, Any],
) -> tuple[Asset, BlobRef]:
    return store_asset(services, project.owner_id, project.id, kind, path, prefix, meta)


def usage_of(ctx: TaskContext, project: Project, capability: str, usage: Usage) -> UsageRecord:
    return usage_record(
        usage,
        capability=capability,
        task_id=ctx.task_id,
        owner_id=project.owner_id,
        project_id=project.id,
    )


def scope_of(services: PipelineServices, project: Project) -> CallScope:
    """The owner's routes, own provider keys and budgets for this project's provider calls."""
    with services.db.session() as s:
        fresh = repo.get(s, project.id)
        if fresh is None:
            raise PermanentError("the project was deleted", code="not_found")
        return account_scope(services.pipeline, services.db, s, fresh.owner_id, fresh)


def failovers(usage: Usage) -> dict[str, Any]:
    """For the task's result: providers passed over and the one that served instead, so the
    activity log, the studio and ``make``'s summary can say what fell back, to what, and why."""
    if not usage.failovers:
        return {}
    return {"failovers": usage.failovers, "served_by": usage.provider}


def record_on_shot(
    ctx: TaskContext,
    project: Project,
    shot_id: str,
    capability: str,
    usage: Usage,
    asset: Asset | None,
    update: Callable[[Shot, Asset | None], None],
) -> None:
    """On success: store ``asset``, point the shot at it (``update``) and record the usage —
    unless the shot was deleted meanwhile (a new storyboard replaced it)."""

    def record(s: Session) -> None:
        row = repo.shot(s, shot_id)
        if row is None:
            return
        if asset is not None:
            s.add(asset)
            s.flush()
        update(row, asset)
        s.add(usage_of(ctx, project, capability, usage))

    ctx.on_success(record)


# Parameters a client may send with one shot's step (``rerun_shot_step``): all optional. The
# API validated them; these checks stop anything else that submits a task from failing late.
T = TypeVar("T", int, float, str)


def param(ctx: TaskContext, name: str, kind: type[T]) -> T | None:
    value = ctx.params.get(name)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise PermanentError(
            f"parameter {name!r} must be a {kind.__name__}, not {value!r}", code="invalid_params"
        )
    return value


def provider_param(
    services: PipelineServices, ctx: TaskContext, capability: Capability
) -> str | None:
    """The provider the task asks for (None: the one chosen in settings), if it exists."""
    name = param(ctx, "provider", str)
    known = services.pipeline.registry.names(capability)
    if name is not None and name not in known:
        raise PermanentError(
            f"no {capability} provider called {name!r}; available: {', '.join(known) or 'none'}",
            code="unknown_provider",
        )
    return name
