"""Administration: users (role, plan, quotas, disable), usage per user and day, project quota
overrides and system status — administrators only. ``GET /usage`` is every user's own view."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import AdminUser, CurrentUser, DbDep, StateDep
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.auth import quotas
from storyreel.db.models import Project, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import admin as repo
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import webhooks as webhooks_repo
from storyreel.db.repositories import workers as workers_repo
from storyreel.db.types import utcnow
from storyreel.settings import QuotaLimits, Settings
from storyreel.tasks.model import RESOURCES

router = APIRouter(tags=["admin"])

Role = Literal["admin", "user", "viewer", "guest"]
THROUGHPUT_WINDOWS = {"1m": 60, "5m": 300, "15m": 900}
QUEUE_STATUSES = ("blocked", "queued", "running")


class AdminUserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    role: str
    plan: str
    disabled: bool
    quotas: dict[str, Any] = Field(description="This user's own quota overrides.")
    created_at: datetime


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    plan: str | None = Field(None, max_length=32, description="One of the configured plans.")
    disabled: bool | None = Field(
        None, description="Disabled accounts cannot log in; their refresh tokens are revoked."
    )
    quotas: QuotaLimits | None = Field(
        None,
        description="Overrides to change: a number sets one, null removes it (the plan's "
        "value applies again); quotas not named keep their override.",
    )


class TodayUsage(BaseModel):
    images: int
    videos: int
    render_seconds: float


class CapabilityUsage(BaseModel):
    calls: int
    cost: float


class DayUsageOut(BaseModel):
    date: str = Field(description="UTC day, YYYY-MM-DD.")
    images: int = 0
    videos: int = 0
    render_seconds: float = 0.0
    provider_calls: int = 0
    provider_cost: float = 0.0
    by_capability: dict[str, CapabilityUsage] = {}


class UserUsageOut(BaseModel):
    user_id: str
    plan: str
    days: list[DayUsageOut] = Field(description="One entry per UTC day, oldest first.")
    today: TodayUsage = Field(description="What the quotas count today.")
    quotas: QuotaLimits = Field(description="The effective quotas (system < plan < user).")
    resets_at: datetime


class ProjectQuotasOut(BaseModel):
    project_id: str
    quotas: dict[str, Any] = Field(description="This project's own quota overrides.")
    effective: QuotaLimits | None = Field(
        description="The owner's effective quotas inside this project."
    )


class WorkerOut(BaseModel):
    worker: str
    running: int
    last_heartbeat_at: datetime | None = Field(
        description="Estimated from the newest lease it renewed (lease expiry − lease length)."
    )
    lease_expires_at: datetime | None
    busy_since: datetime | None


class RegisteredWorkerOut(BaseModel):
    """A process that runs tasks, from the worker registry."""

    id: str = Field(description="The worker's name: host:pid:suffix, as task leases name it.")
    host: str
    pid: int
    version: str = Field(description="The storyreel version it runs.")
    executor: str
    queues: list[str] = Field(description="The resource classes it serves.")
    state: workers_repo.WorkerState = Field(
        description="running or idle while it heartbeats; lost when silent past the task "
        "lease (killed, frozen, cut off); stopped after a clean exit."
    )
    started_at: datetime
    last_heartbeat_at: datetime
    stopped_at: datetime | None
    task_id: str | None = Field(description="What it runs now (its longest-running task).")
    task_kind: str | None
    tasks_running: int
    gpu_name: str | None
    gpu_memory_mb: int | None


class RunningTaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    resource: str
    owner_id: str | None
    project_id: str | None
    lease_owner: str | None
    attempts: int
    progress: float
    message: str
    started_at: datetime | None


class WebhookBacklog(BaseModel):
    pending: int
    delivering: int
    failed: int
    succeeded: int
    oldest_waiting_at: datetime | None


class SystemStatus(BaseModel):
    generated_at: datetime
    queues: dict[str, dict[str, int]] = Field(
        description="Unfinished tasks per resource class and status."
    )
    running: int
    running_tasks: list[RunningTaskOut] = Field(description="Up to 50, longest running first.")
    workers: list[WorkerOut] = Field(description="Lease owners of running tasks.")
    finished: dict[str, dict[str, dict[str, int]]] = Field(
        description="Tasks finished in the last 1/5/15 minutes: window → kind → status → count."
    )
    failed: dict[str, int] = Field(description="Tasks that failed in each window.")
    webhooks: WebhookBacklog


def _user(s: Session, user_id: str) -> User:
    user = accounts_repo.user(s, user_id)
    if user is None:
        raise errors.NotFound(f"no user {user_id}")
    return user


def _merge_overrides(current: dict[str, Any] | None, change: QuotaLimits) -> dict[str, Any]:
    merged = dict(current or {})
    for name in change.model_fields_set:
        value = getattr(change, name)
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def _check_plan(settings: Settings, plan: str) -> None:
    if plan not in settings.plans:
        valid = ", ".join(sorted(settings.plans))
        message = f"unknown plan {plan!r}; valid plans: {valid}"
        raise errors.Unprocessable(
            message, errors=[errors.FieldError(field="plan", message=message)]
        )


@router.get("/admin/users", response_model=Page[AdminUserOut])
def list_users(
    _: AdminUser,
    db: DbDep,
    search: Annotated[
        str | None, Query(max_length=320, pattern=r"^[^\x00]*$", description="Part of the email.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[AdminUserOut]:
    """Every account, oldest first; ``search`` filters by email."""
    with db.read() as s:
        rows, total = accounts_repo.users_page(s, (page - 1) * page_size, page_size, search)
        items = [AdminUserOut.model_validate(u) for u in rows]
    return Page(items=items, page=page, page_size=page_size, total=total)


@router.get("/admin/users/{user_id}", response_model=AdminUserOut)
def get_user(user_id: str, _: AdminUser, db: DbDep) -> AdminUserOut:
    with db.read() as s:
        return AdminUserOut.model_validate(_user(s, user_id))


@router.patch("/admin/users/{user_id}", response_model=AdminUserOut)
def update_user(
    user_id: str, body: UserPatch, admin: AdminUser, state: StateDep, db: DbDep
) -> AdminUserOut:
    """Set a user's role, plan, quota overrides or disabled flag."""
    if body.plan is not None:
        _check_plan(state.settings, body.plan)
    if user_id == admin.id and body.role not in (None, "admin"):
        raise errors.Conflict("you cannot remove your own admin role; ask another administrator")
    if user_id == admin.id and body.disabled:
        raise errors.Conflict("you cannot disable your own account")
    with db.write() as s:
        user = _user(s, user_id)
        if body.role is not None:
            user.role = body.role
        if body.plan is not None:
            user.plan = body.plan
        if body.quotas is not None:
            user.quotas = _merge_overrides(user.quotas, body.quotas)
        if body.disabled is not None:
            if body.disabled and not user.disabled:
                accounts_repo.revoke_user_tokens(s, user.id, utcnow())
            user.disabled = body.disabled
        s.flush()
        out = AdminUserOut.model_validate(user)
    # After the commit: every process forgets the cached account (which would otherwise keep
    # the old role or let a disabled user in for a few seconds more), and the account's open
    # WebSockets re-check what they may still see.
    state.access_changed("account changed by an administrator", user_id=user_id)
    return out


def _usage(s: Session, settings: Settings, user: User, days: int) -> UserUsageOut:
    start, resets = quotas.day_window()
    first = start - timedelta(days=days - 1)
    found = repo.usage_by_day(s, user.id, first)
    listed = []
    for i in range(days):
        day = (first + timedelta(days=i)).strftime("%Y-%m-%d")
        row = found.get(day)
        listed.append(
            DayUsageOut(
                date=day,
                images=row.images,
                videos=row.videos,
                render_seconds=row.render_seconds,
                provider_calls=row.provider_calls,
                provider_cost=row.provider_cost,
                by_capability={
                    k: CapabilityUsage(calls=int(v["calls"]), cost=v["cost"])
                    for k, v in (row.by_capability or {}).items()
                },
            )
            if row is not None
            else DayUsageOut(date=day)
        )
    today = quotas.usage_today(s, user.id)
    return UserUsageOut(
        user_id=user.id,
        plan=user.plan,
        days=listed,
        today=TodayUsage(
            images=today.images, videos=today.videos, render_seconds=today.render_seconds
        ),
        quotas=quotas.effective_limits(settings, user),
        resets_at=resets,
    )


@router.get("/admin/users/{user_id}/usage", response_model=UserUsageOut)
def get_user_usage(
    user_id: str,
    _: AdminUser,
    state: StateDep,
    db: DbDep,
    days: Annotated[int, Query(ge=1, le=90, description="How many UTC days, today included.")] = 7,
) -> UserUsageOut:
    """A user's usage per day (images, videos, render seconds, provider calls and cost) and
    their effective quotas."""
    with db.read() as s:
        return _usage(s, state.settings, _user(s, user_id), days)


@router.get("/usage", response_model=UserUsageOut)
def get_my_usage(
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    days: Annotated[int, Query(ge=1, le=90, description="How many UTC days, today included.")] = 1,
) -> UserUsageOut:
    """Your own usage and quotas: what today counts, and when the daily quotas reset."""
    with db.read() as s:
        return _usage(s, state.settings, user, days)


def _project(s: Session, project_id: str) -> Project:
    project = projects_repo.get(s, project_id)
    if project is None:
        raise errors.NotFound(f"no project {project_id}")
    return project


@router.patch("/admin/projects/{project_id}/quotas", response_model=ProjectQuotasOut)
def set_project_quotas(
    project_id: str, body: QuotaLimits, _: AdminUser, state: StateDep, db: DbDep
) -> ProjectQuotasOut:
    """Override quotas for one project (the last layer: system < plan < user < project); a
    null removes an override."""
    with db.write() as s:
        project = _project(s, project_id)
        project.quotas = _merge_overrides(project.quotas, body)
        s.flush()
        owner = accounts_repo.user(s, project.owner_id) if project.owner_id else None
        effective = quotas.effective_limits(state.settings, owner, project) if owner else None
        return ProjectQuotasOut(
            project_id=project.id, quotas=dict(project.quotas), effective=effective
        )


@router.get("/admin/workers", response_model=Page[RegisteredWorkerOut])
def list_workers(
    _: AdminUser,
    state: StateDep,
    db: DbDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[RegisteredWorkerOut]:
    """Every registered worker (stopped and lost ones are kept for a day), live ones first,
    newest heartbeat first."""
    now = utcnow()
    with db.read() as s:
        rows, total = workers_repo.page(s, (page - 1) * page_size, page_size)
        items = [
            RegisteredWorkerOut(
                id=w.id,
                host=w.host,
                pid=w.pid,
                version=w.version,
                executor=w.executor,
                queues=[str(q) for q in w.queues or []],
                state=workers_repo.state_of(w, now, state.settings.lease_s),
                started_at=w.started_at,
                last_heartbeat_at=w.last_heartbeat_at,
                stopped_at=w.stopped_at,
                task_id=w.task_id,
                task_kind=w.task_kind,
                tasks_running=w.tasks_running,
                gpu_name=w.gpu_name,
                gpu_memory_mb=w.gpu_memory_mb,
            )
            for w in rows
        ]
    return Page(items=items, page=page, page_size=page_size, total=total)


@router.get("/admin/status", response_model=SystemStatus)
def get_system_status(_: AdminUser, state: StateDep, db: DbDep) -> SystemStatus:
    """Queues per resource class, running tasks, workers, throughput and the webhook backlog."""
    now = utcnow()
    lease = timedelta(seconds=state.settings.lease_s)
    with db.read() as s:
        by_resource = repo.tasks_by_resource(s)
        running = repo.running(s)
        workers = repo.workers(s)
        finished = repo.finished_since(s, list(THROUGHPUT_WINDOWS.values()), now)
        deliveries = webhooks_repo.counts_by_status(s)
        oldest = webhooks_repo.oldest_waiting(s)
        running_out = [RunningTaskOut.model_validate(t) for t in running]
    queues = {
        resource: {
            status: by_resource.get(resource, {}).get(status, 0) for status in QUEUE_STATUSES
        }
        for resource in sorted({*RESOURCES, *by_resource})
    }
    windows: dict[str, dict[str, dict[str, int]]] = {w: {} for w in THROUGHPUT_WINDOWS}
    failed = dict.fromkeys(THROUGHPUT_WINDOWS, 0)
    for (kind, status), counts in finished.items():
        for window, n in zip(THROUGHPUT_WINDOWS, counts, strict=True):
            if n:
                windows[window].setdefault(kind, {})[status] = n
                if status == "failed":
                    failed[window] += n
    return SystemStatus(
        generated_at=now,
        queues=queues,
        running=sum(q["running"] for q in queues.values()),
        running_tasks=running_out,
        workers=[
            WorkerOut(
                worker=w.worker,
                running=w.running,
                last_heartbeat_at=w.lease_expires_at - lease if w.lease_expires_at else None,
                lease_expires_at=w.lease_expires_at,
                busy_since=w.oldest_started_at,
            )
            for w in workers
        ],
        finished=windows,
        failed=failed,
        webhooks=WebhookBacklog(
            pending=deliveries.get(webhooks_repo.PENDING, 0),
            delivering=deliveries.get(webhooks_repo.DELIVERING, 0),
            failed=deliveries.get(webhooks_repo.FAILED, 0),
            succeeded=deliveries.get(webhooks_repo.SUCCEEDED, 0),
            oldest_waiting_at=oldest,
        ),
    )
