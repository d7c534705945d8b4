"""SQL for what provider calls cost: the ``UsageRecord`` rows, summed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyreel.db.models import UsageRecord


def spent(
    session: Session,
    *,
    owner_id: str | None = None,
    project_id: str | None = None,
    since: datetime | None = None,
) -> float:
    """What the calls of this owner and/or project (since then, if given) cost in all."""
    query = select(func.coalesce(func.sum(UsageRecord.cost), 0.0))
    if owner_id is not None:
        query = query.where(UsageRecord.owner_id == owner_id)
    if project_id is not None:
        query = query.where(UsageRecord.project_id == project_id)
    if since is not None:
        query = query.where(UsageRecord.created_at >= since)
    return float(session.scalar(query) or 0.0)


def spent_by_capability(session: Session, project_id: str) -> dict[str, float]:
    rows = session.execute(
        select(UsageRecord.capability, func.coalesce(func.sum(UsageRecord.cost), 0.0))
        .where(UsageRecord.project_id == project_id)
        .group_by(UsageRecord.capability)
    )
    return {capability: float(total) for capability, total in rows}
