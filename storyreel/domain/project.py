"""How a project is made: one shape for the API's request bodies, the ``projects`` row, the
``make`` command and the pipeline's steps.

Rows are built from it with ``model_dump()`` and read back with
``ProjectOptions.model_validate(row, from_attributes=True)``, which also re-checks the values a
row holds as plain strings against the literals here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyreel.domain.storyboard import Aspect
from storyreel.domain.styles import DEFAULT_STYLE, STYLES, get_style

Quality = Literal["final", "preview"]
LanguageChoice = Literal["auto", "zh", "en"]
VOICE_PATTERN = r"^[\w.:+@-]{1,64}$"
MAX_SEED = 2**31 - 1


class ProjectOptions(BaseModel):
    """Everything about a project but its story."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(
        None, min_length=1, max_length=200, description="Default: from the story."
    )
    style: str = Field(
        DEFAULT_STYLE,
        max_length=64,
        description=f"One of: {', '.join(STYLES)}.",
        examples=["watercolor"],
    )
    aspect: Aspect = "16:9"
    language: LanguageChoice = "auto"
    voice: str = Field("auto", pattern=VOICE_PATTERN, description="A voice id, or auto.")
    voice_rate: float = Field(1.0, ge=0.25, le=4.0, allow_inf_nan=False)
    music: str | None = Field(
        "auto", max_length=64, description="A music mood, auto (from the shots) or none."
    )
    target_seconds: float | None = Field(
        None, gt=0, le=24 * 3600, allow_inf_nan=False, description="Aimed-for video length."
    )
    max_shots: int = Field(60, ge=1, le=500)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    quality: Quality = "final"
    bilingual_subtitles: bool = Field(
        False,
        description="Subtitles in two languages: under each cue of the narration, smaller, the "
        "shot's original narration (a translated project keeps it; see POST "
        "/projects/{id}/translate).",
    )
    auto: bool = Field(
        True,
        description="Run the whole pipeline to a video; false: stop after the storyboard and "
        "run each step when asked.",
    )

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        return get_style(value).name  # UnknownStyle (a ValueError) lists the known ones

    @property
    def music_mood(self) -> str | None:
        """The music asked for: a mood, ``auto``, or None for no music."""
        return None if self.music in (None, "none") else self.music
