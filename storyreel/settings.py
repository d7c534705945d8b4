"""Typed settings read from the environment (prefix ``STORYREEL_``); invalid values fail fast."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return user_data_path("storyreel", appauthor=False)


class ProviderChoice(BaseModel):
    """Which provider serves each capability (``STORYREEL_PROVIDERS__IMAGE=sketch``)."""

    model_config = ConfigDict(extra="forbid")

    storyboard: str = "rules"
    image: str = "sketch"
    voice: str = "espeak"
    motion: str = "kenburns"
    music: str = "ambient"


class Concurrency(BaseModel):
    """How many tasks of each resource class one process runs at once
    (``STORYREEL_CONCURRENCY__GPU=2``)."""

    model_config = ConfigDict(extra="forbid")

    gpu: int = Field(1, ge=0, le=64)
    cpu: int = Field(2, ge=0, le=256)
    llm: int = Field(4, ge=0, le=256)
    io: int = Field(8, ge=0, le=256)


class Settings(BaseSettings):
    """Everything the product can be configured with; one object, built once per process."""

    model_config = SettingsConfigDict(
        env_prefix="STORYREEL_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Every file the product keeps (caches, database, blobs) lives under here.",
    )
    ffmpeg: Path | None = Field(
        default=None,
        description="FFmpeg binary to use instead of the one bundled with imageio-ffmpeg.",
    )
    render_jobs: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=64,
        description="How many segments render at once.",
    )
    render_timeout_s: float = Field(
        default=3600.0,
        gt=0,
        description="Longest a single FFmpeg invocation may run before it is killed.",
    )
    render_cache_gb: float = Field(
        default=5.0,
        ge=0,
        description="Size the render cache (segments, soundtracks) is trimmed to after a render.",
    )
    providers: ProviderChoice = Field(default_factory=ProviderChoice)
    max_story_chars: int = Field(
        default=100_000,
        ge=100,
        le=10_000_000,
        description="Longest story accepted, in characters (STORYREEL_MAX_STORY_CHARS).",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///… or postgresql://…; default: a SQLite file in the data dir.",
    )
    executor: Literal["local", "celery"] = Field(
        default="local", description="Run tasks in-process threads or on Celery workers."
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker (executor=celery)."
    )
    events_url: str = Field(
        default="memory://", description="Event bus: memory:// or redis://host:port/db."
    )
    concurrency: Concurrency = Field(default_factory=Concurrency)
    lease_s: float = Field(
        default=60.0, gt=0, description="A running task's lease; heartbeats renew it."
    )
    heartbeat_s: float = Field(default=15.0, gt=0, description="How often leases are renewed.")
    reaper_interval_s: float = Field(
        default=10.0, gt=0, description="How often expired leases are looked for."
    )
    subtitle_font_file: Path | None = Field(
        default=None,
        description="Font for burned-in subtitles; defaults to the bundled Noto Sans SC.",
    )

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("ffmpeg", "subtitle_font_file", mode="after")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"{value} is not a file")
        return value.expanduser() if value is not None else None

    @field_validator("heartbeat_s", mode="after")
    @classmethod
    def _heartbeat_within_lease(cls, value: float, info: ValidationInfo) -> float:
        lease = info.data.get("lease_s")
        if lease is not None and value >= lease:
            raise ValueError(f"must be shorter than the lease ({lease} s) or leases expire")
        return value

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'storyreel.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
