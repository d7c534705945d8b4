"""One handler per task kind: the only place the engine meets providers, media and storage.

A handler reads what it needs in a short session, does the slow work with no transaction open,
puts its files into the blob store under content-addressed keys (so a task that runs twice
writes the same blob), and records rows through ``ctx.on_success`` — applied in the fenced
transaction that marks the task succeeded, so a stale runner's rows never land.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Project, Render, Shot, UsageRecord
from storyreel.db.repositories import projects as repo
from storyreel.db.session import Database
from storyreel.db.types import new_id
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import get_style
from storyreel.domain.timeline import Motion, TimelineError
from storyreel.media.ffmpeg import FFmpegError
from storyreel.media.sources import resolve_sources
from storyreel.pipeline import generations, steps
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.costs import BudgetExceeded, usage_record
from storyreel.pipeline.ingest import StoryError
from storyreel.pipeline.make import (
    MakeOptions,
    fit_to_length,
    make_storyboard,
    mood_for,
    music_seconds,
)
from storyreel.pipeline.project import board_of, shot_of, store_storyboard
from storyreel.pipeline.scope import account_scope
from storyreel.pipeline.timeline import CANVAS_SIZES, ShotMedia, build_timeline
from storyreel.providers.base import (
    Capability,
    MotionSpec,
    ProviderError,
    ProviderNotConfigured,
    Usage,
    VoiceSpec,
    WordTiming,
)
from storyreel.providers.router import CallScope, NoProviderAvailable, layered_route
from storyreel.storage.base import BlobNotFound, BlobRef, put_content
from storyreel.tasks.kinds import KindPolicy, KindRegistry
from storyreel.tasks.model import PermanentError, RetryableError, TaskFailure
from storyreel.tasks.runner import TaskContext

MIME = {
    ".png": "image/png",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".srt": "application/x-subrip",
    ".json": "application/json",
}


@dataclass
class PipelineServices:
    """What handlers share in one process: providers and storage, the database, the kinds."""

    pipeline: PipelineContext
    db: Database
    kinds: KindRegistry


def _services(ctx: TaskContext) -> PipelineServices:
    services: PipelineServices = ctx.services
    return services


def _load(ctx: TaskContext) -> tuple[Project, list[Shot], Storyboard]:
    with _services(ctx).db.session() as s:
        project = repo.get(s, ctx.params["project_id"])
        if project is None:
            raise PermanentError("the project was deleted", code="not_found")
        shots = repo.shots(s, project.id)
        board = board_of(project, shots, repo.characters(s, project.id)) if shots else None
    if board is None:
        raise PermanentError("the project has no storyboard yet", code="no_storyboard")
    return project, shots, board


def _shot(shots: list[Shot], ctx: TaskContext) -> Shot:
    for shot in shots:
        if shot.id == ctx.params["shot_id"]:
            return shot
    raise PermanentError("the shot was deleted", code="not_found")


def _put(
    ctx: TaskContext, project: Project, kind: str, path: Path, prefix: str, meta: dict[str, Any]
) -> tuple[Asset, BlobRef]:
    ref = put_content(_services(ctx).pipeline.store, prefix, path, path.suffix)
    asset = Asset(
        id=new_id(),  # known before the row is written, so a task's result can name it
        owner_id=project.owner_id,
        project_id=project.id,
        kind=kind,
        blob_key=ref.key,
        mime=MIME.get(path.suffix, "application/octet-stream"),
        size=ref.size,
        sha256=ref.sha256,
        meta=meta,
    )
    return asset, ref


def _usage(ctx: TaskContext, project: Project, capability: str, usage: Usage) -> UsageRecord:
    return usage_record(
        usage,
        capability=capability,
        task_id=ctx.task_id,
        owner_id=project.owner_id,
        project_id=project.id,
    )


def _scope(ctx: TaskContext, project: Project) -> CallScope:
    """The owner's routes, own provider keys and budgets for this project's provider calls."""
    services = _services(ctx)
    with services.db.session() as s:
        fresh = repo.get(s, project.id)
        if fresh is None:
            raise PermanentError("the project was deleted", code="not_found")
        return account_scope(services.pipeline, services.db, s, fresh.owner_id, fresh)


def _failovers(usage: Usage) -> dict[str, Any]:
    """For the task's result: providers passed over, so the task log can say why."""
    return {"failovers": usage.failovers} if usage.failovers else {}


def _record_on_shot(
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
        s.add(_usage(ctx, project, capability, usage))

    ctx.on_success(record)


# --- storyboard -----------------------------------------------------------------------------


def storyboard(ctx: TaskContext) -> dict[str, Any]:
    services = _services(ctx)
    with services.db.session() as s:
        project = repo.get(s, ctx.params["project_id"])
        if project is None:
            raise PermanentError("the project was deleted", code="not_found")
    options = MakeOptions(
        style=get_style(project.style),
        aspect=project.aspect,  # type: ignore[arg-type]
        language=project.language,  # type: ignore[arg-type]
        voice=project.voice,
        voice_rate=project.voice_rate,
        target_seconds=project.target_seconds,
        max_shots=project.max_shots,
        seed=project.seed,
        title=project.title,
        scope=_scope(ctx, project),
    )
    ctx.progress(5, "writing the storyboard", force=True)
    board, usage = make_storyboard(services.pipeline, project.story, options)
    if options.target_seconds is not None:
        ctx.progress(50, "fitting the narration to the target length", force=True)
        board = fit_to_length(
            services.pipeline, project.story, board, options, options.target_seconds
        )
    ctx.cancel.raise_if_cancelled()

    def record(s: Session) -> None:
        fresh = repo.get(s, project.id)
        if fresh is None:
            raise PermanentError("the project was deleted", code="not_found")
        store_storyboard(s, services.kinds, fresh, board, ctx.task_id)
        s.add(_usage(ctx, fresh, "storyboard", usage))

    ctx.on_success(record)
    return {
        "shots": len(board.shots),
        "characters": len(board.characters),
        "title": board.title,
        **_failovers(usage),
    }


# --- per shot -------------------------------------------------------------------------------


# Parameters a client may send with one shot's step (``rerun_shot_step``): all optional. The
# API validated them; these checks stop anything else that submits a task from failing late.
T = TypeVar("T", int, float, str)


def _param(ctx: TaskContext, name: str, kind: type[T]) -> T | None:
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


def _provider_param(ctx: TaskContext, capability: Capability) -> str | None:
    """The provider the task asks for (None: the one chosen in settings), if it exists."""
    name = _param(ctx, "provider", str)
    known = _services(ctx).pipeline.registry.names(capability)
    if name is not None and name not in known:
        raise PermanentError(
            f"no {capability} provider called {name!r}; available: {', '.join(known) or 'none'}",
            code="unknown_provider",
        )
    return name


def image_size(canvas: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """The picture's size: the canvas's, or the one asked for; one side alone keeps the
    canvas's shape. The render covers the canvas with any picture (centred crop, then scale:
    ``media.plan._fit_filters``), so the size need not match it."""
    cw, ch = canvas
    if width is None and height is None:
        return cw, ch
    if width is None:
        assert height is not None
        return max(1, round(height * cw / ch)), height
    if height is None:
        return width, max(1, round(width * ch / cw))
    return width, height


def _references(ctx: TaskContext, project_id: str, named: list[str]) -> dict[str, Path]:
    """Reference pictures of the named characters that have one, by character key."""
    services = _services(ctx)
    with services.db.session() as s:
        characters = [c for c in repo.characters(s, project_id) if c.key in named]
        assets = repo.assets(s, [c.reference_asset_id for c in characters])
        keys = {
            c.key: assets[c.reference_asset_id].blob_key
            for c in characters
            if c.reference_asset_id in assets
        }
    found: dict[str, Path] = {}
    for key, blob_key in keys.items():
        try:
            found[key] = steps.local_file(services.pipeline, blob_key, immutable=True)
        except BlobNotFound:
            continue  # replaced since it was read: draw without it rather than fail the shot
    return found


def image(ctx: TaskContext) -> dict[str, Any]:
    options = steps.ImageOptions(
        provider=_provider_param(ctx, "image"),
        model=_param(ctx, "model", str),
        seed=_param(ctx, "seed", int),
        steps=_param(ctx, "steps", int),
        guidance=_param(ctx, "guidance", float),
    )
    asked = (_param(ctx, "width", int), _param(ctx, "height", int))
    project, shots, board = _load(ctx)
    shot = _shot(shots, ctx)
    width, height = image_size(CANVAS_SIZES[board.aspect], *asked)
    board_shot = shot_of(shot)
    result = steps.make_image(
        _services(ctx).pipeline,
        board,
        board_shot,
        width,
        height,
        seed=project.seed,
        options=options,
        references=_references(ctx, project.id, board_shot.characters),
        scope=_scope(ctx, project),
    )
    used = {
        "provider": result.usage.provider,
        "model": options.model or result.usage.model,
        "seed": result.meta.get("seed"),
        "steps": options.steps,
        "guidance": options.guidance,
        "width": width,
        "height": height,
    }
    asset, ref = _put(
        ctx, project, "image", result.path, f"projects/{project.id}/shots/{shot.id}/image", used
    )

    def point(row: Shot, stored: Asset | None) -> None:
        row.image_asset_id = asset.id

    _record_on_shot(ctx, project, shot.id, "image", result.usage, asset, point)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "cached": result.cached,
        "params": used,
        "prompt": steps.shot_prompt(board, board_shot),
        **_failovers(result.usage),
    }


def _check_voice(ctx: TaskContext, name: str, scope: CallScope) -> None:
    """A voice some provider on the route offers (or 'auto'); providers that list none take
    any name."""
    if name == "auto":
        return
    pipeline = _services(ctx).pipeline
    route = layered_route("voice", pipeline.settings, *scope.layers)
    offered: list[str] = []
    for provider in route.providers:
        try:
            voices = pipeline.registry.voice(provider).voices()
        except ProviderError:
            continue
        if not voices:
            return
        offered += [v.id for v in voices]
    if offered and name not in offered and name.lower() not in {v.lower() for v in offered}:
        raise PermanentError(
            f"no voice {name!r}; valid voices: {', '.join(sorted(set(offered)))}",
            code="unknown_voice",
        )


def voice(ctx: TaskContext) -> dict[str, Any]:
    project, shots, board = _load(ctx)
    shot = _shot(shots, ctx)
    name = _param(ctx, "voice", str) or project.voice
    rate = _param(ctx, "rate", float)
    rate = project.voice_rate if rate is None else rate
    if not (math.isfinite(rate) and rate > 0):
        raise PermanentError(f"rate must be a positive number, not {rate}", code="invalid_params")
    scope = _scope(ctx, project)
    _check_voice(ctx, name, scope)
    spec = VoiceSpec(voice=name, language=board.language, rate=rate)
    result = steps.make_voice(_services(ctx).pipeline, shot.narration, spec, scope=scope)
    used = {"voice": name, "rate": rate}
    asset, ref = _put(
        ctx,
        project,
        "voice",
        result.path,
        f"projects/{project.id}/shots/{shot.id}/voice",
        {"duration": result.duration, **used},
    )
    words = [{"word": w.word, "start": w.start, "end": w.end} for w in result.words or []]

    def point(row: Shot, stored: Asset | None) -> None:
        row.voice_asset_id = asset.id
        row.voice_seconds = result.duration
        row.words = words or None

    _record_on_shot(ctx, project, shot.id, "voice", result.usage, asset, point)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "seconds": result.duration,
        "cached": result.cached,
        "params": used,
        **_failovers(result.usage),
    }


def motion(ctx: TaskContext) -> dict[str, Any]:
    provider = _provider_param(ctx, "motion")
    project, shots, _ = _load(ctx)
    shot = _shot(shots, ctx)
    services = _services(ctx)
    with services.db.session() as s:
        picture = repo.asset(s, shot.image_asset_id)
    if picture is None or shot.voice_seconds is None:
        raise PermanentError("the shot has no picture or narration yet", code="missing_input")
    path = services.pipeline.store.local_path(picture.blob_key)
    if path is None:
        raise RetryableError(f"picture {picture.blob_key} is not in the blob store")
    previous = shots[shot.position - 1].camera_motion if shot.position > 0 else None
    spec = MotionSpec(
        shot_type=shot.shot_type,
        index=shot.position,
        previous=previous if previous != "none" else None,
        preferred=shot.camera_motion,
        seconds=shot.voice_seconds + 1.5,
        seed=project.seed,
        prompt=shot.visual_prompt,
    )
    choice = steps.make_motion(services.pipeline, path, spec, provider, _scope(ctx, project))
    clip = None
    if choice.clip is not None:
        clip, _ = _put(
            ctx,
            project,
            "clip",
            choice.clip.path,
            f"projects/{project.id}/shots/{shot.id}/clip",
            {},
        )
    plan = choice.plan.model_dump()

    def point(row: Shot, stored: Asset | None) -> None:
        row.motion = plan
        row.clip_asset_id = stored.id if stored is not None else None

    _record_on_shot(ctx, project, shot.id, "motion", choice.usage, clip, point)
    return {
        "motion": plan["type"],
        "clip": clip is not None,
        "params": {"provider": choice.usage.provider},
        **_failovers(choice.usage),
    }


# --- project-wide ---------------------------------------------------------------------------


def music(ctx: TaskContext) -> dict[str, Any]:
    project, _, board = _load(ctx)
    mood = mood_for(board, project.music)
    if mood is None:
        return {"blob_key": None}
    result = steps.make_music(
        _services(ctx).pipeline,
        mood,
        music_seconds(board),
        seed=project.seed,
        scope=_scope(ctx, project),
    )
    asset, ref = _put(
        ctx, project, "music", result.path, f"projects/{project.id}/music", {"mood": mood}
    )

    def record(s: Session) -> None:
        s.add(asset)
        s.add(_usage(ctx, project, "music", result.usage))

    ctx.on_success(record)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "mood": mood,
        "cached": result.cached,
        **_failovers(result.usage),
    }


def render(ctx: TaskContext) -> dict[str, Any]:
    project, shots, board = _load(ctx)
    services = _services(ctx)
    store = services.pipeline.store
    with services.db.session() as s:
        music_key = _music_key(s, project.id)
        media = [_shot_media(s, store_path(store, "shot"), shot) for shot in shots]
    base = services.pipeline.settings.data_dir / "blobs"
    quality = ctx.params.get("quality", project.quality)
    timeline = build_timeline(
        board,
        media,
        base_dir=base,
        music=store_path(store, "music")(music_key) if music_key else None,
        quality="preview" if quality == "preview" else "final",
    )
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

        def on_progress(p: Any) -> None:
            ctx.progress(100.0 * p.done_frames / max(1, p.total_frames or frames), p.stage)

        result = services.pipeline.renderer.render(
            timeline,
            sources,
            work / "video.mp4",
            jobs=services.pipeline.settings.render_jobs,
            cancel=ctx.cancel,
            on_progress=on_progress,
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
            kind: _put(ctx, project, kind, path, prefix, video_meta if kind == "video" else {})[0]
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
        **{f"{kind}_asset_id": a.id for kind, a in assets.items()},
        "video": assets["video"].blob_key,
        "duration": result.duration,
        "segments_encoded": len(result.encoded_segments),
        "segments_reused": result.reused_segments,
    }


def store_path(store: Any, what: str) -> Any:
    def path_of(key: str) -> Path:
        path = store.local_path(key)
        if path is None:
            raise RetryableError(f"{what} file {key} is not in the blob store")
        return Path(path)

    return path_of


def _music_key(s: Session, project_id: str) -> str | None:
    from storyreel.db.repositories import tasks as tasks_repo

    for task in tasks_repo.for_project(s, project_id):
        if task.kind == "music" and task.status == "succeeded" and task.result:
            key = task.result.get("blob_key")
            return str(key) if key else None
    return None


def _shot_media(s: Session, path_of: Any, shot: Shot) -> ShotMedia:
    picture = repo.asset(s, shot.clip_asset_id or shot.image_asset_id)
    narration = repo.asset(s, shot.voice_asset_id)
    if picture is None or narration is None or shot.voice_seconds is None:
        raise PermanentError(
            f"shot {shot.position + 1} has no picture or voice", code="missing_input"
        )
    return ShotMedia(
        image=path_of(picture.blob_key),
        voice=path_of(narration.blob_key),
        voice_seconds=shot.voice_seconds,
        motion=Motion.model_validate(shot.motion or {}),
        words=tuple(WordTiming(**w) for w in shot.words) if shot.words else None,
    )


# --- wiring ---------------------------------------------------------------------------------


def classify(exc: BaseException) -> TaskFailure | None:
    """Map the pipeline's own errors to retryable or permanent task failures."""
    if isinstance(exc, ProviderNotConfigured):
        return PermanentError(str(exc), code="provider_not_configured")
    if isinstance(exc, BudgetExceeded):
        return PermanentError(str(exc), code="budget_exceeded")
    if isinstance(exc, NoProviderAvailable):
        return TaskFailure(str(exc), code="no_provider", retryable=exc.retryable)
    if isinstance(exc, ProviderError):
        return TaskFailure(str(exc), code="provider_error", retryable=exc.retryable)
    if isinstance(exc, FFmpegError):
        return RetryableError(str(exc).splitlines()[0], code="ffmpeg_failed")
    if isinstance(exc, StoryError | TimelineError):
        return PermanentError(str(exc))
    return None


IMAGE_UNITS = (("images", 1),)
VIDEO_UNITS = (("videos", 1),)
POLICIES = {
    "storyboard": KindPolicy(resource="llm", max_attempts=3, timeout_s=600),
    "image": KindPolicy(resource="gpu", max_attempts=3, timeout_s=600, quota_units=IMAGE_UNITS),
    "voice": KindPolicy(resource="cpu", max_attempts=3, timeout_s=300),
    "motion": KindPolicy(resource="gpu", max_attempts=3, timeout_s=1200),
    "music": KindPolicy(resource="cpu", max_attempts=3, timeout_s=300),
    "render": KindPolicy(resource="cpu", max_attempts=3, timeout_s=3600, quota_units=VIDEO_UNITS),
    **generations.POLICIES,
}
HANDLERS = {
    "storyboard": storyboard,
    "image": image,
    "voice": voice,
    "motion": motion,
    "music": music,
    "render": render,
    **generations.HANDLERS,
}


def register(kinds: KindRegistry) -> KindRegistry:
    for name, handler in HANDLERS.items():
        kinds.register(name, handler, POLICIES[name])
    return kinds
