"""How a shot looks through the API: its fields, media and current tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from storyreel.api.deps import AppState
from storyreel.api.views.assets import AssetOut, asset_out
from storyreel.api.views.tasks import TaskState, task_state
from storyreel.db.models import Asset, Shot, Task
from storyreel.db.repositories import projects as repo


class PromptReason(BaseModel):
    """Why a picture prompt lost points."""

    code: str = Field(
        examples=["missing_setting"],
        description="Stable: missing_subject, missing_setting, missing_time_of_day, "
        "untranslated_text, mixed_languages, too_long, trimmed or undescribed_character.",
    )
    message: str = Field(examples=["the shot has no setting"], description="For people.")
    points: int = Field(ge=0, description="Points it cost.")


class ImagePrompt(BaseModel):
    """The prompt the shot's picture was drawn from, as the image model's family reads it
    (its tags or sentences, in its language), and how good the asking is."""

    family: str = Field(
        examples=["sdxl"],
        description="The image model's prompt family: plain, sd, sdxl, flux, dalle or qwen.",
    )
    language: str = Field(examples=["en"], description="The prompt's language.")
    score: int = Field(
        ge=0, le=100, description="100 less the points of each reason: how complete it is."
    )
    reasons: list[PromptReason] = Field(description="Why points were lost (none: 100).")
    prompt: str
    negative_prompt: str


def image_prompt(task: Task | None, image_asset_id: str | None) -> ImagePrompt | None:
    """What the image task that drew the shot's current picture asked (its result's
    ``prompt_*`` keys), or None: no picture, one that task did not draw, or a result from
    before prompts were scored."""
    result = task.result if task is not None and task.status == "succeeded" else None
    if not result or image_asset_id is None or result.get("asset_id") != image_asset_id:
        return None
    try:
        return ImagePrompt(
            family=result["prompt_family"],
            language=result.get("prompt_language") or "",
            score=result["prompt_score"],
            reasons=result.get("prompt_reasons") or [],
            prompt=result.get("prompt") or "",
            negative_prompt=result.get("negative_prompt") or "",
        )
    except (KeyError, TypeError, ValidationError):
        return None


class ShotOut(BaseModel):
    id: str
    position: int = Field(description="0-based order in the video.")
    key: str = Field(description="The storyboard's id for the shot.")
    scene: int
    narration: str
    original_narration: str = Field(
        description="The narration this shot's was translated from ('' when none): a "
        "translated project's bilingual subtitles show it."
    )
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
    image_prompt: ImagePrompt | None = Field(
        description="How the current picture was asked for, with its prompt's quality score "
        "(null: no picture yet, or one not drawn by the current image task)."
    )
    voice: AssetOut | None
    clip: AssetOut | None
    tasks: dict[str, TaskState] = Field(
        description="The shot's current image, voice and motion tasks, by kind."
    )
    updated_at: datetime


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
        original_narration=shot.original_narration or "",
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
        image_prompt=image_prompt(current.get((shot.id, "image")), shot.image_asset_id),
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
