"""Generations without a story: a picture from a prompt, a video from scenes. Each answers 202
with a task, read back through ``GET /tasks/{id}`` like every other. A video is made as a
project whose storyboard is the scenes as written (it appears in the owner's projects, to edit
and render again); the task answered is its render."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import AppState, Creator, DbDep, StateDep, check_quota
from storyreel.api.errors import FieldError
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.views.tasks import TaskOut, task_out
from storyreel.auth import quotas
from storyreel.db.models import Project, Task, User
from storyreel.pipeline import project as projects
from storyreel.pipeline.generations import (
    IMAGE_KIND,
    ImageGeneration,
    VideoGeneration,
    board_for,
    project_options,
)
from storyreel.pipeline.project.rows import project_row
from storyreel.providers.base import ProviderError
from storyreel.tasks import service
from storyreel.tasks.model import TaskSpec

router = APIRouter(tags=["generate"])


def _check_provider(state: AppState, name: str | None) -> None:
    """Refuse an unknown or unconfigured image provider now, not when the task runs."""
    if name is None:
        return
    try:
        state.platform.pipeline.registry.image(name)
    except ProviderError as exc:  # UnknownProvider and ProviderNotConfigured are ones too
        raise errors.Unprocessable(
            str(exc), errors=[FieldError(field="provider", message=str(exc))]
        ) from exc


def _check_music(state: AppState, mood: str | None) -> None:
    """A mood the music provider knows (or auto / none); refused now, not when it runs."""
    if mood is None or mood in ("auto", "none"):
        return
    try:
        moods = state.platform.pipeline.registry.music().moods()
    except ProviderError:
        return  # a provider that cannot be asked checks the mood when it runs
    if moods and mood not in moods:
        message = f"unknown music mood {mood!r}; choose auto, none or one of: {', '.join(moods)}"
        raise errors.Unprocessable(message, errors=[FieldError(field="music", message=message)])


def _submit(
    s: Session, state: AppState, user: User, kind: str, request: dict[str, object]
) -> TaskOut:
    task = service.submit(
        s,
        TaskSpec(
            kind=kind,
            params={"request": request},
            owner_id=user.id,
            priority=quotas.priority_for(state.settings, user),
        ),
        state.platform.kinds,
    )
    return task_out(state, task)


@router.post("/images/generate", status_code=202, response_model=TaskOut)
def generate_image(
    body: ImageGeneration,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Draw one picture from a prompt; the task's result names the image asset."""
    _check_provider(state, body.provider)

    def create(s: Session) -> TaskOut:
        check_quota(
            s,
            state,
            user,
            images=1,
            resolution=min(body.width, body.height),
            resolution_field="width/height",
        )
        return _submit(s, state, user, IMAGE_KIND, body.model_dump(mode="json"))

    return run_once(
        db, user, idempotency_key, fingerprint("images/generate", body), create, status_code=202
    )


@router.post("/videos/generate", status_code=202, response_model=TaskOut)
def generate_video(
    body: VideoGeneration,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Make a narrated video from scenes; the task's result names the MP4 asset."""
    _check_music(state, body.music)

    def create(s: Session) -> TaskOut:
        seconds = body.estimated_seconds()
        check_quota(
            s,
            state,
            user,
            images=len(body.scenes),
            videos=1,
            render_seconds=seconds,
            resolution=body.resolution(),
            duration_s=seconds,
            duration_field="scenes",
            resolution_field="quality",
        )
        return task_out(state, _video_project(s, state, user, body))

    return run_once(
        db, user, idempotency_key, fingerprint("videos/generate", body), create, status_code=202
    )


def _video_project(s: Session, state: AppState, user: User, body: VideoGeneration) -> Task:
    """The scenes as a project with its whole DAG planned; its render task."""
    board = board_for(body)
    options = project_options(body, board)
    story = "\n\n".join(scene.narration for scene in body.scenes)
    project: Project = project_row(story, options, title=board.title, owner_id=user.id)
    s.add(project)
    s.flush()
    planned = projects.store_storyboard(
        s,
        state.platform.kinds,
        project,
        board,
        None,
        priority=quotas.priority_for(state.settings, user),
    )
    return next(t for t in planned if t.kind == "render")
