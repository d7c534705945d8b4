"""SQL for the quota usage ledger (append-only; see ``UsageLedger``) and the render seconds
quotas count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyreel.db.models import Project, Render, UsageLedger
from storyreel.db.types import utcnow

UNITS = ("images", "videos", "render_seconds")


@dataclass(frozen=True)
class DayTotals:
    images: int = 0
    videos: int = 0
    render_seconds: float = 0.0


def day_start(now: datetime | None = None) -> datetime:
    """Quotas count per UTC day."""
    return (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)


def next_day(now: datetime | None = None) -> datetime:
    return day_start(now) + timedelta(days=1)


def charge(
    session: Session,
    user_id: str,
    *,
    images: int = 0,
    videos: int = 0,
    render_seconds: float = 0.0,
    now: datetime | None = None,
) -> None:
    if images or videos or render_seconds:
        session.add(
            UsageLedger(
                user_id=user_id,
                day=day_start(now),
                images=images,
                videos=videos,
                render_seconds=render_seconds,
            )
        )


def totals(session: Session, user_id: str, day: datetime) -> DayTotals:
    row = session.execute(
        select(
            func.coalesce(func.sum(UsageLedger.images), 0),
            func.coalesce(func.sum(UsageLedger.videos), 0),
            func.coalesce(func.sum(UsageLedger.render_seconds), 0.0),
        ).where(UsageLedger.user_id == user_id, UsageLedger.day == day)
    ).one()
    return DayTotals(int(row[0]), int(row[1]), float(row[2]))


def render_seconds_since(session: Session, user_id: str, start: datetime) -> float:
    """Seconds of the renders of the user's (existing) projects made since ``start``."""
    seconds = session.scalar(
        select(func.coalesce(func.sum(Render.duration), 0.0))
        .join(Project, Project.id == Render.project_id)
        .where(Project.owner_id == user_id, Render.created_at >= start)
    )
    return float(seconds or 0.0)


def project_render_seconds_since(session: Session, project_id: str, start: datetime) -> float:
    """Seconds of the project's renders made since ``start``."""
    seconds = session.scalar(
        select(func.coalesce(func.sum(Render.duration), 0.0)).where(
            Render.project_id == project_id, Render.created_at >= start
        )
    )
    return float(seconds or 0.0)
