"""Daily quotas, layered system < plan < user < project (each layer sets only what it names),
and the usage they are checked against, counted from the task and render tables so every
process agrees without a separate counter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyreel.db.models import Project, Render, Task, UsageCarryover, User
from storyreel.db.types import utcnow
from storyreel.settings import QuotaLimits, Settings

IMAGE_KINDS = ("image", "image.generate")
VIDEO_KINDS = ("render", "video.generate")


class QuotaExceeded(Exception):
    def __init__(self, quota: str, limit: float, used: float, resets_at: datetime) -> None:
        self.quota, self.limit, self.used, self.resets_at = quota, limit, used, resets_at
        super().__init__(
            f"daily quota {quota} reached ({used:g} used of {limit:g}); "
            f"it resets at {resets_at.isoformat()}"
        )


@dataclass(frozen=True)
class Usage:
    images: int
    videos: int
    render_seconds: float


def effective_limits(settings: Settings, user: User, project: Project | None = None) -> QuotaLimits:
    plan_name = "guest" if user.role == "guest" and "guest" in settings.plans else user.plan
    plan = settings.plans.get(plan_name) or settings.plans[settings.default_plan]
    layers: list[dict[str, Any]] = [
        settings.quotas.model_dump(),
        plan.quotas.model_dump(exclude_none=True),
        {k: v for k, v in (user.quotas or {}).items() if v is not None},
    ]
    if project is not None:
        layers.append({k: v for k, v in (project.quotas or {}).items() if v is not None})
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    return QuotaLimits.model_validate(merged)


def priority_for(settings: Settings, user: User) -> int:
    plan = settings.plans.get(user.plan) or settings.plans[settings.default_plan]
    return plan.priority if user.role != "guest" else min(plan.priority, -10)


def day_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Quotas count per UTC day."""
    now = now or utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def usage_today(session: Session, user_id: str, now: datetime | None = None) -> Usage:
    start, _ = day_window(now)

    def count(kinds: tuple[str, ...]) -> int:
        q = select(func.count()).where(
            Task.owner_id == user_id, Task.kind.in_(kinds), Task.created_at >= start
        )
        return int(session.scalar(q) or 0)

    seconds = session.scalar(
        select(func.coalesce(func.sum(Render.duration), 0.0))
        .join(Project, Project.id == Render.project_id)
        .where(Project.owner_id == user_id, Render.created_at >= start)
    )
    carried = session.execute(
        select(
            func.coalesce(func.sum(UsageCarryover.images), 0),
            func.coalesce(func.sum(UsageCarryover.videos), 0),
            func.coalesce(func.sum(UsageCarryover.render_seconds), 0.0),
        ).where(UsageCarryover.user_id == user_id, UsageCarryover.day == start)
    ).one()
    return Usage(
        count(IMAGE_KINDS) + int(carried[0]),
        count(VIDEO_KINDS) + int(carried[1]),
        float(seconds or 0.0) + float(carried[2]),
    )


def carry_over(session: Session, project: Project, now: datetime | None = None) -> None:
    """Before ``project`` is deleted: keep what it used today on its owners' accounts."""
    start, _ = day_window(now)

    def counts(kinds: tuple[str, ...]) -> dict[str, int]:
        q = (
            select(Task.owner_id, func.count())
            .where(Task.project_id == project.id, Task.kind.in_(kinds), Task.created_at >= start)
            .group_by(Task.owner_id)
        )
        return {owner: int(n) for owner, n in session.execute(q) if owner is not None}

    images, videos = counts(IMAGE_KINDS), counts(VIDEO_KINDS)
    seconds = float(
        session.scalar(
            select(func.coalesce(func.sum(Render.duration), 0.0)).where(
                Render.project_id == project.id, Render.created_at >= start
            )
        )
        or 0.0
    )
    owners = (
        set(images) | set(videos) | ({project.owner_id} if seconds and project.owner_id else set())
    )
    for owner in owners:
        session.add(
            UsageCarryover(
                user_id=owner,
                day=start,
                images=images.get(owner, 0),
                videos=videos.get(owner, 0),
                render_seconds=seconds if owner == project.owner_id else 0.0,
            )
        )
    session.flush()


def check(
    session: Session,
    settings: Settings,
    user: User,
    project: Project | None = None,
    *,
    images: int = 0,
    videos: int = 0,
    render_seconds: float = 0.0,
    resolution: int | None = None,
    duration_s: float | None = None,
) -> None:
    """Raise ``QuotaExceeded`` if doing this much more today would pass a limit. Admins have no
    quotas."""
    if user.role == "admin":
        return
    limits = effective_limits(settings, user, project)
    _, resets = day_window()
    if limits.max_resolution is not None and resolution and resolution > limits.max_resolution:
        raise QuotaExceeded("max_resolution", limits.max_resolution, resolution, resets)
    if limits.max_duration_s is not None and duration_s and duration_s > limits.max_duration_s:
        raise QuotaExceeded("max_duration_s", limits.max_duration_s, duration_s, resets)
    if not (images or videos or render_seconds):
        return
    used = usage_today(session, user.id)
    wanted = (
        ("images_per_day", limits.images_per_day, used.images, images),
        ("videos_per_day", limits.videos_per_day, used.videos, videos),
        (
            "render_seconds_per_day",
            limits.render_seconds_per_day,
            used.render_seconds,
            render_seconds,
        ),
    )
    for name, limit, so_far, more in wanted:
        if more and limit is not None and so_far + more > limit:
            raise QuotaExceeded(name, limit, so_far, resets)
