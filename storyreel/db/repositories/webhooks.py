"""SQL for webhooks and their deliveries; the delivery table is both the log and the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storyreel.db.models import Render, Webhook, WebhookDelivery
from storyreel.db.types import new_id

PENDING = "pending"
DELIVERING = "delivering"  # claimed by a sender; ``next_attempt_at`` is then its lease expiry
SUCCEEDED = "succeeded"
FAILED = "failed"
DELIVERY_STATUSES = (PENDING, DELIVERING, SUCCEEDED, FAILED)


def get(session: Session, webhook_id: str) -> Webhook | None:
    return session.get(Webhook, webhook_id)


def owned_page(
    session: Session, owner_id: str, offset: int, limit: int
) -> tuple[list[Webhook], int]:
    where = Webhook.owner_id == owner_id
    total = int(session.scalar(select(func.count()).select_from(Webhook).where(where)) or 0)
    q = select(Webhook).where(where).order_by(Webhook.created_at, Webhook.id)
    return list(session.scalars(q.offset(offset).limit(limit))), total


def count_owned(session: Session, owner_id: str) -> int:
    q = select(func.count()).select_from(Webhook).where(Webhook.owner_id == owner_id)
    return int(session.scalar(q) or 0)


def active_for_owner(session: Session, owner_id: str) -> list[Webhook]:
    q = select(Webhook).where(Webhook.owner_id == owner_id, Webhook.active.is_(True))
    return list(session.scalars(q.order_by(Webhook.created_at, Webhook.id)))


def render_id_for_task(session: Session, task_id: str) -> str | None:
    return session.scalar(select(Render.id).where(Render.task_id == task_id).limit(1))


def add_delivery(
    session: Session,
    webhook_id: str,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Queue one event for one webhook, due now; False when that event was already queued for it
    (another API process saw the same event first): the unique (webhook_id, event_id) decides."""
    values = {
        "id": new_id(),
        "webhook_id": webhook_id,
        "event_id": event_id,
        "event_type": event_type,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(WebhookDelivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["webhook_id", "event_id"])
    )
    result = session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delivery(session: Session, delivery_id: str, *, lock: bool = False) -> WebhookDelivery | None:
    if not lock:
        return session.get(WebhookDelivery, delivery_id)
    return session.get(WebhookDelivery, delivery_id, with_for_update=True, populate_existing=True)


def deliveries_page(
    session: Session, webhook_id: str, offset: int, limit: int, status: str | None = None
) -> tuple[list[WebhookDelivery], int]:
    q = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        q = q.where(WebhookDelivery.status == status)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    q = q.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    return list(session.scalars(q.offset(offset).limit(limit))), total


def next_due(session: Session, now: datetime) -> WebhookDelivery | None:
    """The delivery to send next, locked: pending and due, or claimed by a sender whose lease
    ran out (its process died). Only active webhooks' deliveries are sent; a paused webhook's
    wait until it is active again. PostgreSQL skips rows another sender is claiming; on SQLite
    the write lock (BEGIN IMMEDIATE) serialises claims."""
    q = (
        select(WebhookDelivery)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status.in_((PENDING, DELIVERING)),
            WebhookDelivery.next_attempt_at <= now,
            Webhook.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
        .execution_options(populate_existing=True)
    )
    return session.scalar(q)


def earliest_pending(session: Session) -> datetime | None:
    """When the next waiting delivery becomes due (for the sender's sleep)."""
    q = (
        select(func.min(WebhookDelivery.next_attempt_at))
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status.in_((PENDING, DELIVERING)), Webhook.active.is_(True))
    )
    value: datetime | None = session.scalar(q)
    return value


def record_attempt(session: Session, delivery_id: str, attempt: int, **values: Any) -> bool:
    """Write an attempt's outcome only if this sender still holds the claim it made (status
    ``delivering`` at this attempt number): a sender whose lease was taken over writes nothing."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DELIVERING,
            WebhookDelivery.attempts == attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def counts_by_status(session: Session) -> dict[str, int]:
    q = select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    return {status: int(n) for status, n in session.execute(q)}


def oldest_waiting(session: Session) -> datetime | None:
    q = select(func.min(WebhookDelivery.created_at)).where(
        WebhookDelivery.status.in_((PENDING, DELIVERING))
    )
    value: datetime | None = session.scalar(q)
    return value
