"""The project's music bed: one per project, for the storyboard's mood (or the one asked for)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.handlers.common import failovers, load, put, scope_of, usage_of
from storyreel.tasks.runner import TaskContext


def music_seconds(board: Storyboard) -> float:
    """Length of the music loop to ask for: bucketed, so a small edit reuses the same loop."""
    estimate = sum(s.duration_hint for s in board.shots)
    return min(60.0, math.ceil(estimate / 15) * 15)


def mood_for(board: Storyboard, music: str | None) -> str | None:
    """The music mood asked for: none, a named mood, or ("auto") the storyboard's commonest."""
    if music is None or music == "none":
        return None
    if music != "auto":
        return music
    moods = Counter(s.mood for s in board.shots if s.mood)
    return moods.most_common(1)[0][0] if moods else "calm"


def music(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    project, _, board = load(services, ctx)
    mood = mood_for(board, project.music)
    if mood is None:
        return {"blob_key": None}
    result = steps.make_music(
        services.pipeline,
        mood,
        music_seconds(board),
        seed=project.seed,
        scope=scope_of(services, project),
    )
    asset, ref = put(
        services, project, "music", result.path, f"projects/{project.id}/music", {"mood": mood}
    )

    def record(s: Session) -> None:
        s.add(asset)
        s.add(usage_of(ctx, project, "music", result.usage))

    ctx.on_success(record)
    return {
        "blob_key": ref.key,
        "asset_id": asset.id,
        "mood": mood,
        "cached": result.cached,
        **failovers(result.usage),
    }
