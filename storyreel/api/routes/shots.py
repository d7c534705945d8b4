"""Shots: add, edit, reorder and delete them, and make one shot's picture, motion or voice again
with new parameters — each edit runs exactly the steps downstream of it again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import uploads
from storyreel.api.deps import (
    AppState,
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    kinds_of,
    owner_of,
    priority_of,
    project_for,
    providers_of,
    refuse_while_writing,
    shot_for,
    within_quota,
)
from storyreel.api.errors import field_error
from storyreel.api.feeds import documents_feeds
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.views.shots import ShotOut, one_shot_out, shots_out
from storyreel.api.views.tasks import TaskOut, task_out
from storyreel.db.models import Project, Shot, User
from storyreel.db.repositories import projects as repo
from storyreel.domain.feeds import SHOT_FEEDS, shot_steps
from storyreel.domain.storyboard import ShotType
from storyreel.domain.timeline import MotionType
from storyreel.pipeline import project as pipeline
from storyreel.providers.base import Capability

# Bodies are bounded by the upload limit while they arrive (uploads.BoundedBody).
router = APIRouter(tags=["shots"], route_class=uploads.BoundedBody, responses=uploads.TOO_LARGE)

MAX_SEED = 2**31 - 1
CharacterKeys = list[str]


class ShotFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    negative_prompt: str = Field("", max_length=2000)
    shot_type: ShotType = "medium"
    camera_motion: MotionType = "none"
    characters: CharacterKeys = Field(
        default_factory=list, max_length=50, description="Keys of the project's characters."
    )
    setting: str = Field("", max_length=500)
    mood: str = Field("", max_length=100)
    time_of_day: str = Field("", max_length=50)
    duration_hint: float = Field(5.0, gt=0, le=60, allow_inf_nan=False)
    scene: int = Field(0, ge=0, le=100_000)


class ShotIn(ShotFields):
    narration: str = Field(min_length=1, max_length=2000)
    visual_prompt: str = Field(min_length=1, max_length=4000)
    position: int | None = Field(
        None, ge=0, le=100_000, description="Where to insert it (0-based); default: the end."
    )


class ShotPatch(BaseModel):
    """A shot's fields to change. Each field's `x-feeds` names the step a change to it runs again
    (`false`: none)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=documents_feeds(SHOT_FEEDS))

    narration: str | None = Field(None, min_length=1, max_length=2000)
    visual_prompt: str | None = Field(None, min_length=1, max_length=4000)
    negative_prompt: str | None = Field(None, max_length=2000)
    shot_type: ShotType | None = None
    camera_motion: MotionType | None = None
    characters: CharacterKeys | None = Field(None, max_length=50)
    setting: str | None = Field(None, max_length=500)
    mood: str | None = Field(None, max_length=100)
    time_of_day: str | None = Field(None, max_length=50)
    duration_hint: float | None = Field(None, gt=0, le=60, allow_inf_nan=False)
    scene: int | None = Field(None, ge=0, le=100_000)
    position: int | None = Field(None, ge=0, le=100_000, description="Move it here (0-based).")


class ReorderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shot_ids: list[str] = Field(
        max_length=1000, description="Every shot id of the project once, in the new order."
    )


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: int = Field(
        ge=0,
        le=100_000,
        description="Where to cut the narration: an offset in Unicode characters (code points), "
        "0 < at < length. The shot keeps the text before it; a new shot gets the rest.",
        examples=[42],
    )


class SplitOut(BaseModel):
    shots: list[ShotOut] = Field(
        min_length=2,
        max_length=2,
        description="The shot, now with the first part of the narration, then the new shot "
        "right after it with the rest.",
    )


class ImageIn(BaseModel):
    """Overrides for this shot's picture; omitted ones keep the provider's defaults."""

    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(None, max_length=64, examples=["sketch"])
    model: str | None = Field(None, min_length=1, max_length=200)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    steps: int | None = Field(None, ge=1, le=500)
    guidance: float | None = Field(None, ge=0, le=50, allow_inf_nan=False)
    width: int | None = Field(None, ge=64, le=4096)
    height: int | None = Field(None, ge=64, le=4096)


class MotionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(None, max_length=64, examples=["kenburns"])


class VoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voice: str | None = Field(None, pattern=r"^[\w.:+@-]{1,64}$")
    rate: float | None = Field(None, ge=0.25, le=4.0, allow_inf_nan=False)


def _known_characters(s: Session, project: Project, keys: list[str]) -> list[str]:
    known = [c.key for c in repo.characters(s, project.id)]
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise field_error(
            "characters",
            f"unknown characters {unknown}; the project's are: {', '.join(known) or 'none'}",
        )
    return list(dict.fromkeys(keys))


def _provider(state: AppState, capability: Capability, name: str | None) -> None:
    if name is None:
        return
    known = providers_of(state).names(capability)
    if name not in known:
        raise field_error(
            "provider",
            f"no {capability} provider called {name!r}; available: {', '.join(known) or 'none'}",
        )


def _writable_shot(s: Session, user: User, project_id: str, shot_id: str) -> tuple[Project, Shot]:
    project, shot = shot_for(s, user, project_id, shot_id, write=True)
    refuse_while_writing(s, project)
    return project, shot


# --- the shot list --------------------------------------------------------------------------


@router.get("/projects/{project_id}/shots", response_model=list[ShotOut])
def list_shots(project_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> list[ShotOut]:
    """The project's shots in order, with their media and current tasks."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        return shots_out(s, state, project.id)


@router.post("/projects/{project_id}/shots", status_code=201, response_model=ShotOut)
def add_shot(
    project_id: str,
    body: ShotIn,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Insert a shot; when the project has a pipeline its steps are planned and the render
    runs again."""

    def create(s: Session) -> ShotOut:
        project = project_for(s, user, project_id, write=True)
        refuse_while_writing(s, project)
        fields = body.model_dump(exclude={"position"})
        fields["characters"] = _known_characters(s, project, body.characters)
        owner = owner_of(s, project, user)
        if pipeline.has_pipeline(s, project):
            check_quota(s, state, owner, project, images=1)
        shot, _ = pipeline.add_shot(
            s,
            kinds_of(state),
            project,
            fields,
            position=body.position,
            priority=priority_of(state, owner),
        )
        return one_shot_out(s, state, shot)

    return run_once(db, user, idempotency_key, fingerprint("shots", project_id, body), create)


@router.patch("/projects/{project_id}/shots/{shot_id}", response_model=ShotOut)
def update_shot(
    project_id: str, shot_id: str, body: ShotPatch, user: CurrentUser, state: StateDep, db: DbDep
) -> ShotOut:
    """Edit a shot; exactly the steps fed by what changed (and what follows) run again."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise field_error(name, f"{name} cannot be null")
    position = changes.pop("position", None)
    with db.write() as s:
        project, shot = _writable_shot(s, user, project_id, shot_id)
        if "characters" in changes:
            changes["characters"] = _known_characters(s, project, changes["characters"])
        # A change to a field that feeds the picture makes it again: an image, against the quota.
        changed = {name for name, value in changes.items() if getattr(shot, name) != value}
        redraws = "image" in shot_steps(changed)
        if redraws:
            check_quota(s, state, owner_of(s, project, user), project, images=1)
        pipeline.edit_shot(s, kinds_of(state), shot.id, **changes)
        if position is not None and position != shot.position:
            pipeline.move_shot(s, kinds_of(state), shot, position)
        within_quota(s, state, owner_of(s, project, user), project)
        return one_shot_out(s, state, shot)


@router.post(
    "/projects/{project_id}/shots/{shot_id}/split", status_code=201, response_model=SplitOut
)
def split_shot(
    project_id: str,
    shot_id: str,
    body: SplitIn,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Split a shot in two at an offset into its narration: it keeps the text before, a new
    shot right after it (same picture description, characters and settings) takes the rest.
    Both voices are made again; when the project has a pipeline the new shot's picture and
    motion are made (one image against the quota) and the render runs again."""

    def create(s: Session) -> SplitOut:
        project, shot = _writable_shot(s, user, project_id, shot_id)
        owner = owner_of(s, project, user)
        if pipeline.has_pipeline(s, project):
            check_quota(s, state, owner, project, images=1)
        added, _ = pipeline.split_shot(
            s, kinds_of(state), project, shot, body.at, priority=priority_of(state, owner)
        )
        within_quota(s, state, owner, project)
        return SplitOut(shots=[one_shot_out(s, state, shot), one_shot_out(s, state, added)])

    request = fingerprint("split", project_id, shot_id, body)
    return run_once(db, user, idempotency_key, request, create)


@router.post("/projects/{project_id}/shots/reorder", response_model=list[ShotOut])
def reorder_shots(
    project_id: str, body: ReorderIn, user: CurrentUser, state: StateDep, db: DbDep
) -> list[ShotOut]:
    """Put the shots in a new order (every shot id once); moved shots' motion runs again."""
    with db.write() as s:
        project = project_for(s, user, project_id, write=True)
        refuse_while_writing(s, project)
        pipeline.reorder_shots(s, kinds_of(state), project, body.shot_ids)
        return shots_out(s, state, project.id)


@router.delete("/projects/{project_id}/shots/{shot_id}", status_code=204, response_class=Response)
def delete_shot(
    project_id: str, shot_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> Response:
    """Delete a shot and its tasks; the render runs again without it."""
    with db.write() as s:
        _, shot = _writable_shot(s, user, project_id, shot_id)
        pipeline.delete_shot(s, kinds_of(state), shot)
    return Response(status_code=204)


# --- one step of one shot -------------------------------------------------------------------


def _rerun(
    state: AppState,
    db: DbDep,
    user: User,
    project_id: str,
    shot_id: str,
    kind: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    images: int = 0,
) -> Response:
    def create(s: Session) -> TaskOut:
        project, shot = _writable_shot(s, user, project_id, shot_id)
        owner = owner_of(s, project, user)
        if images:
            sides = [params[k] for k in ("width", "height") if k in params]
            check_quota(
                s,
                state,
                owner,
                project,
                images=images,
                resolution=min(sides) if sides else None,
                resolution_field="width/height",
            )
        task = pipeline.rerun_shot_step(
            s,
            kinds_of(state),
            project,
            shot,
            kind,
            params,
            priority=priority_of(state, owner),
        )
        return task_out(state, task)

    request = fingerprint("shot-step", project_id, shot_id, kind, params)
    return run_once(db, user, idempotency_key, request, create, status_code=202)


@router.post(
    "/projects/{project_id}/shots/{shot_id}/image", status_code=202, response_model=TaskOut
)
def generate_shot_image(
    project_id: str,
    shot_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    body: ImageIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Make the shot's picture again (optionally with another provider, model, seed, steps,
    guidance or size); its motion and the render follow."""
    params = body.model_dump(exclude_none=True) if body is not None else {}
    _provider(state, "image", params.get("provider"))
    return _rerun(state, db, user, project_id, shot_id, "image", params, idempotency_key, 1)


@router.post(
    "/projects/{project_id}/shots/{shot_id}/motion", status_code=202, response_model=TaskOut
)
def generate_shot_motion(
    project_id: str,
    shot_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    body: MotionIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Choose the shot's motion again (after its picture and voice); the render follows."""
    params = body.model_dump(exclude_none=True) if body is not None else {}
    _provider(state, "motion", params.get("provider"))
    return _rerun(state, db, user, project_id, shot_id, "motion", params, idempotency_key)


@router.post(
    "/projects/{project_id}/shots/{shot_id}/voice", status_code=202, response_model=TaskOut
)
def generate_shot_voice(
    project_id: str,
    shot_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    body: VoiceIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Speak the shot's narration again (optionally another voice or rate); its motion and the
    render follow."""
    params = body.model_dump(exclude_none=True) if body is not None else {}
    return _rerun(state, db, user, project_id, shot_id, "voice", params, idempotency_key)
