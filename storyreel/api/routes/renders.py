"""Renders: ask for a preview or final render of a project (after whatever steps are missing),
and list the renders with their files (video, poster, contact sheet, subtitles)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api.deps import (
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    kinds_of,
    owner_of,
    priority_of,
    project_for,
)
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.api.views.renders import RenderOut, render_out
from storyreel.api.views.tasks import TaskOut, task_out
from storyreel.db.models import Project
from storyreel.db.repositories import projects as repo
from storyreel.media.plan import output_size
from storyreel.pipeline.project import plan_render
from storyreel.pipeline.timeline import CANVAS_SIZES

router = APIRouter(tags=["renders"])


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quality: Literal["preview", "final"] | None = Field(
        None, description="preview: small and fast; final: full size. The project's by default."
    )


def _resolution(project: Project, quality: str) -> int:
    """The shorter side of the video this render makes (what ``max_resolution`` limits)."""
    width, height = CANVAS_SIZES.get(project.aspect, CANVAS_SIZES["16:9"])
    return min(output_size(width, height, quality))


@router.post("/projects/{project_id}/render", status_code=202, response_model=TaskOut)
def render_project(
    project_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    body: RenderIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Render the project: missing or failed steps run first; answers the render task."""
    request = body or RenderIn()

    def create(s: Session) -> TaskOut:
        project = project_for(s, user, project_id, write=True)
        quality = request.quality or ("preview" if project.quality == "preview" else "final")
        owner = owner_of(s, project, user)
        shots = repo.shots(s, project.id)
        # Before anything runs, the storyboard's hints are the best guess of the length.
        seconds = sum(shot.duration_hint for shot in shots)
        check_quota(
            s,
            state,
            owner,
            project,
            images=sum(1 for shot in shots if shot.image_asset_id is None),
            videos=1,
            render_seconds=seconds,
            resolution=_resolution(project, quality),
            duration_s=seconds,
            duration_field="shots",
            resolution_field="quality",
        )
        task = plan_render(
            s,
            kinds_of(state),
            project,
            quality=quality,
            priority=priority_of(state, owner),
        )
        return task_out(state, task)

    key = fingerprint("render", project_id, request)
    return run_once(db, user, idempotency_key, key, create, status_code=202)


@router.get("/projects/{project_id}/renders", response_model=Page[RenderOut])
def list_renders(
    project_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[RenderOut]:
    """A project's renders, newest first, each with signed links to its files."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        renders = repo.renders(s, project.id)
        shown = renders[(page - 1) * page_size : page * page_size]
        assets = repo.assets(
            s,
            [
                a
                for r in shown
                for a in (
                    r.video_asset_id,
                    r.poster_asset_id,
                    r.contact_sheet_asset_id,
                    r.srt_asset_id,
                )
            ],
        )
        title = project.title
    return Page[RenderOut](
        items=[render_out(state, r, assets, title) for r in shown],
        page=page,
        page_size=page_size,
        total=len(renders),
    )
