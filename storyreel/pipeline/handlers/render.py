"""The render task: the project's current shots, voices, moves and music as a timeline, rendered
to an MP4 with its subtitles, poster and contact sheet, all stored as the project's assets."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Render, Shot
from storyreel.db.repositories import projects as repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.db.types import new_id
from storyreel.domain.blob_keys import live_prefix, render_cache_prefix
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.timeline import Motion, Timeline
from storyreel.media.live import LiveStream
from storyreel.media.qc_report import QcReport
from storyreel.media.render import WAITING_STAGE, RenderProgress
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.handlers.common import load, put
from storyreel.pipeline.handlers.render_feed import ProjectFeed
from storyreel.pipeline.timeline import ShotMedia, build_timeline
from storyreel.providers.base import WordTiming
from storyreel.storage.base import BlobNotFound, BlobStore, StorageError
from storyreel.tasks.model import ACTIVE, PermanentError, RetryableError
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
    s: Session,
    project: Project,
    shots: list[Shot],
    place: PlaceFile,
    *,
    waiting: Collection[str] = (),
    stand_in: Path | None = None,
) -> ProjectMedia:
    """Each shot's picture (or clip), voice, timing and move, and the music bed — as files
    ``place`` puts where the timeline will point. Shots in ``waiting`` (their picture is still
    being made) show the ``stand_in`` picture."""
    media = []
    for shot in shots:
        made = shot_media(s, project, shot, place, stand_in if shot.id in waiting else None)
        if made is None:
            raise PermanentError(
                f"shot {shot.position + 1} has no picture or voice", code="missing_input"
            )
        media.append(made)
    key = music_key(s, project.id)
    return ProjectMedia(media, place(key, "music") if key else None)


def shot_media(
    s: Session, project: Project, shot: Shot, place: PlaceFile, picture_file: Path | None = None
) -> ShotMedia | None:
    """What was made for one shot, showing ``picture_file`` when given (None while its picture
    or voice is missing)."""
    picture = repo.asset(s, shot.clip_asset_id or shot.image_asset_id)
    narration = repo.asset(s, shot.voice_asset_id)
    if (picture is None and picture_file is None) or narration is None:
        return None
    if shot.voice_seconds is None:
        return None
    tag = f"{shot.position + 1:03d}-{shot.key}"
    if picture_file is None:
        assert picture is not None
        picture_file = place(picture.blob_key, f"{tag}-{'clip' if shot.clip_asset_id else 'image'}")
    return ShotMedia(
        image=picture_file,
        voice=place(narration.blob_key, f"{tag}-voice"),
        voice_seconds=shot.voice_seconds,
        motion=Motion.model_validate(shot.motion or {}),
        words=tuple(WordTiming(**w) for w in shot.words) if shot.words else None,
        subtitle_second=shot.original_narration if project.bilingual_subtitles else "",
    )


def quality_outcome(
    report: QcReport | None, on_failure: Literal["attention", "fail"]
) -> str | None:
    """What the quality check makes of the render: "ok", "attention", or (``on_failure`` =
    "fail") a permanent failure before anything is stored."""
    if report is None:
        return None
    outcome = report.outcome(on_failure)
    if outcome == "failed":
        raise PermanentError(
            f"the video failed its quality check: {report.summary} (STORYREEL_QC__ON_FAILURE="
            "attention keeps such a video, marked as needing attention)",
            code="quality_check_failed",
        )
    return outcome


def _live_stream(
    services: PipelineServices, project_id: str, task_id: str, work: Path
) -> LiveStream:
    """This render's live playlist, published under the project; the live files of its earlier
    renders that have finished are removed (one playlist per running render at most)."""
    store = services.pipeline.store
    _drop_finished_live(services, project_id)
    prefix = live_prefix(project_id, task_id)

    def publish(name: str, path: Path) -> None:
        store.put(f"{prefix}/{name}", path)

    return LiveStream(
        ffmpeg=services.pipeline.renderer.ffmpeg,
        work=work / "live",
        publish=publish,
        timeout_s=services.pipeline.settings.render_timeout_s,
    )


def _drop_finished_live(services: PipelineServices, project_id: str) -> None:
    store = services.pipeline.store
    root = live_prefix(project_id, "") + "/"
    try:
        task_ids = {k.key[len(root) :].split("/", 1)[0] for k in store.iter_keys(root)}
    except NotImplementedError:  # a store that cannot list keeps them until the project goes
        return
    with services.db.session() as s:
        active = {t.id for t in tasks_repo.get_many(s, task_ids) if t.status in ACTIVE}
    for task_id in task_ids - active:
        store.delete_prefix(live_prefix(project_id, task_id) + "/")


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
    project, _, board = load(services, ctx)
    settings = services.pipeline.settings
    store = services.pipeline.store

    def in_store(key: str, name: str) -> Path:
        try:
            return store.local_file(key)
        except BlobNotFound:
            raise RetryableError(f"{name} file {key} is not in the blob store") from None

    quality = str(ctx.params.get("quality", project.quality))

    def build(
        s: Session,
        project: Project,
        shots: list[Shot],
        board: Storyboard,
        waiting: set[str],
        stand_in: Path,
    ) -> tuple[Timeline, Path]:
        media = project_media(s, project, shots, in_store, waiting=waiting, stand_in=stand_in)
        base = files_root(media)
        return project_timeline(board, media, quality, base), base

    work_root = settings.data_dir / "work"
    for earlier in work_root.glob(f"render-{ctx.task_id}-*"):  # left by a killed attempt
        shutil.rmtree(earlier, ignore_errors=True)
    work = work_root / f"render-{ctx.task_id}-{ctx.claim.fence}"
    work.mkdir(parents=True, exist_ok=True)
    live = _live_stream(services, project.id, ctx.task_id, work) if settings.live_playback else None
    try:
        feed = ProjectFeed(services, project.id, work=work, build=build, cancel=ctx.cancel)
        inputs = feed.current()
        frames = max(1, round(sum(c.duration for c in inputs.timeline.clips) * 30))

        def on_progress(p: RenderProgress) -> None:
            stage = p.stage
            if stage == WAITING_STAGE:
                got = feed.readiness
                stage = f"{stage}: {len(got.ready)} of {got.total} shots ready"
            ctx.progress(100.0 * p.done_frames / max(1, p.total_frames or frames), stage)

        renderer = services.pipeline.renderer
        common: dict[str, Any] = {
            "jobs": settings.render_jobs,
            "cancel": ctx.cancel,
            "on_progress": on_progress,
            "shared": (
                StoredRenderCache(store, render_cache_prefix(project.id))
                if services.pipeline.shares_render_cache
                else None
            ),
            "live": live,
        }
        out = work / "video.mp4"
        if inputs.complete:
            result = renderer.render(inputs.timeline, inputs.sources, out, **common)
        else:
            result = renderer.render_as_ready(feed, out, **common)
        board = feed.board or board
        outcome = quality_outcome(result.qc, settings.qc.on_failure)
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
        if live is not None:
            live.close()
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
                qc_report=result.qc.to_dict() if result.qc is not None else None,
                qc_outcome=outcome,
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
        # Encoded while pictures were still being made (``render_as_ready``).
        "early_segments": list(result.early_segments),
        "audio_reused": result.audio_reused,
        # The quality check: "ok", "attention" (reasons in qc_summary) or None (not checked).
        "qc_outcome": outcome,
        "qc_summary": result.qc.summary if result.qc is not None else "",
    }
