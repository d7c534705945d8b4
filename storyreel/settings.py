"""Typed settings read from the environment (prefix ``STORYREEL_``); invalid values fail fast."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_studio_dir() -> Path | None:
    # A source checkout builds the studio into web/dist beside the package (`make studio`).
    built = Path(__file__).resolve().parent.parent / "web" / "dist"
    return built if (built / "index.html").is_file() else None


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


class QuotaLimits(BaseModel):
    """Daily quotas; ``None`` means unlimited. Layered system < plan < user < project."""

    model_config = ConfigDict(extra="forbid")

    images_per_day: int | None = Field(None, ge=0)
    videos_per_day: int | None = Field(None, ge=0)
    render_seconds_per_day: float | None = Field(None, ge=0)
    max_resolution: int | None = Field(
        None, ge=144, description="Largest video, as its shorter side (720 means 720p)."
    )
    max_duration_s: float | None = Field(None, gt=0, description="Longest video, seconds.")


class Plan(BaseModel):
    """A plan: its task priority and the quotas it sets over the system defaults."""

    model_config = ConfigDict(extra="forbid")

    priority: int = Field(0, ge=-100, le=100)
    quotas: QuotaLimits = Field(default_factory=QuotaLimits)


def _default_plans() -> dict[str, Plan]:
    return {
        "guest": Plan(
            priority=-10,
            quotas=QuotaLimits(
                images_per_day=60,
                videos_per_day=3,
                render_seconds_per_day=180,
                max_resolution=720,
                max_duration_s=60,
            ),
        ),
        "free": Plan(priority=0),
        "pro": Plan(
            priority=10,
            quotas=QuotaLimits(images_per_day=5000, videos_per_day=200, max_duration_s=3600),
        ),
    }


class RateLimits(BaseModel):
    """Request rate limits in the ``limits`` notation ("600/minute; 20/second")."""

    model_config = ConfigDict(extra="forbid")

    per_user: str = "1200/minute;100/second"
    per_ip: str = "2400/minute;200/second"
    # Logins and registrations per IP: slows password guessing.
    auth_per_ip: str = "30/minute"
    # Voice samples per user: each one is synthesised in the API process.
    samples_per_user: str = "30/minute"


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
    host: str = Field(default="127.0.0.1", description="Where `storyreel serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = Field(
        default=None,
        description="Signs access and refresh tokens; generated into the data dir if unset "
        "(required when STORYREEL_ENV=production).",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Derives each webhook's signing secret; generated like jwt_secret.",
    )
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=300)
    signed_url_ttl_s: int = Field(
        default=600, ge=10, le=86_400, description="How long an asset download link works."
    )
    admin_email: str | None = Field(
        default=None, description="The admin account made on first start of an empty database."
    )
    admin_password: SecretStr | None = Field(default=None)
    allow_registration: bool = Field(default=True, description="Anyone may create an account.")
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    upload_max_pixels: int = Field(
        default=40_000_000, ge=10_000, description="Larger images are refused (pixel bombs)."
    )
    rate_limit_url: str = Field(
        default="memory://", description="Rate-limit counters: memory:// or redis://host/db."
    )
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    quotas: QuotaLimits = Field(
        default_factory=lambda: QuotaLimits(
            images_per_day=1000,
            videos_per_day=50,
            render_seconds_per_day=3 * 3600,
            max_resolution=1080,
            max_duration_s=1200,
        ),
        description="System-wide daily quotas (STORYREEL_QUOTAS__IMAGES_PER_DAY=...).",
    )
    plans: dict[str, Plan] = Field(default_factory=_default_plans)
    default_plan: str = Field(default="free", description="The plan new accounts get.")
    webhook_allow_private: bool = Field(
        default=False, description="Let webhooks call private (RFC 1918) addresses."
    )
    webhook_allow_loopback: bool = Field(
        default=False, description="Let webhooks call loopback addresses (tests, one box)."
    )
    log_format: Literal["json", "console"] = Field(default="json")
    studio_dir: Path | None = Field(
        default_factory=lambda: _default_studio_dir(),
        description=(
            "The built web studio (web/dist) served at /; unset or missing: the API only."
        ),
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

    @model_validator(mode="after")
    def _production_needs_explicit_secrets(self) -> Settings:
        if self.env == "production":
            missing = [
                f"STORYREEL_{name.upper()}"
                for name in ("jwt_secret", "webhook_secret")
                if getattr(self, name) is None or len(getattr(self, name).get_secret_value()) < 32
            ]
            if missing:
                raise ValueError(
                    f"STORYREEL_ENV=production needs {', '.join(missing)} set explicitly "
                    "(random strings of at least 32 characters, e.g. `openssl rand -hex 32`)"
                )
        if self.default_plan not in self.plans:
            raise ValueError(
                f"default_plan {self.default_plan!r} is not one of the plans {sorted(self.plans)}"
            )
        return self

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
