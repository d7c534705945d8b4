"""One shot's steps: its picture (image), its narration (voice) and its camera move or clip
(motion). Each puts its file into the store and points the shot at it when the task succeeds."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from storyreel.db.models import Asset, Shot
from storyreel.db.repositories import projects as repo
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.handlers.common import (
    failovers,
    load,
    param,
    provider_param,
    put,
    record_on_shot,
    scope_of,
    task_shot,
)
from storyreel.pipeline.project import shot_of
from storyreel.pipeline.timeline import CANVAS_SIZES
from storyreel.providers.base import ProviderError, VoiceSpec
from storyreel.providers.router import CallScope, layered_route
from storyreel.storage.base import BlobNotFound
from storyreel.tasks.model import PermanentError, RetryableError
from storyreel.tasks.runner import TaskContext


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


def _references(services: PipelineServices, project_id: str, named: list[str]) -> dict[str, Path]:
    """Reference pictures of the named characters that have one, by character key."""
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
            found[key] = services.pipeline.store.local_file(blob_key)
        except BlobNotFound:
            continue  # replaced since it was read: draw without it rather than fail the shot
    return found


def image(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    options = steps.ImageOptions(
        provider=provider_param(services, ctx, "image"),
        model=param(ctx, "model", str),
        seed=param(ctx, "seed", int),
        steps=param(ctx, "steps", int),
        guidance=param(ctx, "guidance", float),
    )
    asked = (param(ctx, "width", int), param(ctx, "height", int))
    project, shots, board = load(services, ctx)
    shot = task_shot(shots, ctx)
    width, height = image_size(CANVAS_SIZES[board.aspect], *asked)
    board_shot = shot_of(shot)
    result = steps.make_image(
        services.pipeline,
        board,
        board_shot,
        width,
        height,
        seed=project.seed,
        options=options,
        references=_references(services, project.id, board_shot.characters),
        scope=scope_of(services, project),
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
    asset, ref = put(
        services,
        project,
        "image",
        result.path,
        f"projects/{project.id}/shots/{shot.id}/image",
        used,
    )

    def point(row: Shot, stored: Asset | None) -> None:
        row.image_asset_id = asset.id

    record_on_shot(ctx, project, shot.id, "image", result.usage, asset, point)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "cached": result.cached,
        "params": used,
        # The prompt the provider that drew it was asked, in its family, with its score.
        **(result.prompt.report() if result.prompt is not None else {}),
        **failovers(result.usage),
    }


def _check_voice(services: PipelineServices, name: str, scope: CallScope) -> None:
    """A voice some provider on the route offers (or 'auto'); providers that list none take
    any name."""
    if name == "auto":
        return
    pipeline = services.pipeline
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


def voice(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    project, shots, board = load(services, ctx)
    shot = task_shot(shots, ctx)
    name = param(ctx, "voice", str) or project.voice
    rate = param(ctx, "rate", float)
    rate = project.voice_rate if rate is None else rate
    if not (math.isfinite(rate) and rate > 0):
        raise PermanentError(f"rate must be a positive number, not {rate}", code="invalid_params")
    scope = scope_of(services, project)
    _check_voice(services, name, scope)
    spec = VoiceSpec(voice=name, language=board.language, rate=rate)
    result = steps.make_voice(services.pipeline, shot.narration, spec, scope=scope)
    used = {"voice": name, "rate": rate}
    asset, ref = put(
        services,
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

    record_on_shot(ctx, project, shot.id, "voice", result.usage, asset, point)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "seconds": result.duration,
        "cached": result.cached,
        "params": used,
        **failovers(result.usage),
    }


def motion(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    provider = provider_param(services, ctx, "motion")
    project, shots, board = load(services, ctx)
    shot = task_shot(shots, ctx)
    with services.db.session() as s:
        picture = repo.asset(s, shot.image_asset_id)
    if picture is None or shot.voice_seconds is None:
        raise PermanentError("the shot has no picture or narration yet", code="missing_input")
    try:
        path = services.pipeline.store.local_file(picture.blob_key)
    except BlobNotFound:
        raise RetryableError(f"picture {picture.blob_key} is not in the blob store") from None
    spec = steps.motion_spec(board, shot.position, shot.voice_seconds, project.seed)
    choice = steps.make_motion(services.pipeline, path, spec, provider, scope_of(services, project))
    clip = None
    if choice.clip is not None:
        clip, _ = put(
            services,
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

    record_on_shot(ctx, project, shot.id, "motion", choice.usage, clip, point)
    return {
        "motion": plan["type"],
        "clip": clip is not None,
        "cached": choice.usage.cached,
        "params": {"provider": choice.usage.provider},
        **failovers(choice.usage),
    }
