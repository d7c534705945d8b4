"""How projects, shots, characters, assets and renders look through the API: the response
schemas the project routers share (the renders and assets routers use ``AssetOut`` and
``RenderOut`` too), the functions that build them from rows, and the few helpers those
routers share (error mapping, whose quota and priority)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import AppState
from storyreel.auth import quotas
from storyreel.db.models import Asset, Character, Project, ProjectMember, Render, Shot, Task, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import projects as repo
from storyreel.domain.styles import UnknownStyle
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.project import NotReady, storyboard_pending
from storyreel.providers.registry import ProviderRegistry
from storyreel.tasks.kinds import KindRegistry

ProjectStatus = Literal["draft", "running", "failed", "done"]
Access = Literal["write", "read"]


class AssetOut(BaseModel):
    id: str
    kind: str = Field(examples=["video"])
    mime: str = Field(examples=["video/mp4"])
    size: int = Field(description="Bytes.")
    created_at: datetime
    url: str = Field(
        description="A signed download link, relative to this server, valid for a few minutes."
    )


class RenderOut(BaseModel):
    id: str
    quality: str = Field(examples=["final"])
    duration: float = Field(description="Seconds.")
    width: int
    height: int
    size_bytes: int
    created_at: datetime
    task_id: str | None
    video: AssetOut | None
    poster: AssetOut | None
    contact_sheet: AssetOut | None
    srt: AssetOut | None


class TaskState(BaseModel):
    """The current task of one step: enough to show progress; ``GET /tasks/{id}`` has the rest."""

    id: str
    status: str
    progress: float
    finished_at: datetime | None = Field(description="When it last finished.")


class ShotOut(BaseModel):
    id: str
    position: int = Field(description="0-based order in the video.")
    key: str = Field(description="The storyboard's id for the shot.")
    scene: int
    narration: str
    visual_prompt: str
    negative_prompt: str
    shot_type: str
    camera_motion: str
    characters: list[str] = Field(description="Keys of the characters in the shot.")
    setting: str
    mood: str
    time_of_day: str
    duration_hint: float
    voice_seconds: float | None
    motion: dict[str, Any] | None = Field(description="The renderer's move for the shot.")
    image: AssetOut | None
    voice: AssetOut | None
    clip: AssetOut | None
    tasks: dict[str, TaskState] = Field(
        description="The shot's current image, voice and motion tasks, by kind."
    )
    updated_at: datetime


class CharacterOut(BaseModel):
    id: str
    key: str = Field(description="What shots name in their `characters`.")
    name: str
    description: str
    color: str
    reference: AssetOut | None


class ProjectSummary(BaseModel):
    id: str
    title: str
    style: str
    aspect: str
    language: str
    quality: str
    auto: bool
    status: ProjectStatus = Field(
        description="running: work in flight; failed: a step failed; done: rendered; "
        "draft: none of these."
    )
    owner_id: str | None
    access: Access = Field(description="write: yours; read: shared with you.")
    created_at: datetime
    updated_at: datetime
    shot_count: int = Field(description="Shots in the storyboard (0 before it is written).")
    poster: AssetOut | None = Field(
        description="The poster frame of the latest render (null before the first render)."
    )
    duration: float | None = Field(
        description="Seconds of the latest render (null before the first render)."
    )


class ProjectOut(ProjectSummary):
    story: str
    detected_language: str | None
    voice: str
    voice_rate: float
    music: str | None
    target_seconds: float | None
    max_shots: int
    seed: int
    budget: float | None = Field(
        description="What the owner lets this project's provider calls cost in all (null: "
        "no limit of its own); see GET /projects/{id}/cost."
    )
    routing: dict[str, Any] = Field(
        description="The project's provider routes by capability, over the owner's and the "
        "system's ({} when it follows them)."
    )
    storyboard_task_id: str | None = Field(
        description="The task writing (or that wrote) the storyboard."
    )
    shots: list[ShotOut]
    characters: list[CharacterOut]
    latest_render: RenderOut | None
    tasks: dict[str, TaskState] = Field(
        description="The project-wide current tasks (storyboard, music, render), by kind."
    )
    task_counts: dict[str, int] = Field(description="Current tasks by status.")


class MemberOut(BaseModel):
    user_id: str
    email: str
    display_name: str
    role: str = Field(examples=["viewer"])
    created_at: datetime


# --- builders -------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(title: str, kind: str, blob_key: str) -> str:
    """``My story.mp4``, ``My story - poster.jpg``: files named after the project."""
    stem = _UNSAFE_NAME.sub(" ", title).strip(" .")[:100] or "storyreel"
    suffix = PurePosixPath(blob_key).suffix
    label = "" if kind == "video" else f" - {kind.replace('_', ' ')}"
    return f"{stem}{label}{suffix}"


def asset_out(state: AppState, asset: Asset, filename: str | None = None) -> AssetOut:
    from storyreel.api import signing  # written beside this module; imported when used

    return AssetOut(
        id=asset.id,
        kind=asset.kind,
        mime=asset.mime,
        size=asset.size,
        created_at=asset.created_at,
        url=signing.asset_url(state, asset.id, filename),
    )


def render_out(
    state: AppState, render: Render, assets: dict[str, Asset], title: str | None = None
) -> RenderOut:
    """``assets``: the render's assets by id (``repo.assets``); ``title`` names the files."""

    def one(asset_id: str | None, kind: str) -> AssetOut | None:
        asset = assets.get(asset_id) if asset_id else None
        if asset is None:
            return None
        name = download_name(title, kind, asset.blob_key) if title is not None else None
        return asset_out(state, asset, name)

    return RenderOut(
        id=render.id,
        quality=render.quality,
        duration=render.duration,
        width=render.width,
        height=render.height,
        size_bytes=render.size_bytes,
        created_at=render.created_at,
        task_id=render.task_id,
        video=one(render.video_asset_id, "video"),
        poster=one(render.poster_asset_id, "poster"),
        contact_sheet=one(render.contact_sheet_asset_id, "contact_sheet"),
        srt=one(render.srt_asset_id, "srt"),
    )


def render_assets(s: Session, render: Render) -> dict[str, Asset]:
    return repo.assets(
        s,
        [
            render.video_asset_id,
            render.poster_asset_id,
            render.contact_sheet_asset_id,
            render.srt_asset_id,
        ],
    )


def task_state(task: Task) -> TaskState:
    return TaskState(
        id=task.id, status=task.status, progress=task.progress, finished_at=task.finished_at
    )


def shot_out(
    state: AppState,
    shot: Shot,
    assets: dict[str, Asset],
    current: dict[tuple[str | None, str], Task],
) -> ShotOut:
    def media(asset_id: str | None) -> AssetOut | None:
        asset = assets.get(asset_id) if asset_id else None
        return asset_out(state, asset) if asset is not None else None

    return ShotOut(
        id=shot.id,
        position=shot.position,
        key=shot.key,
        scene=shot.scene,
        narration=shot.narration,
        visual_prompt=shot.visual_prompt,
        negative_prompt=shot.negative_prompt,
        shot_type=shot.shot_type,
        camera_motion=shot.camera_motion,
        characters=list(shot.characters or []),
        setting=shot.setting,
        mood=shot.mood,
        time_of_day=shot.time_of_day,
        duration_hint=shot.duration_hint,
        voice_seconds=shot.voice_seconds,
        motion=shot.motion,
        image=media(shot.image_asset_id),
        voice=media(shot.voice_asset_id),
        clip=media(shot.clip_asset_id),
        tasks={
            kind: task_state(t)
            for kind in ("image", "voice", "motion")
            if (t := current.get((shot.id, kind))) is not None
        },
        updated_at=shot.updated_at,
    )


def shots_out(s: Session, state: AppState, project_id: str) -> list[ShotOut]:
    shots = repo.shots(s, project_id)
    assets = repo.assets(
        s, [a for x in shots for a in (x.image_asset_id, x.voice_asset_id, x.clip_asset_id)]
    )
    current = repo.current_tasks(s, project_id)
    return [shot_out(state, x, assets, current) for x in shots]


def one_shot_out(s: Session, state: AppState, shot: Shot) -> ShotOut:
    assets = repo.assets(s, [shot.image_asset_id, shot.voice_asset_id, shot.clip_asset_id])
    return shot_out(state, shot, assets, repo.current_tasks(s, shot.project_id))


def character_out(state: AppState, character: Character, assets: dict[str, Asset]) -> CharacterOut:
    reference = assets.get(character.reference_asset_id) if character.reference_asset_id else None
    return CharacterOut(
        id=character.id,
        key=character.key,
        name=character.name,
        description=character.description,
        color=character.color,
        reference=asset_out(state, reference) if reference is not None else None,
    )


def characters_out(s: Session, state: AppState, project_id: str) -> list[CharacterOut]:
    characters = repo.characters(s, project_id)
    assets = repo.assets(s, [c.reference_asset_id for c in characters])
    return [character_out(state, c, assets) for c in characters]


def access_of(user: User, project: Project) -> Access:
    """What ``user`` may do with a project they can see (mirrors ``policy.project_access``)."""
    if user.role == "admin":
        return "write"
    if project.owner_id == user.id:
        return "write" if user.role != "viewer" else "read"
    return "read"


def _poster_out(state: AppState, project: Project, poster: Asset | None) -> AssetOut | None:
    if poster is None:
        return None
    return asset_out(state, poster, download_name(project.title, "poster", poster.blob_key))


def summary_fields(
    state: AppState,
    project: Project,
    status: str,
    user: User,
    *,
    shot_count: int,
    render: Render | None,
    poster: Asset | None,
) -> dict[str, Any]:
    """``render``: the project's latest; ``poster``: that render's poster asset."""
    return {
        "id": project.id,
        "title": project.title,
        "style": project.style,
        "aspect": project.aspect,
        "language": project.language,
        "quality": project.quality,
        "auto": project.auto,
        "status": status,
        "owner_id": project.owner_id,
        "access": access_of(user, project),
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "shot_count": shot_count,
        "poster": _poster_out(state, project, poster),
        "duration": render.duration if render is not None else None,
    }


def project_summaries(
    s: Session, state: AppState, rows: list[tuple[Project, str]], user: User
) -> list[ProjectSummary]:
    """A page of projects (with their statuses): shot counts and latest renders with their
    posters are read for the whole page at once, in two queries."""
    ids = [p.id for p, _ in rows]
    counts = repo.shot_counts(s, ids)
    latest = repo.latest_renders(s, ids)
    out = []
    for project, status in rows:
        render, poster = latest.get(project.id, (None, None))
        fields = summary_fields(
            state,
            project,
            status,
            user,
            shot_count=counts.get(project.id, 0),
            render=render,
            poster=poster,
        )
        out.append(ProjectSummary(**fields))
    return out


def project_out(s: Session, state: AppState, project: Project, user: User) -> ProjectOut:
    current = repo.current_tasks(s, project.id)
    counts: dict[str, int] = {}
    for t in current.values():
        counts[t.status] = counts.get(t.status, 0) + 1
    render = repo.latest_render(s, project.id)
    assets = render_assets(s, render) if render is not None else {}
    poster = assets.get(render.poster_asset_id or "") if render is not None else None
    storyboard = current.get((None, "storyboard"))
    shots = shots_out(s, state, project.id)
    return ProjectOut(
        **summary_fields(
            state,
            project,
            repo.status(s, project.id),
            user,
            shot_count=len(shots),
            render=render,
            poster=poster,
        ),
        story=project.story,
        detected_language=project.detected_language,
        voice=project.voice,
        voice_rate=project.voice_rate,
        music=project.music,
        target_seconds=project.target_seconds,
        max_shots=project.max_shots,
        seed=project.seed,
        budget=project.budget,
        routing=project.routing or {},
        storyboard_task_id=storyboard.id if storyboard is not None else None,
        shots=shots,
        characters=characters_out(s, state, project.id),
        latest_render=render_out(state, render, assets, project.title)
        if render is not None
        else None,
        tasks={
            kind: task_state(t)
            for (shot_id, kind), t in current.items()
            if shot_id is None and kind in ("storyboard", "music", "render")
        },
        task_counts=counts,
    )


def member_out(member: ProjectMember, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=member.role,
        created_at=member.created_at,
    )


# --- helpers the project routers share --------------------------------------------------------


def kinds_of(state: AppState) -> KindRegistry:
    return state.platform.kinds


def pipeline_of(state: AppState) -> PipelineContext:
    """The providers, blob store and result cache the pipeline's steps use."""
    return state.platform.pipeline


def providers_of(state: AppState) -> ProviderRegistry:
    return pipeline_of(state).registry


def owner_of(s: Session, project: Project, user: User) -> User:
    """Whose quotas and plan priority the project's work counts against: its owner's."""
    if project.owner_id is None or project.owner_id == user.id:
        return user
    return accounts_repo.user(s, project.owner_id) or user


def priority_of(state: AppState, user: User) -> int:
    return quotas.priority_for(state.settings, user)


def field_error(field: str, message: str) -> errors.Unprocessable:
    return errors.Unprocessable(message, errors=[errors.FieldError(field=field, message=message)])


@contextmanager
def pipeline_errors(field: str = "body") -> Iterator[None]:
    """The pipeline's refusals as API errors: not now → 409, bad values → 422."""
    try:
        yield
    except NotReady as exc:
        raise errors.Conflict(str(exc)) from exc
    except UnknownStyle as exc:
        raise field_error("style", str(exc)) from exc
    except ValidationError as exc:
        problems = [
            errors.FieldError(
                field=".".join(str(p) for p in e.get("loc", ())) or field,
                message=str(e.get("msg", "invalid")),
            )
            for e in exc.errors()
        ]
        raise errors.Unprocessable(
            f"the change is not valid: {problems[0].message if problems else exc}",
            errors=problems,
        ) from exc
    except ValueError as exc:
        raise field_error(field, str(exc)) from exc


def refuse_while_writing(s: Session, project: Project) -> None:
    """Edits to shots or characters would be replaced by the storyboard being written."""
    if storyboard_pending(s, project):
        raise errors.Conflict(
            "the storyboard is still being written and will replace the shots and characters; "
            "wait for it to finish"
        )
