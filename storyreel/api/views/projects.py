"""How a project looks through the API: a summary for lists, and the whole of it (shots,
characters, latest render, current tasks) for one."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from storyreel.api.deps import AppState
from storyreel.api.views.assets import AssetOut, asset_out, download_name
from storyreel.api.views.characters import CharacterOut, characters_out
from storyreel.api.views.renders import RenderOut, render_assets, render_out
from storyreel.api.views.shots import ShotOut, shots_out
from storyreel.api.views.tasks import TaskState, task_state
from storyreel.db.models import Asset, Project, Render, User
from storyreel.db.repositories import projects as repo

ProjectStatus = Literal["draft", "running", "failed", "done"]
Access = Literal["write", "read"]


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
    bilingual_subtitles: bool = Field(
        description="Subtitles in two languages: each shot's `original_narration` (a "
        "translated project's) as a second, smaller line under its narration."
    )
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
        bilingual_subtitles=project.bilingual_subtitles,
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
