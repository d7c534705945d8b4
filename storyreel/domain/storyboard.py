"""The storyboard: what a story becomes before any picture or sound is made."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storyreel.domain.timeline import MotionType

ShotType = Literal["wide", "medium", "close_up"]
SHOT_TYPES: tuple[str, ...] = ShotType.__args__  # type: ignore[attr-defined]
Language = Literal["zh", "en"]
Aspect = Literal["16:9", "9:16", "1:1"]
ASPECTS: tuple[str, ...] = Aspect.__args__  # type: ignore[attr-defined]

_HEX = r"^#[0-9a-fA-F]{6}$"
MAX_SHOTS = 500


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Character(_Model):
    """Someone who appears in several shots; the id is what shots refer to."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    color: str = Field("#c0504d", pattern=_HEX, description="Signature colour in sketches.")


class Shot(_Model):
    """One picture on screen with the narration spoken over it."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    scene: int = Field(0, ge=0, description="Shots with the same scene number share a setting.")
    narration: str = Field(min_length=1, max_length=2000)
    visual_prompt: str = Field(min_length=1, max_length=4000)
    negative_prompt: str = Field("", max_length=2000)
    shot_type: ShotType = "medium"
    camera_motion: MotionType = "none"
    characters: list[str] = Field(default_factory=list, description="Character ids in the shot.")
    setting: str = Field("", max_length=500)
    mood: str = Field("", max_length=100)
    time_of_day: str = Field("", max_length=50)
    duration_hint: float = Field(5.0, gt=0, le=60, description="Seconds, before narration timing.")


class Storyboard(_Model):
    """A story as an ordered list of shots, with the characters they share."""

    version: Literal[1] = 1
    title: str = Field(min_length=1, max_length=200)
    language: Language
    style: str = Field(min_length=1, max_length=64)
    aspect: Aspect = "16:9"
    characters: list[Character] = Field(default_factory=list, max_length=200)
    shots: list[Shot] = Field(min_length=1, max_length=MAX_SHOTS)

    @model_validator(mode="after")
    def _references_resolve(self) -> Storyboard:
        ids = [s.id for s in self.shots]
        if len(set(ids)) != len(ids):
            raise ValueError("shot ids must be unique")
        known = {c.id for c in self.characters}
        if len(known) != len(self.characters):
            raise ValueError("character ids must be unique")
        for i, shot in enumerate(self.shots):
            missing = [c for c in shot.characters if c not in known]
            if missing:
                raise ValueError(f"shots[{i}] names unknown characters {missing}")
        return self

    def character(self, character_id: str) -> Character:
        for c in self.characters:
            if c.id == character_id:
                return c
        raise KeyError(character_id)


def slug(text: str, fallback: str = "x") -> str:
    """A short ASCII id for any name (Chinese names get a stable hash-based id)."""
    ascii_part = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if ascii_part and ascii_part.isascii() and len(ascii_part) <= 40:
        return ascii_part
    return f"{fallback}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
