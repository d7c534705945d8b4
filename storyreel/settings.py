"""Typed settings read from the environment (prefix ``STORYREEL_``); invalid values fail fast.

This module declares the platform's own settings; each provider declares its section beside
itself (``storyreel.providers.sections``) and ``Settings`` composes them.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from platformdirs import user_data_path
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyreel.providers.image.settings import (
    COMFYUI,
    DIFFUSERS,
    OPENAI_IMAGE,
    ComfyUISettings,
    DiffusersSettings,
    OpenAIImageSettings,
)
from storyreel.providers.llm.settings import LLM, LlmSettings
from storyreel.providers.motion.settings import HTTP_MOTION, SVD, HttpMotionSettings, SvdSettings
from storyreel.providers.sections import SettingsSection, broken_sections, installed_sections
from storyreel.providers.voice.settings import (
    COSYVOICE,
    EDGE_TTS,
    OPENAI_SPEECH,
    CosyVoiceSettings,
    EdgeTtsSettings,
    OpenAISpeechSettings,
)

#: The built-in providers' settings sections, each a typed field of ``Settings``.
BUILTIN_SECTIONS: tuple[SettingsSection[Any], ...] = (
    LLM,
    OPENAI_IMAGE,
    COMFYUI,
    OPENAI_SPEECH,
    COSYVOICE,
    HTTP_MOTION,
    DIFFUSERS,
    SVD,
    EDGE_TTS,
)


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


Strategy = Literal["ordered", "cost", "quality", "speed", "balanced"]


class RouteSetting(BaseModel):
    """One capability's route: the providers to try, in order, and how to rank them. A layer
    (system, a user's settings, a project's) sets what it names; the rest comes from below."""

    model_config = ConfigDict(extra="forbid")

    providers: list[str] | None = Field(
        None,
        min_length=1,
        max_length=10,
        description="Providers to try; the next is used when one fails with a retryable error.",
    )
    strategy: Strategy | None = Field(
        None,
        description="ordered: as listed; cost: cheapest first; quality: best first; speed: "
        "fastest first; balanced: weighs all three. Ties keep the listed order.",
    )


class Routes(BaseModel):
    """Per capability (``STORYREEL_ROUTES__IMAGE='{"providers": ["openai", "sketch"]}'``);
    unset: the single provider chosen in ``providers``."""

    model_config = ConfigDict(extra="forbid")

    storyboard: RouteSetting = Field(default_factory=RouteSetting)
    image: RouteSetting = Field(default_factory=RouteSetting)
    voice: RouteSetting = Field(default_factory=RouteSetting)
    motion: RouteSetting = Field(default_factory=RouteSetting)
    music: RouteSetting = Field(default_factory=RouteSetting)


class ProviderLimit(BaseModel):
    """Self-imposed limits for one provider, so a burst of work does not cause a 429 storm."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(None, ge=1, le=1024, description="Calls in flight at once.")
    requests_per_minute: float | None = Field(None, gt=0, description="Calls started per minute.")


class RouterSettings(BaseModel):
    """Failover, the circuit breaker and per-provider limits (``STORYREEL_ROUTER__...``)."""

    model_config = ConfigDict(extra="forbid")

    failure_threshold: int = Field(
        5, ge=1, le=1000, description="Failures in a row that open a provider's circuit."
    )
    cooldown_s: float = Field(
        60.0, gt=0, le=86_400, description="How long an open circuit skips the provider."
    )
    max_wait_s: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="Longest a call waits for a provider's concurrency or rate limit before "
        "the next provider is tried.",
    )
    limits: dict[str, ProviderLimit] = Field(
        default_factory=dict,
        description='By "capability.provider", e.g. {"image.openai": {"concurrency": 4, '
        '"requests_per_minute": 50}}.',
    )
    motion_fallback: str | None = Field(
        "kenburns",
        description="Motion provider tried last whatever the route says (a still picture "
        "with camera motion beats a failed shot); empty to turn off.",
    )


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
    cost_per_day: float | None = Field(
        None, ge=0, description="Budget: what one account's provider calls may cost per day."
    )
    cost_per_project: float | None = Field(
        None, ge=0, description="Budget: what one project's provider calls may cost in all."
    )


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


# A bucket name as S3 and its look-alikes accept it: 3–63 lower-case letters, digits, dots, dashes.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class S3Settings(BaseModel):
    """The S3-compatible server behind ``STORYREEL_STORAGE_URL=s3://BUCKET/PREFIX``
    (``STORYREEL_S3__ENDPOINT_URL=...``). Without keys, boto3's standard credential chain
    (environment, shared files, instance or pod role) is used."""

    model_config = ConfigDict(extra="forbid")

    endpoint_url: str | None = Field(
        None,
        description="Where this process reaches the server (http://minio:9000); unset: AWS.",
    )
    public_url: str | None = Field(
        None,
        description="The endpoint browsers and API clients use (https://s3.example.com); "
        "presigned URLs are signed for it, since a signature covers the host. Unset: "
        "endpoint_url.",
    )
    region: str = Field("us-east-1", min_length=1, description="Signing region.")
    access_key_id: str | None = Field(None, description="Unset: boto3's credential chain.")
    secret_access_key: SecretStr | None = Field(None, description="Set with access_key_id.")

    @field_validator(
        "endpoint_url", "public_url", "access_key_id", "secret_access_key", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # An .env or a chart with `KEY=` (empty) means "not set", not "an empty key".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("endpoint_url", "public_url", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s):// URL")
        return value.rstrip("/") if value is not None else None

    @model_validator(mode="after")
    def _keys_come_in_pairs(self) -> S3Settings:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError(
                "set both STORYREEL_S3__ACCESS_KEY_ID and STORYREEL_S3__SECRET_ACCESS_KEY, or "
                "neither (then boto3's credential chain is used)"
            )
        return self


class QcSettings(BaseModel):
    """The quality check every render gets before it is marked done
    (``STORYREEL_QC__MUSIC_UNDER_SPEECH_DB=10``); see docs/quality-checks.md. A check that
    fails marks the render "needs attention" with its reason, or fails it (``on_failure``)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Measure every render before it is marked done.")
    on_failure: Literal["attention", "fail"] = Field(
        "attention",
        description="What a failed check does: mark the render 'needs attention' (it stays "
        "playable and downloadable) or fail it.",
    )
    av_sync_frames: float = Field(
        1.0,
        ge=0,
        le=100,
        description="av_sync: the video and audio streams may differ in length by this many "
        "frames at most.",
    )
    loudness_tolerance_lu: float = Field(
        1.0,
        gt=0,
        le=20,
        description="loudness: integrated loudness within this many LU of the timeline's "
        "target (output.loudness, -16 LUFS by default).",
    )
    true_peak_margin_db: float = Field(
        0.0,
        ge=-6,
        le=6,
        description="true_peak: the true peak may exceed the timeline's ceiling "
        "(output.true_peak, -1 dBTP by default) by this much (0: not at all).",
    )
    music_under_speech_db: float = Field(
        8.0,
        ge=0,
        le=40,
        description="music_under_speech: while someone speaks, the music stays at least this "
        "many dB (K-weighted) under the voices.",
    )
    black_min_s: float = Field(
        1.0,
        gt=0,
        le=60,
        description="black: a black picture lasting at least this long is reported.",
    )
    black_picture_ratio: float = Field(
        0.95,
        gt=0.5,
        le=1,
        description="black: the share of a frame's pixels that must be near black for the "
        "frame to count as black (subtitles over black leave a few bright pixels).",
    )
    freeze_min_s: float = Field(
        2.0,
        gt=0,
        le=60,
        description="freeze: a picture standing still this long that the timeline did not "
        "ask to stand still (a clip with camera motion 'none') is reported.",
    )
    freeze_noise_db: float = Field(
        -60.0,
        ge=-90,
        le=-20,
        description="freeze: frames whose mean difference stays under this level (dB of full "
        "scale) count as the same picture.",
    )
    narration_silence_s: float = Field(
        1.5,
        gt=0,
        le=60,
        description="narration_silent: silence this long where narration is planned is "
        "reported (pauses between sentences are shorter).",
    )
    unplanned_speech_s: float = Field(
        1.0,
        gt=0,
        le=60,
        description="unplanned_speech: speech this long where no narration is planned (in a "
        "clip's own sound or in the music) is reported.",
    )
    cue_offset_ms: float = Field(
        200.0,
        gt=0,
        le=5000,
        description="cue_timing: a subtitle cue must start within this many milliseconds of "
        "the speech it carries.",
    )
    safe_area: float = Field(
        0.9,
        gt=0.5,
        le=1,
        description="subtitle_safe_area: the title-safe area, as the centred fraction of the "
        "frame's width and height that subtitle text must stay inside.",
    )
    max_subtitle_lines: int = Field(
        2,
        ge=1,
        le=10,
        description="subtitle_lines: most lines one cue may show in each of its languages.",
    )


class Settings(BaseSettings):
    """Everything the product can be configured with; one object, built once per process.

    The platform's own settings are declared here; each provider's section (``llm``,
    ``openai_image``...) is declared beside the provider (``storyreel.providers.sections``).
    Plugins' sections come from the entry-point group ``storyreel.settings``: ``Settings()``
    builds the subclass that has a field for each (made once per process; without plugins it
    is ``Settings`` itself), so ``STORYREEL_<FIELD>__...`` reaches them like the built-ins.
    """

    model_config = SettingsConfigDict(
        env_prefix="STORYREEL_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    #: The provider sections this class has fields for: the built-ins, then plugins'.
    sections: ClassVar[tuple[SettingsSection[Any], ...]] = BUILTIN_SECTIONS

    def __new__(cls, *args: Any, **kwargs: Any) -> Settings:
        # pydantic passes the values to __init__; here only the class is chosen.
        target = installed_settings_class() if cls is Settings else cls
        return super().__new__(target)

    @classmethod
    def with_sections(cls, *extra: SettingsSection[Any]) -> type[Settings]:
        """This class with a field for each of ``extra`` (plugins' sections), made once."""
        return _compose(cls, extra)

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
    render_encoder: Literal["auto", "x264", "nvenc"] = Field(
        default="auto",
        description="H.264 encoder for render segments: auto uses NVIDIA's NVENC when FFmpeg "
        "can encode with it on this machine (a GPU worker), else x264; nvenc asks for it and "
        "falls back to x264 with a warning; x264 always encodes on the CPU.",
    )
    render_as_ready: bool = Field(
        default=True,
        description="Start a project's render once its voices and music are done and encode "
        "each shot as soon as its picture and move (and the previous shot's) are ready, so "
        "rendering overlaps picture generation; false: render after every shot is made.",
    )
    live_playback: bool = Field(
        default=True,
        description="Publish each render's finished segments as a growing HLS playlist, so "
        "the studio plays the film while it renders (a remux: no second encode).",
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
    routes: Routes = Field(
        default_factory=Routes,
        description="Ordered providers and a strategy per capability, with failover.",
    )
    router: RouterSettings = Field(default_factory=RouterSettings)
    # The providers' own sections, declared beside them (storyreel.providers.*.settings);
    # listed here, typed, so that mypy knows them. Plugins' sections are added by
    # ``with_sections``.
    llm: LlmSettings = LLM.field_info()
    openai_image: OpenAIImageSettings = OPENAI_IMAGE.field_info()
    comfyui: ComfyUISettings = COMFYUI.field_info()
    openai_speech: OpenAISpeechSettings = OPENAI_SPEECH.field_info()
    cosyvoice: CosyVoiceSettings = COSYVOICE.field_info()
    http_motion: HttpMotionSettings = HTTP_MOTION.field_info()
    diffusers: DiffusersSettings = DIFFUSERS.field_info()
    svd: SvdSettings = SVD.field_info()
    model_cache_gb: float = Field(
        default=16.0,
        ge=0,
        description="Memory (GPU, else RAM) the loaded local models of 'diffusers' and 'svd' "
        "may hold together; past it the least recently used are unloaded. 0: only the one "
        "in use stays loaded.",
    )
    edge_tts: EdgeTtsSettings = EDGE_TTS.field_info()
    max_story_chars: int = Field(
        default=100_000,
        ge=100,
        le=10_000_000,
        description="Longest story accepted, in characters (STORYREEL_MAX_STORY_CHARS).",
    )
    max_document_chars: int = Field(
        default=2_000_000,
        ge=100,
        le=100_000_000,
        description="Longest document (a whole book) read to choose chapters from, in "
        "characters; the story limit applies to the chapters chosen.",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///… or postgresql://…; default: a SQLite file in the data dir.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where blobs live: file:///path or a folder path; default: blobs/ in the "
        "data dir; s3://BUCKET/PREFIX for an S3-compatible server (see s3). Resolved to a "
        "BlobStore in one place (storyreel.storage.store_from_settings).",
    )
    s3: S3Settings = Field(
        default_factory=S3Settings,
        description="The S3-compatible server of an s3:// storage_url (STORYREEL_S3__...).",
    )
    worker_cache_gb: float = Field(
        default=10.0,
        ge=0,
        description="Disk the local copies of remote blobs (for FFmpeg and providers) may "
        "take, least recently used evicted first; only a remote store (s3://) uses it.",
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
    provider_keys_secret: SecretStr | None = Field(
        default=None,
        description="Encrypts the provider keys accounts store; several, comma-separated, to "
        "rotate (the first encrypts). Generated like jwt_secret if unset.",
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
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="Reverse proxies (CIDRs, a JSON list: '[\"10.0.0.0/8\"]') whose "
        "X-Forwarded-For is believed: the client IP is then its rightmost hop that is not one of "
        "them. Empty: the peer address is the client (X-Forwarded-For is ignored).",
    )
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
    currency: str = Field(
        "USD",
        min_length=1,
        max_length=8,
        description="The currency of provider prices and budgets (shown, never converted).",
    )
    plans: dict[str, Plan] = Field(default_factory=_default_plans)
    default_plan: str = Field(default="free", description="The plan new accounts get.")
    webhook_allow_private: bool = Field(
        default=False, description="Let webhooks call private (RFC 1918) addresses."
    )
    webhook_allow_loopback: bool = Field(
        default=False, description="Let webhooks call loopback addresses (tests, one box)."
    )
    readyz_providers: bool = Field(
        default=False,
        description="/readyz also checks that each capability has a healthy provider "
        "(network providers are asked; a hosted API being down then fails readiness).",
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
    qc: QcSettings = Field(
        default_factory=QcSettings,
        description="The quality check of every render (STORYREEL_QC__...).",
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

    @field_validator("storage_url", mode="after")
    @classmethod
    def _s3_url_names_a_bucket(cls, value: str | None) -> str | None:
        if value is not None and value.lower().startswith("s3://"):
            bucket = value[5:].split("/", 1)[0]
            if not bucket:
                raise ValueError(
                    f"{value!r} names no bucket: use s3://BUCKET or s3://BUCKET/PREFIX"
                )
            if not _BUCKET.fullmatch(bucket):
                raise ValueError(
                    f"{bucket!r} is not a valid bucket name (3–63 characters: lower-case "
                    "letters, digits, dots and dashes)"
                )
        return value

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
                for name in ("jwt_secret", "webhook_secret", "provider_keys_secret")
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


@lru_cache(maxsize=32)
def _compose(base: type[Settings], extra: tuple[SettingsSection[Any], ...]) -> type[Settings]:
    if not extra:
        return base
    taken = set(base.model_fields)
    for section in extra:
        if section.field in taken:
            raise ValueError(f"settings section {section.field!r} clashes with a setting")
        taken.add(section.field)
    fields: dict[str, Any] = {s.field: (s.model, s.field_info()) for s in extra}
    composed = create_model(
        base.__name__, __base__=base, __module__=base.__module__, __doc__=base.__doc__, **fields
    )
    composed.sections = (*base.sections, *extra)
    return composed


@lru_cache(maxsize=1)
def installed_settings_class() -> type[Settings]:
    """``Settings`` with the sections of the installed plugins (``Settings()`` builds this).

    A plugin's section that clashes with a setting is left out and recorded in
    ``broken_sections``, like one that fails to load.
    """
    usable = []
    for section in installed_sections():
        if section.field in Settings.model_fields:
            broken_sections[section.field] = f"clashes with the setting {section.field!r}"
        else:
            usable.append(section)
    return _compose(Settings, tuple(usable))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
