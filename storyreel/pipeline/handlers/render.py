"""The render task: the project's current shots, voices, moves and music as a timeline, rendered
to an MP4 with its subtitles, poster and contact sheet, all stored as the project's assets."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Render, Shot
from storyreel.db.repositories import projects as repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.types import new_id
from storyreel.domain.blob_keys import render_cache_prefix
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.timeline import Motion, Timeline
from storyreel.media.render import RenderProgress
from storyreel.media.sources import resolve_sources
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.handlers.common import load, put
from storyreel.pipeline.timeline import ShotMedia, build_timeline
from storyreel.providers.base import WordTiming
from storyreel.storage.base import BlobNotFound, BlobStore, StorageError
from storyreel.tasks.model import PermanentError, RetryableError
from storyreel.tasks.runner import TaskContext

log = logging.getLogger(__name__)

#: Where a blob's file is for the timeline: ``(blob key, a name for it) -> path``.
PlaceFile = Callable[[str, str], Path]


@dataclass(frozen=True)
class StoredRenderCache:
    """The renderer's ``SharedRenderCache`` on the blob store, for workers that share nothing
    but the services: a segment one worker encoded is fetched by the next render of the
    project on any worker (after an edit, or when a killed render is taken over)."""

    store: BlobStore
    prefix: str

    def fetch(self, name: str, dest: Path) -> bool:
        try:
            with self.store.open(f"{self.prefix}/{name}") as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
        except BlobNotFound:
            return False
        except (StorageError, OSError) as exc:  # a miss costs an encode, never the render
            log.warning("could not fetch shared render file %s: %s", name, exc)
            return False
        return True

    def publish(self, name: str, src: Path) -> None:
        try:
            self.store.put_new(f"{self.prefix}/{name}", src)
        except (StorageError, OSError) as exc:
            log.warning("could not share render file %s: %s", name, exc)


@dataclass(frozen=True)
class ProjectMedia:
    """What the project's timeline is built from, with paths from a ``PlaceFile``."""

    shots: list[ShotMedia]
    music: Path | None


def music_key(s: Session, project_id: str) -> str | None:
    for task in tasks_repo.for_project(s, project_id):
        if task.kind == "music" and task.status == "succeeded" and task.result:
            key = task.result.get("blob_key")
            return str(key) if key else None
    return None


def project_media(
    s: Session, project: Project, shots: list[Shot], place: PlaceFile
) -> ProjectMedia:
    """Each shot's picture (or clip), voice, timing and move, and the music bed — as files
    ``place`` puts where the timeline will point."""
    media = []
    for shot in shots:
        picture = repo.asset(s, shot.clip_asset_id or shot.image_asset_id)
        narration = repo.asset(s, shot.voice_asset_id)
        if picture is None or narration is None or shot.voice_seconds is None:
            raise PermanentError(
                f"shot {shot.position + 1} has no picture or voice", code="missing_input"
            )
        tag = f"{shot.position + 1:03d}-{shot.key}"
        media.append(
            ShotMedia(
                image=place(picture.blob_key, f"{tag}-{'clip' if shot.clip_asset_id else 'image'}"),
                voice=place(narration.blob_key, f"{tag}-voice"),
                voice_seconds=shot.voice_seconds,
                motion=Motion.model_validate(shot.motion or {}),
                words=tuple(WordTiming(**w) for w in shot.words) if shot.words else None,
                subtitle_second=shot.original_narration if project.bilingual_subtitles else "",
            )
        )
    key = music_key(s, project.id)
    return ProjectMedia(media, place(key, "music") if key else None)


def files_root(media: ProjectMedia) -> Path:
    """The folder every one of the media's files is under."""
    files = [p for m in media.shots for p in (m.image, m.voice)]
    if media.music is not None:
        files.append(media.music)
    return Path(os.path.commonpath([str(p.parent) for p in files]))


def project_timeline(
    board: Storyboard, media: ProjectMedia, quality: str, base_dir: Path
) -> Timeline:
    """The render timeline, its paths relative to ``base_dir``."""
    return build_timeline(
        board,
        media.shots,
        base_dir=base_dir,
        music=media.music,
        quality="preview" if quality == "preview" else "final",
    )


def render(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    project, shots, board = load(services, ctx)
    store = services.pipeline.store

    def in_store(key: str, name: str) -> Path:
        try:
            return store.local_file(key)
        except BlobNotFound:
            raise RetryableError(f"{name} file {key} is not in the blob store") from None

    with services.db.session() as s:
        media = project_media(s, project, shots, in_store)
    quality = str(ctx.params.get("quality", project.quality))
    base = files_root(media)
    timeline = project_timeline(board, media, quality, base)
    sources, problems = resolve_sources(
        json.loads(timeline.model_dump_json()), base, allowed_roots=[]
    )
    if problems:
        raise RetryableError(f"render inputs are missing: {problems[0].message}")
    work_root = services.pipeline.settings.data_dir / "work"
    for earlier in work_root.glob(f"render-{ctx.task_id}-*"):  # left by a killed attempt
        shutil.rmtree(earlier, ignore_errors=True)
    work = work_root / f"render-{ctx.task_id}-{ctx.claim.fence}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        frames = max(1, round(sum(c.duration for c in timeline.clips) * 30))

        def on_progress(p: RenderProgress) -> None:
            ctx.progress(100.0 * p.done_frames / max(1, p.total_frames or frames), p.stage)

        result = services.pipeline.renderer.render(
            timeline,
            sources,
            work / "video.mp4",
            jobs=services.pipeline.settings.render_jobs,
            cancel=ctx.cancel,
            on_progress=on_progress,
            shared=(
                StoredRenderCache(store, render_cache_prefix(project.id))
                if services.pipeline.shares_render_cache
                else None
            ),
        )
        prefix = f"projects/{project.id}/renders"
        files = {
            "video": result.video,
            "poster": result.poster,
            "contact_sheet": result.contact_sheet,
            "srt": result.srt,
        }
        video_meta = {"duration": result.duration, "width": result.width, "height": result.height}
        assets = {
            kind: put(services, project, kind, path, prefix, video_meta if kind == "video" else {})[
                0
            ]
            for kind, path in files.items()
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    render_id = new_id()

    def record(s: Session) -> None:
        for a in assets.values():
            s.add(a)
        s.flush()
        s.add(
            Render(
                id=render_id,
                project_id=project.id,
                task_id=ctx.task_id,
                quality=quality,
                video_asset_id=assets["video"].id,
                poster_asset_id=assets["poster"].id,
                contact_sheet_asset_id=assets["contact_sheet"].id,
                srt_asset_id=assets["srt"].id,
                duration=result.duration,
                width=result.width,
                height=result.height,
                size_bytes=result.size_bytes,
                segments_encoded=len(result.encoded_segments),
                segments_reused=result.reused_segments,
            )
        )

    ctx.on_success(record)
    return {
        "render_id": render_id,
        "quality": quality,
        "title": board.title,
        "shots": len(board.shots),
        # ``asset_id`` names the video, as every task that makes one does (its ``url`` follows).
        "asset_id": assets["video"].id,
        **{f"{kind}_asset_id": a.id for kind, a in assets.items()},
        "video": assets["video"].blob_key,
        "duration": result.duration,
        "width": result.width,
        "height": result.height,
        "size_bytes": result.size_bytes,
        "segments_encoded": len(result.encoded_segments),
        "segments_reused": result.reused_segments,
        "segment_keys": list(result.segment_keys),
        "encoded_segments": list(result.encoded_segments),
        "fetched_segments": list(result.fetched_segments),
        "audio_reused": result.audio_reused,
    }
