"""Webhook rules: which event types exist, which task events become which deliveries, and the
queue operations on the delivery table (queue, claim, record, redeliver). Callers own the
transaction; the dispatcher (``dispatcher.py``) and the API call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Webhook, WebhookDelivery
from storyreel.db.repositories import webhooks as repo
from storyreel.db.types import new_id
from storyreel.settings import Settings
from storyreel.tasks.model import FINISHED
from storyreel.webhooks.sender import DeliveryResult
from storyreel.webhooks.ssrf import AddressPolicy

TASK_EVENTS = ("task.succeeded", "task.failed", "task.cancelled")
EVENT_TYPES: tuple[str, ...] = (
    *TASK_EVENTS,
    "render.succeeded",
    "render.failed",
    "project.storyboard_ready",
    "ping",
)
ALL_EVENTS = "*"
SUBSCRIBABLE: tuple[str, ...] = (*EVENT_TYPES, ALL_EVENTS)
# Task kinds whose outcome is a video: their end is also a render.* event.
RENDER_KINDS = frozenset({"render"})
# What the bus adds to a task event; the rest is the delivery's ``data``.
_BUS_FIELDS = frozenset({"seq", "channel", "type"})

Backoff = Callable[[int], float]


class UnknownEventType(ValueError):
    def __init__(self, unknown: list[str]) -> None:
        self.unknown = unknown
        super().__init__(
            f"unknown event type(s) {', '.join(repr(u) for u in unknown)}; "
            f"valid types: {', '.join(SUBSCRIBABLE)}"
        )


def address_policy(settings: Settings) -> AddressPolicy:
    """Which non-public addresses webhooks may call, as the operator set it."""
    return AddressPolicy(
        allow_private=settings.webhook_allow_private,
        allow_loopback=settings.webhook_allow_loopback,
    )


def normalise_events(events: Iterable[str]) -> list[str]:
    """The subscribed types, deduplicated in order; raises ``UnknownEventType``."""
    wanted = list(dict.fromkeys(e.strip() for e in events))
    unknown = [e for e in wanted if e not in SUBSCRIBABLE]
    if unknown:
        raise UnknownEventType(unknown)
    return wanted


def event_types(event: Mapping[str, Any]) -> list[str]:
    """The webhook event types a task event is: none until the task has finished."""
    status = event.get("status")
    if event.get("type", "task") != "task" or status not in FINISHED:
        return []
    types = [f"task.{status}"]
    kind = event.get("kind")
    if kind in RENDER_KINDS and status in ("succeeded", "failed"):
        types.append(f"render.{status}")
    if kind == "storyboard" and status == "succeeded":
        types.append("project.storyboard_ready")
    return types


def subscribed(webhook: Webhook, event_type: str) -> bool:
    events = webhook.events or []
    return event_type in events or ALL_EVENTS in events


def _event_time(event: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event["updated_at"]))
    except (KeyError, TypeError, ValueError):
        return None


def matches(webhooks: Iterable[Webhook], event: Mapping[str, Any]) -> list[tuple[Webhook, str]]:
    """(webhook, event type) pairs that ``event`` should be delivered as. A webhook made after
    the event happened does not get it (an event replayed after a reconnect)."""
    when = _event_time(event)
    pairs: list[tuple[Webhook, str]] = []
    for webhook in webhooks:
        if when is not None and webhook.created_at > when:
            continue
        pairs.extend((webhook, t) for t in event_types(event) if subscribed(webhook, t))
    return pairs


def event_id(event_type: str, event: Mapping[str, Any]) -> str:
    """The same for every process that sees this event, so the unique (webhook, event id)
    lets only one of them queue it. ``updated_at`` tells a retried task's second failure at
    the same attempt number from its first."""
    return ":".join(
        str(part)
        for part in (
            event_type,
            event.get("task_id"),
            event.get("status"),
            event.get("attempts"),
            event.get("updated_at") or "",
        )
    )


def queue_task_event(
    session: Session, pairs: list[tuple[Webhook, str]], event: Mapping[str, Any], now: datetime
) -> int:
    """Queue ``event`` for each (webhook, type) pair; returns how many were new."""
    payload = {k: v for k, v in event.items() if k not in _BUS_FIELDS}
    if any(t.startswith("render.") for _, t in pairs) and event.get("task_id"):
        payload["render_id"] = repo.render_id_for_task(session, str(event["task_id"]))
    queued = 0
    for webhook, event_type in pairs:
        queued += repo.add_delivery(
            session, webhook.id, event_id(event_type, event), event_type, payload, now
        )
    return queued


def queue_ping(session: Session, webhook: Webhook, now: datetime) -> WebhookDelivery:
    payload = {
        "webhook_id": webhook.id,
        "url": webhook.url,
        "events": list(webhook.events or []),
        "message": "Ping from storyreel: this webhook is reachable and its signature verifies.",
    }
    row = WebhookDelivery(
        webhook_id=webhook.id,
        event_id=f"ping:{new_id()}",
        event_type="ping",
        payload=payload,
        status=repo.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


class DeliveryBusy(Exception):
    """The delivery is being sent right now; it cannot be requeued until that attempt ends."""


def redeliver(session: Session, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Send again now, whatever its state. A delivery that had used up its attempts gets one
    more; one that had succeeded gets the usual retries if the new attempt fails."""
    lease = delivery.next_attempt_at
    if delivery.status == repo.DELIVERING and lease is not None and lease > now:
        raise DeliveryBusy(f"delivery {delivery.id} is being sent right now")
    delivery.status = repo.PENDING
    delivery.next_attempt_at = now
    session.flush()
    return delivery


@dataclass(frozen=True)
class Claim:
    """One attempt a sender owns until ``lease_until``; ``attempt`` fences what it records."""

    delivery_id: str
    webhook_id: str
    attempt: int
    url: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    lease_until: datetime


LOST = "the process sending it stopped before the receiver's answer was recorded"


def claim_next(session: Session, now: datetime, lease_s: float, max_attempts: int) -> Claim | None:
    """Claim the next due delivery (an attempt counts from here, like a task run). A claim
    whose sender died and that has no attempts left fails instead."""
    while True:
        row = repo.next_due(session, now)
        if row is None:
            return None
        lost = row.status == repo.DELIVERING
        if lost and row.attempts >= max_attempts:
            row.status = repo.FAILED
            row.next_attempt_at = None
            row.last_error = LOST
            session.flush()
            continue
        webhook = repo.get(session, row.webhook_id)
        assert webhook is not None  # the join in next_due found it
        row.status = repo.DELIVERING
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=lease_s)
        if lost:
            row.last_error = LOST
        session.flush()
        return Claim(
            delivery_id=row.id,
            webhook_id=row.webhook_id,
            attempt=row.attempts,
            url=webhook.url,
            event_type=row.event_type,
            payload=dict(row.payload or {}),
            created_at=row.created_at,
            lease_until=row.next_attempt_at,
        )


def record(
    session: Session,
    claim: Claim,
    result: DeliveryResult,
    now: datetime,
    backoff: Backoff,
    max_attempts: int,
) -> bool:
    """Record an attempt: success; or a retry after ``backoff(attempt)``; or, once
    ``max_attempts`` were made, failure for good. False when the claim was lost meanwhile."""
    values: dict[str, Any] = {"last_status_code": result.status_code}
    if result.ok:
        values.update(status=repo.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif claim.attempt >= max_attempts:
        values.update(status=repo.FAILED, next_attempt_at=None, last_error=result.error)
    else:
        retry_at = now + timedelta(seconds=max(0.0, backoff(claim.attempt)))
        values.update(status=repo.PENDING, next_attempt_at=retry_at, last_error=result.error)
    return repo.record_attempt(session, claim.delivery_id, claim.attempt, **values)
