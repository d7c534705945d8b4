"""Whole projects: create one with its first task, change its settings, duplicate, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Project, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.feeds import PROJECT_FEEDS
from storyreel.domain.project import ProjectOptions
from storyreel.domain.styles import get_style
from storyreel.pipeline.errors import Conflict, InvalidInput
from storyreel.pipeline.project.dag import storyboard_pending, submitter
from storyreel.pipeline.project.rows import (
    character_of,
    character_row,
    options_of,
    project_row,
    shot_of,
    shot_row,
)
from storyreel.tasks import service
from storyreel.tasks.dispatch import revoke
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import TaskSpec


def title_from(story: str) -> str:
    first = story.strip().splitlines()[0] if story.strip() else "Untitled"
    first = first.lstrip("#").strip()  # a Markdown heading
    return first[:60].strip() or "Untitled"


def create_project(
    session: Session,
    kinds: KindRegistry,
    story: str,
    options: ProjectOptions,
    *,
    owner_id: str | None = None,
    idempotency_key: str | None = None,
    priority: int = 0,
    origin: str | None = None,
) -> tuple[Project, Task]:
    """Record the project and its first task (the storyboard); the rest of the DAG is planned
    when the storyboard exists, because only then is the number of shots known — and only for
    ``auto`` projects. ``priority`` is the owner's plan's, inherited by every task planned.
    ``origin`` says where the project came from (``make:/path/film.mp4``)."""
    if idempotency_key:
        existing = tasks_repo.by_idempotency_key(session, idempotency_key)
        if existing is not None and existing.project_id is not None:
            earlier = projects_repo.get(session, existing.project_id)
            if earlier is not None:
                return earlier, existing
    project = project_row(
        story,
        options,
        title=(options.title or title_from(story))[:200],
        owner_id=owner_id,
        origin=origin,
    )
    session.add(project)
    session.flush()
    task = service.submit(
        session,
        TaskSpec(
            kind="storyboard",
            params={"project_id": project.id},
            project_id=project.id,
            owner_id=owner_id,
            idempotency_key=idempotency_key,
            priority=priority,
        ),
        kinds,
    )
    return project, task


def update_project(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    *,
    priority: int = 0,
    **changes: Any,
) -> list[Task]:
    """Change project settings; the steps fed by what changed run again (current tasks only).
    Music asked for after a render without any is planned into that render."""
    unknown = set(changes) - set(PROJECT_FEEDS)
    if unknown:
        raise InvalidInput(f"cannot edit {sorted(unknown)}; editable: {sorted(PROJECT_FEEDS)}")
    if "style" in changes:
        changes["style"] = get_style(changes["style"]).name
    stale: set[str] = set()
    for name, value in changes.items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            step = PROJECT_FEEDS[name]
            if step is not None:
                stale.add(step)
    session.flush()
    current = projects_repo.current_tasks(session, project.id)
    targets = [t.id for (_, kind), t in current.items() if kind in stale]
    render = current.get((None, "render"))
    missing_music = (
        "music" in stale and project.music not in (None, "none") and (None, "music") not in current
    )
    if missing_music and render is not None:
        music = submitter(session, kinds, project, priority)("music", [])
        deps = tasks_repo.dependency_ids(session, render.id)
        tasks_repo.set_dependencies(session, render.id, [*deps, music.id])
        targets.append(render.id)
    return service.invalidate(session, targets, kinds)


def _copy_asset(session: Session, asset: Asset | None, project: Project) -> Asset | None:
    # Blobs are content-addressed and immutable: the copy points at the same key.
    if asset is None:
        return None
    copy = Asset(
        owner_id=project.owner_id,
        project_id=project.id,
        kind=asset.kind,
        blob_key=asset.blob_key,
        mime=asset.mime,
        size=asset.size,
        sha256=asset.sha256,
        meta=dict(asset.meta or {}),
    )
    session.add(copy)
    session.flush()
    return copy


# Besides the storyboard fields: what a copy keeps of each shot (what was made for it).
# What a shot's steps (or a translation: the narration it was translated from, for bilingual
# subtitles) made, copied along with its media.
_SHOT_MADE = ("motion", "voice_seconds", "words", "original_narration")


def duplicate_project(
    session: Session, project: Project, *, owner_id: str | None, title: str | None = None
) -> Project:
    """A copy with the same shots, characters and generated media (shared by reference), and
    no tasks or renders: its steps run when they are asked for."""
    if storyboard_pending(session, project):
        raise Conflict("the storyboard is still being written; duplicate it when it is done")
    options = options_of(project)
    copy = project_row(
        project.story,
        options,
        title=(title or f"{project.title} (copy)")[:200],
        owner_id=owner_id,
        detected_language=project.detected_language,
    )
    session.add(copy)
    session.flush()
    originals = projects_repo.characters(session, project.id)
    shots = projects_repo.shots(session, project.id)
    media = projects_repo.assets(
        session,
        [c.reference_asset_id for c in originals]
        + [a for s in shots for a in (s.image_asset_id, s.voice_asset_id, s.clip_asset_id)],
    )
    copied: dict[str, Asset] = {}

    def asset_id(original_id: str | None) -> str | None:
        if original_id is None or original_id not in media:
            return None
        if original_id not in copied:
            made = _copy_asset(session, media[original_id], copy)
            assert made is not None
            copied[original_id] = made
        return copied[original_id].id

    for c in originals:
        session.add(
            character_row(
                copy.id, character_of(c), reference_asset_id=asset_id(c.reference_asset_id)
            )
        )
    for s in shots:
        session.add(
            shot_row(
                copy.id,
                s.position,
                shot_of(s),
                image_asset_id=asset_id(s.image_asset_id),
                voice_asset_id=asset_id(s.voice_asset_id),
                clip_asset_id=asset_id(s.clip_asset_id),
                **{name: getattr(s, name) for name in _SHOT_MADE},
            )
        )
    session.flush()
    return copy


def delete_project(session: Session, project: Project) -> list[str]:
    """Delete the project (its work stops) and return the blob keys only it referenced, to be
    removed from the store once this transaction has committed."""
    for t in projects_repo.active_tasks(session, project.id):
        if t.status == "running":
            revoke(session, t)
    keys = set(projects_repo.blob_keys(session, project.id))
    keys -= projects_repo.blob_keys_used_elsewhere(session, keys, project.id)
    projects_repo.delete_project(session, project.id)
    return sorted(keys)
