"""SQL for operators: usage per user and day, queue and worker status, and the aggregates the
Prometheus collector reads at scrape time. Every query here is one GROUP BY, so it stays cheap
and is correct across processes (the database is the truth, not a per-process counter)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, distinct, extract, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storyreel.db.models import Project, Render, Task, UsageLedger, UsageRecord, User
from storyreel.db.types import utcnow

ACTIVE = ("blocked", "queued", "running")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _day(session: Session, column: Any) -> ColumnElement[Any]:
    """A timestamp's UTC calendar day as ``YYYY-MM-DD`` text."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)  # SQLite keeps UTC timestamps without a zone


def _seconds(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in seconds, as a float."""
    if _dialect(session) == "postgresql":
        return cast(extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


# --- usage ----------------------------------------------------------------------------------


@dataclass
class DayUsage:
    date: str
    images: int = 0
    videos: int = 0
    render_seconds: float = 0.0
    provider_calls: int = 0
    provider_cost: float = 0.0
    by_capability: dict[str, dict[str, float]] | None = None


def usage_by_day(session: Session, user_id: str, since: datetime) -> dict[str, DayUsage]:
    """What ``user_id`` used per UTC day since ``since``, counted as the quotas count it:
    images and videos from the usage ledger, seconds of video rendered in their projects (and
    in deleted ones, from the ledger), and provider calls (with their cost) from the usage
    records."""
    days: dict[str, DayUsage] = {}

    def at(day: Any) -> DayUsage:
        key = str(day)
        return days.setdefault(key, DayUsage(key, by_capability={}))

    ledger_day = _day(session, UsageLedger.day)
    rows = session.execute(
        select(
            ledger_day,
            func.sum(UsageLedger.images),
            func.sum(UsageLedger.videos),
            func.sum(UsageLedger.render_seconds),
        )
        .where(UsageLedger.user_id == user_id, UsageLedger.day >= since)
        .group_by(ledger_day)
    )
    for day, images, videos, seconds in rows:
        at(day).images += int(images or 0)
        at(day).videos += int(videos or 0)
        at(day).render_seconds += float(seconds or 0.0)

    render_day = _day(session, Render.created_at)
    renders = session.execute(
        select(render_day, func.coalesce(func.sum(Render.duration), 0.0))
        .join(Project, Project.id == Render.project_id)
        .where(Project.owner_id == user_id, Render.created_at >= since)
        .group_by(render_day)
    )
    for day, seconds in renders:
        at(day).render_seconds += float(seconds or 0.0)

    usage_day = _day(session, UsageRecord.created_at)
    calls_rows = session.execute(
        select(
            usage_day,
            UsageRecord.capability,
            func.count(),
            func.coalesce(func.sum(UsageRecord.cost), 0.0),
        )
        .where(UsageRecord.owner_id == user_id, UsageRecord.created_at >= since)
        .group_by(usage_day, UsageRecord.capability)
    )
    for day, capability, calls, cost in calls_rows:
        entry = at(day)
        entry.provider_calls += int(calls)
        entry.provider_cost += float(cost or 0.0)
        assert entry.by_capability is not None
        entry.by_capability[str(capability)] = {"calls": int(calls), "cost": float(cost or 0.0)}
    return days


# --- system status --------------------------------------------------------------------------


def tasks_by_resource(session: Session) -> dict[str, dict[str, int]]:
    """Unfinished tasks per resource class and status (the queues)."""
    q = (
        select(Task.resource, Task.status, func.count())
        .where(Task.status.in_(ACTIVE))
        .group_by(Task.resource, Task.status)
    )
    out: dict[str, dict[str, int]] = {}
    for resource, status, n in session.execute(q):
        out.setdefault(str(resource), {})[str(status)] = int(n)
    return out


def running(session: Session, limit: int = 50) -> list[Task]:
    q = select(Task).where(Task.status == "running").order_by(Task.started_at, Task.id).limit(limit)
    return list(session.scalars(q))


@dataclass(frozen=True)
class WorkerRow:
    worker: str
    running: int
    lease_expires_at: datetime | None
    oldest_started_at: datetime | None


def workers(session: Session) -> list[WorkerRow]:
    """Workers seen through the leases of the tasks they run right now."""
    q = (
        select(
            Task.lease_owner,
            func.count(),
            func.max(Task.lease_expires_at),
            func.min(Task.started_at),
        )
        .where(Task.status == "running", Task.lease_owner.is_not(None))
        .group_by(Task.lease_owner)
        .order_by(Task.lease_owner)
    )
    return [WorkerRow(str(w), int(n), exp, started) for w, n, exp, started in session.execute(q)]


def finished_since(
    session: Session, windows_s: Sequence[int], now: datetime | None = None
) -> dict[tuple[str, str], list[int]]:
    """Tasks finished within each window (seconds back from now), per (kind, status)."""
    now = now or utcnow()
    cutoffs = [now - timedelta(seconds=w) for w in windows_s]
    q = (
        select(
            Task.kind,
            Task.status,
            *[func.sum(case((Task.finished_at >= c, 1), else_=0)) for c in cutoffs],
        )
        .where(
            Task.finished_at >= min(cutoffs), Task.status.in_(("succeeded", "failed", "cancelled"))
        )
        .group_by(Task.kind, Task.status)
    )
    return {
        (str(row[0]), str(row[1])): [int(n or 0) for n in row[2:]] for row in session.execute(q)
    }


# --- metrics --------------------------------------------------------------------------------


def tasks_by_kind_status(session: Session) -> list[tuple[str, str, int]]:
    q = select(Task.kind, Task.status, func.count()).group_by(Task.kind, Task.status)
    return [(str(k), str(s), int(n)) for k, s, n in session.execute(q)]


def distinct_workers(session: Session) -> int:
    q = select(func.count(distinct(Task.lease_owner))).where(Task.status == "running")
    return int(session.scalar(q) or 0)


@dataclass(frozen=True)
class DurationRow:
    kind: str
    count: int
    total_s: float
    buckets: list[int]  # cumulative counts, one per bound


def task_durations(session: Session, bounds: Sequence[float], since: datetime) -> list[DurationRow]:
    """Run time (start of the last attempt to its end) of tasks that succeeded since
    ``since``, per kind, counted into cumulative ``bounds`` — a histogram built in SQL."""
    seconds = _seconds(session, Task.started_at, Task.finished_at)
    q = (
        select(
            Task.kind,
            func.count(),
            func.coalesce(func.sum(seconds), 0.0),
            *[func.sum(case((seconds <= b, 1), else_=0)) for b in bounds],
        )
        .where(
            Task.status == "succeeded",
            Task.finished_at >= since,
            Task.started_at.is_not(None),
        )
        .group_by(Task.kind)
    )
    return [
        DurationRow(str(r[0]), int(r[1]), float(r[2] or 0.0), [int(n or 0) for n in r[3:]])
        for r in session.execute(q)
    ]


@dataclass(frozen=True)
class ProviderRow:
    capability: str
    provider: str
    calls: int
    cached: int
    cost: float
    seconds: float


def provider_usage(session: Session) -> list[ProviderRow]:
    q = select(
        UsageRecord.capability,
        UsageRecord.provider,
        func.count(),
        func.sum(case((UsageRecord.cached.is_(True), 1), else_=0)),
        func.coalesce(func.sum(UsageRecord.cost), 0.0),
        func.coalesce(func.sum(UsageRecord.seconds), 0.0),
    ).group_by(UsageRecord.capability, UsageRecord.provider)
    return [
        ProviderRow(str(c), str(p), int(n), int(cached or 0), float(cost), float(secs))
        for c, p, n, cached, cost, secs in session.execute(q)
    ]


def rendered_seconds(session: Session) -> dict[str, float]:
    """Seconds of video rendered, per quality (preview, final)."""
    q = select(Render.quality, func.coalesce(func.sum(Render.duration), 0.0)).group_by(
        Render.quality
    )
    return {str(quality): float(total) for quality, total in session.execute(q)}


def task_wall_seconds(session: Session, kinds: Sequence[str]) -> dict[str, float]:
    """Wall time spent in successful tasks of ``kinds`` (render time, for render kinds)."""
    seconds = _seconds(session, Task.started_at, Task.finished_at)
    q = (
        select(Task.kind, func.coalesce(func.sum(seconds), 0.0))
        .where(
            Task.kind.in_(list(kinds)),
            Task.status == "succeeded",
            Task.started_at.is_not(None),
            Task.finished_at.is_not(None),
        )
        .group_by(Task.kind)
    )
    return {str(kind): float(total) for kind, total in session.execute(q)}


def users_by_role(session: Session) -> dict[str, int]:
    q = select(User.role, func.count()).group_by(User.role)
    return {str(role): int(n) for role, n in session.execute(q)}
