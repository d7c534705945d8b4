"""The tables; the SQL that reads and writes them lives in ``storyreel.db.repositories``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storyreel.db.types import JSONType, UTCDateTime, new_id, utcnow

# Stable constraint names, so migrations can name what they alter on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        datetime: UTCDateTime,
    }


def _id() -> Mapped[str]:
    return mapped_column(String(32), primary_key=True, default=new_id)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = _id()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16), default="user")  # user | admin
    plan: Mapped[str] = mapped_column(String(32), default="free")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-user quota overrides (``QuotaLimits`` fields), layered over system and plan defaults.
    quotas: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The account's provider routes (``{"image": {"providers": [...], "strategy": "cost"}}``),
    # over the system's and under a project's.
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = _created()


class RefreshToken(Base):
    """One issued refresh token (its JWT ``jti``). Rotation revokes it and issues the next in the
    same family; presenting a revoked one again revokes the whole family (token theft)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = _created()


class ApiKey(Base):
    """A long-lived credential for programs; only a SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = _id()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so users can tell keys apart
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = _id()
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text)
    style: Mapped[str] = mapped_column(String(64))
    aspect: Mapped[str] = mapped_column(String(8), default="16:9")
    language: Mapped[str] = mapped_column(String(8), default="auto")  # as asked
    detected_language: Mapped[str | None] = mapped_column(String(8))  # as the storyboard found
    voice: Mapped[str] = mapped_column(String(64), default="auto")
    voice_rate: Mapped[float] = mapped_column(Float, default=1.0)
    music: Mapped[str | None] = mapped_column(String(64), default="auto")
    target_seconds: Mapped[float | None] = mapped_column(Float)
    max_shots: Mapped[int] = mapped_column(Integer, default=60)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    quality: Mapped[str] = mapped_column(String(16), default="final")
    auto: Mapped[bool] = mapped_column(Boolean, default=True)  # plan the whole pipeline
    # Subtitles carry each shot's ``original_narration`` as a second, smaller line.
    bilingual_subtitles: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-project quota overrides (admin-set), the last layer over system < plan < user.
    quotas: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The project's provider routes, the top layer over the system's and the owner's.
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the owner lets this project's provider calls cost in all (None: no own limit).
    budget: Mapped[float | None] = mapped_column(Float)
    # Where the project came from when not the API: ``make:/abs/path/film.mp4`` for a film
    # made by ``storyreel make``, so making it again finds it.
    origin: Mapped[str | None] = mapped_column(String(1024), index=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProjectMember(Base):
    """A project shared with another account, read-only (role ``viewer``)."""

    __tablename__ = "project_members"

    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    created_at: Mapped[datetime] = _created()


class Character(Base):
    __tablename__ = "characters"
    __table_args__ = (Index("ix_characters_project_key", "project_id", "key", unique=True),)

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # the storyboard's character id
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(7), default="#c0504d")
    reference_asset_id: Mapped[str | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL")
    )


class Shot(Base):
    __tablename__ = "shots"
    __table_args__ = (Index("ix_shots_project_position", "project_id", "position"),)

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))  # the storyboard's shot id
    scene: Mapped[int] = mapped_column(Integer, default=0)
    narration: Mapped[str] = mapped_column(Text)
    visual_prompt: Mapped[str] = mapped_column(Text)
    negative_prompt: Mapped[str] = mapped_column(Text, default="")
    shot_type: Mapped[str] = mapped_column(String(16), default="medium")
    camera_motion: Mapped[str] = mapped_column(String(16), default="none")
    characters: Mapped[list[Any]] = mapped_column(default=list)
    setting: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[str] = mapped_column(String(100), default="")
    time_of_day: Mapped[str] = mapped_column(String(50), default="")
    duration_hint: Mapped[float] = mapped_column(Float, default=5.0)
    # The narration this shot's was translated from ('' if none): bilingual subtitles show it.
    original_narration: Mapped[str] = mapped_column(Text, default="")
    image_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    voice_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    clip_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    motion: Mapped[dict[str, Any] | None] = mapped_column()  # the renderer's Motion plan
    voice_seconds: Mapped[float | None] = mapped_column(Float)
    words: Mapped[list[Any] | None] = mapped_column()  # word timings, when the voice knows them
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Asset(Base):
    """A file in the blob store (content-addressed key) and what it is."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_project_kind", "project_id", "kind"),)

    id: Mapped[str] = _id()
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # image | voice | clip | music | video | ...
    blob_key: Mapped[str] = mapped_column(String(512))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = _created()


class Render(Base):
    __tablename__ = "renders"

    id: Mapped[str] = _id()
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    quality: Mapped[str] = mapped_column(String(16))
    video_asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    poster_asset_id: Mapped[str | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL")
    )
    contact_sheet_asset_id: Mapped[str | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL")
    )
    srt_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    duration: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    segments_encoded: Mapped[int] = mapped_column(Integer, default=0)
    segments_reused: Mapped[int] = mapped_column(Integer, default=0)
    # The quality check before the render was called done (media/qc_report.QcReport.to_dict)
    # and what it made of it: "ok" or "attention" (a failed check; the reasons are in the
    # report). None: checked by nobody (turned off, or a render from before the check).
    qc_report: Mapped[dict[str, Any] | None] = mapped_column()
    qc_outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created()


class Task(Base):
    """One step of work; the task table is the truth every executor reads (DESIGN.md, Tasks)."""

    __tablename__ = "tasks"
    __table_args__ = (
        # The claim query: ready work of one resource class, highest priority, oldest first.
        Index("ix_tasks_claim", "status", "resource", "priority", "created_at"),
        Index("ix_tasks_lease", "status", "lease_expires_at"),
        Index("ix_tasks_project", "project_id", "kind"),
    )

    id: Mapped[str] = _id()
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    shot_id: Mapped[str | None] = mapped_column(ForeignKey("shots.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="blocked")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    resource: Mapped[str] = mapped_column(String(8), default="cpu")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs started
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    # Runs lost with their worker (the reaper found the lease expired): not the task's failures,
    # so they do not spend its attempts; bounded by ``reaper.MAX_LOST_RUNS`` on their own.
    lost_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    timeout_s: Mapped[float] = mapped_column(Float, default=600.0)
    not_before: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    fence: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[dict[str, Any] | None] = mapped_column()  # {code, message, retryable}
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created()
    queued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TaskDependency(Base):
    __tablename__ = "task_dependencies"

    task_id: Mapped[str] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[str] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class UsageRecord(Base):
    """What one provider call cost, for accounting and quotas."""

    __tablename__ = "usage_records"
    # Budgets add up an account's spending since the start of the day.
    __table_args__ = (Index("ix_usage_records_owner_created", "owner_id", "created_at"),)

    id: Mapped[str] = _id()
    task_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    capability: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    # Providers the router passed over before this one, and why (``[{"provider", "reason"}]``).
    failovers: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = _created()


class ProviderKey(Base):
    """An account's own key for a provider (``storyreel.providers.keys.KEY_SLOTS``), encrypted
    under the server's secret; the API shows only ``hint``."""

    __tablename__ = "provider_keys"
    __table_args__ = (Index("ix_provider_keys_user_slot", "user_id", "slot", unique=True),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Webhook(Base):
    """A URL a user wants told about events; its signing secret is derived, never stored."""

    __tablename__ = "webhooks"

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _created()


class WebhookDelivery(Base):
    """One event for one webhook: the delivery log and the retry queue in one row."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_event", "webhook_id", "event_id", unique=True),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = _id()
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|succeeded|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    delivered_at: Mapped[datetime | None] = mapped_column()


class IdempotencyRecord(Base):
    """The first response to a POST with an ``Idempotency-Key``, replayed for the same body."""

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_user_key", "user_id", "key", unique=True),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = _created()


class UsageLedger(Base):
    """What counts against a user's daily quotas, appended as work is asked for: a task of a
    counted kind submitted or run again, the render seconds of a deleted project. Rows are never
    updated or removed with projects, so no edit, re-run or deletion gives quota back."""

    __tablename__ = "usage_ledger"
    __table_args__ = (Index("ix_usage_ledger_user_day", "user_id", "day"),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[datetime] = mapped_column()  # the UTC day's start
    images: Mapped[int] = mapped_column(Integer, default=0)
    videos: Mapped[int] = mapped_column(Integer, default=0)
    render_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = _created()


class Worker(Base):
    """A process that runs tasks (``storyreel worker``, or ``storyreel serve`` running the
    embedded executor): registered at start, its heartbeat renewed on an interval, marked
    stopped on a clean exit. One silent past the lease is lost (``repositories.workers``)."""

    __tablename__ = "workers"
    __table_args__ = (Index("ix_workers_last_heartbeat_at", "last_heartbeat_at"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # the runner's lease owner
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(64))
    executor: Mapped[str] = mapped_column(String(32))
    queues: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime] = _created()
    last_heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What it runs now (the longest-running of its tasks) and how many; None/0 when idle.
    task_id: Mapped[str | None] = mapped_column(String(32))
    task_kind: Mapped[str | None] = mapped_column(String(64))
    tasks_running: Mapped[int] = mapped_column(Integer, default=0)
    gpu_name: Mapped[str | None] = mapped_column(String(255))
    gpu_memory_mb: Mapped[int | None] = mapped_column(Integer)
    stopped_at: Mapped[datetime | None] = mapped_column()


class AssistantConversation(Base):
    """One person's conversation with the assistant (``storyreel.domain.assistant``): its whole
    state (brief, issues, turns) as JSON, the script written from it, the project made from it."""

    __tablename__ = "assistant_conversations"
    __table_args__ = (Index("ix_assistant_conversations_owner", "owner_id", "updated_at"),)

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    script: Mapped[str | None] = mapped_column(Text)
    script_title: Mapped[str | None] = mapped_column(String(200))
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AssistantTemplate(Base):
    """A template an admin added to the assistant's library (the shape of the built-in TOML
    files, ``storyreel.domain.assistant.templates.Template``); one with a built-in's id
    replaces it."""

    __tablename__ = "assistant_templates"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
