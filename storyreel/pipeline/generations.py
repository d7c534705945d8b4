"""Generations without a story: one picture from a prompt (``image.generate``, a task of its
own), and a narrated video from a list of scenes — recorded as a project whose storyboard is the
scenes as written, made by the same DAG as every project (``board_for``).

The request models live here, not in the API, so the handler validates its parameters with the
same rules the endpoint applied (a task row is data; it is checked again when it runs).
Outputs belong to the task's owner, under ``users/{owner}/…`` content-addressed keys.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.styles import DEFAULT_STYLE, StylePreset, get_style
from storyreel.domain.text import detect_language, estimate_speech_seconds
from storyreel.media.plan import output_size
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.costs import usage_record
from storyreel.pipeline.handlers.common import store_asset
from storyreel.pipeline.scope import account_scope
from storyreel.pipeline.timeline import CANVAS_SIZES
from storyreel.providers.router import CallScope
from storyreel.tasks.model import PermanentError
from storyreel.tasks.runner import TaskContext

IMAGE_KIND = "image.generate"

_PROVIDER = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_VOICE = r"^[\w.:+@-]{1,64}$"
MAX_SCENES = 30


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL's JSONB refuses U+0000, and no prompt needs one.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    style: str = Field(DEFAULT_STYLE, max_length=64, examples=["watercolor"])

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        return get_style(value).name  # UnknownStyle (a ValueError) lists the known ones


class ImageGeneration(_Request):
    """One picture from a prompt."""

    prompt: str = Field(min_length=1, max_length=3000)
    negative_prompt: str = Field("", max_length=1000)
    width: int = Field(1024, ge=64, le=2048, multiple_of=8)
    height: int = Field(576, ge=64, le=2048, multiple_of=8)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    provider: str | None = Field(None, pattern=_PROVIDER, description="Image provider name.")
    model: str | None = Field(None, max_length=200)
    steps: int | None = Field(None, ge=1, le=200)
    guidance: float | None = Field(None, ge=0, le=50, allow_inf_nan=False)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt is empty")
        return value.strip()

    _plain = field_validator("prompt", "negative_prompt", "model")(_no_nul)


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    narration: str = Field(min_length=1, max_length=2000)
    visual_prompt: str | None = Field(
        None, max_length=3000, description="What to draw; the narration when left out."
    )

    @field_validator("narration")
    @classmethod
    def _speakable(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the narration is empty")
        return value.strip()

    _plain = field_validator("narration", "visual_prompt")(_no_nul)


class VideoGeneration(_Request):
    """A narrated video from scenes, without a project."""

    scenes: list[Scene] = Field(min_length=1, max_length=MAX_SCENES)
    title: str | None = Field(None, max_length=200)
    aspect: Literal["16:9", "9:16", "1:1"] = "16:9"
    language: Literal["auto", "zh", "en"] = "auto"
    voice: str = Field("auto", pattern=_VOICE, description="A voice id, or auto.")
    voice_rate: float = Field(1.0, ge=0.5, le=2.0, allow_inf_nan=False)
    music: str | None = Field("auto", max_length=64, description="A mood, auto, or null.")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    quality: Literal["final", "preview"] = "final"

    _plain = field_validator("title", "music")(_no_nul)

    @field_validator("music")
    @classmethod
    def _mood(cls, value: str | None) -> str | None:
        return (value.strip().lower() or None) if value is not None else None

    def estimated_seconds(self) -> float:
        """How long the video will run, from the narration (for quotas, before it exists)."""
        return sum(_shot_seconds(s.narration) for s in self.scenes)

    def resolution(self) -> int:
        return min(output_size(*CANVAS_SIZES[self.aspect], self.quality))


def _shot_seconds(narration: str) -> float:
    return min(60.0, max(1.0, estimate_speech_seconds(narration) + 1.0))


# --- handlers -------------------------------------------------------------------------------


def _prompt(style: StylePreset, prompt: str) -> str:
    return f"{style.prompt_prefix}, {prompt}"[:4000]


def generate_image(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    try:
        request = ImageGeneration.model_validate(ctx.params.get("request", {}))
    except ValueError as exc:
        raise PermanentError(f"invalid image request: {exc}") from exc
    style = get_style(request.style)
    negative = ", ".join(p for p in (style.negative_prompt, request.negative_prompt) if p)
    shot = Shot(
        id="image",
        narration=request.prompt[:2000],
        visual_prompt=_prompt(style, request.prompt),
        negative_prompt=negative[:2000],
    )
    board = Storyboard(
        title=request.prompt[:200],
        language=detect_language(request.prompt),
        style=style.name,
        aspect=_aspect_of(request.width, request.height),
        shots=[shot],
    )
    ctx.progress(5, "drawing", force=True)
    options = steps.ImageOptions(
        provider=request.provider,
        model=request.model,
        seed=request.seed,
        steps=request.steps,
        guidance=request.guidance,
    )
    result = steps.make_image(
        services.pipeline,
        board,
        shot,
        request.width,
        request.height,
        options=options,
        scope=_owner_scope(services, ctx),
    )
    ctx.cancel.raise_if_cancelled()
    seed = result.meta.get("seed", request.seed)
    meta = {"title": request.prompt[:80], "width": request.width, "height": request.height}
    owner = ctx.claim.owner_id
    asset, _ = store_asset(
        services,
        owner,
        None,
        "image",
        result.path,
        f"users/{owner or 'nobody'}/images",
        {**meta, "seed": seed},
    )

    def record(s: Session) -> None:
        s.add(asset)
        s.add(
            usage_record(
                result.usage,
                capability="image",
                task_id=ctx.task_id,
                owner_id=owner,
                project_id=None,
            )
        )

    ctx.on_success(record)
    return {"asset_id": asset.id, **meta, "seed": seed, "cached": result.cached}


def _owner_scope(services: PipelineServices, ctx: TaskContext) -> CallScope:
    """Work without a project still goes by its owner's routes, keys and daily budget."""
    with services.db.session() as s:
        return account_scope(services.pipeline, services.db, s, ctx.claim.owner_id)


def _aspect_of(width: int, height: int) -> Literal["16:9", "9:16", "1:1"]:
    ratio = width / height
    return "16:9" if ratio > 1.2 else "9:16" if ratio < 1 / 1.2 else "1:1"


def project_options(request: VideoGeneration, board: Storyboard) -> ProjectOptions:
    """The options of the project a video generation is recorded as."""
    return ProjectOptions(
        title=board.title,
        style=request.style,
        aspect=request.aspect,
        language=board.language,
        voice=request.voice,
        voice_rate=request.voice_rate,
        music=request.music or "none",
        seed=request.seed,
        quality=request.quality,
        auto=True,
    )


def board_for(request: VideoGeneration) -> Storyboard:
    """The scenes as a storyboard, as written: no storyboard writer runs."""
    style = get_style(request.style)
    text = "\n".join(s.narration for s in request.scenes)
    language = detect_language(text) if request.language == "auto" else request.language
    shots = [
        Shot(
            id=f"scene-{i + 1}",
            scene=i + 1,
            narration=scene.narration,
            visual_prompt=_prompt(style, scene.visual_prompt or scene.narration),
            negative_prompt=style.negative_prompt[:2000],
            duration_hint=_shot_seconds(scene.narration),
        )
        for i, scene in enumerate(request.scenes)
    ]
    title = (request.title or request.scenes[0].narration).strip()[:200] or "video"
    return Storyboard(
        title=title, language=language, style=style.name, aspect=request.aspect, shots=shots
    )
