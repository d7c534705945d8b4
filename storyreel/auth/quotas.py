"""Daily quotas, layered system < plan < user < project (each layer sets only what it names),
and the usage they are checked against, counted from the task and render tables so every
process agrees without a separate counter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Project, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import usage
from storyreel.settings import QuotaLimits, Settings


class QuotaExceeded(Exception):
    def __init__(self, quota: str, limit: float, used: float, resets_at: datetime) -> None:
        self.quota, self.limit, self.used, self.resets_at = quota, limit, used, resets_at
        super().__init__(
            f"daily quota {quota} reached ({used:g} used of {limit:g}); "
            f"it resets at {resets_at.isoformat()}"
        )


class OverLimit(Exception):
    """One video is larger than a per-video limit (``max_duration_s``, ``max_resolution``):
    no waiting helps, a smaller request or a higher plan does."""

    def __init__(self, quota: str, limit: float, value: float) -> None:
        self.quota, self.limit, self.value = quota, limit, value
        super().__init__(f"{quota} is {limit:g} for this account; {value:g} was asked for")


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
    return usage.day_start(now), usage.next_day(now)


def usage_today(session: Session, user_id: str, now: datetime | None = None) -> Usage:
    """Images and videos from the ledger (charged as work is submitted or re-run); render
    seconds from today's renders, plus the ledger's for renders of deleted projects."""
    start, _ = day_window(now)
    ledger = usage.totals(session, user_id, start)
    seconds = usage.render_seconds_since(session, user_id, start)
    return Usage(ledger.images, ledger.videos, seconds + ledger.render_seconds)


def carry_over(session: Session, project: Project, now: datetime | None = None) -> None:
    """Before ``project`` is deleted: its renders go with it, but their seconds still count."""
    start, _ = day_window(now)
    seconds = usage.project_render_seconds_since(session, project.id, start)
    if seconds and project.owner_id:
        usage.charge(session, project.owner_id, render_seconds=seconds, now=now)
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
    """Raise ``OverLimit`` if one video is larger than the account may make, and
    ``QuotaExceeded`` if doing this much more today would pass a daily limit. Admins have no
    quotas."""
    if user.role == "admin":
        return
    limits = effective_limits(settings, user, project)
    _, resets = day_window()
    if limits.max_resolution is not None and resolution and resolution > limits.max_resolution:
        raise OverLimit("max_resolution", limits.max_resolution, resolution)
    if limits.max_duration_s is not None and duration_s and duration_s > limits.max_duration_s:
        raise OverLimit("max_duration_s", limits.max_duration_s, duration_s)
    if not (images or videos or render_seconds):
        return
    # Two requests of one user checked at once must not both pass on the same remaining quota:
    # the account row is locked until this transaction (which records the new work) ends.
    # (SQLite transactions are serialised by its write lock already.)
    accounts_repo.lock_user(session, user.id)
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


def check_within(session: Session, settings: Settings, user: User, project: Project | None) -> None:
    """After a change that may have re-run counted work (its charges are in this transaction):
    raise ``QuotaExceeded`` if the day is now over a limit, so the caller rolls it all back."""
    if user.role == "admin":
        return
    accounts_repo.lock_user(session, user.id)
    session.flush()
    limits = effective_limits(settings, user, project)
    used = usage_today(session, user.id)
    _, resets = day_window()
    for name, limit, so_far in (
        ("images_per_day", limits.images_per_day, used.images),
        ("videos_per_day", limits.videos_per_day, used.videos),
    ):
        if limit is not None and so_far > limit:
            raise QuotaExceeded(name, limit, so_far, resets)
