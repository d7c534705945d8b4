"""Webhooks: register URLs for event types, see their signing secret, read the delivery log,
redeliver, ping (docs/webhooks.md). Every webhook is its owner's alone: others' ids answer 404."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import Creator, CurrentUser, DbDep, StateDep
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.db.models import User, Webhook, WebhookDelivery
from storyreel.db.repositories import webhooks as repo
from storyreel.db.types import utcnow
from storyreel.settings import Settings
from storyreel.webhooks import service
from storyreel.webhooks.dispatcher import WebhookDispatcher
from storyreel.webhooks.signing import webhook_secret
from storyreel.webhooks.ssrf import UnsafeURL, check_url

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_WEBHOOKS_PER_USER = 20
EventType = Annotated[str, Field(min_length=1, max_length=64, examples=["task.succeeded"])]
EVENTS_DESCRIPTION = "Event types to receive: " + ", ".join(service.SUBSCRIBABLE) + "."
# No spaces or control characters: a URL has none, and PostgreSQL text cannot hold NUL.
Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        pattern=r"^[^\s\x00-\x1f\x7f]+$",
        examples=["https://example.com/hook"],
    ),
]
Description = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: list[EventType] = Field(min_length=1, max_length=20, description=EVENTS_DESCRIPTION)
    description: Description = ""
    active: bool = True


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: list[EventType] | None = Field(
        None, min_length=1, max_length=20, description=EVENTS_DESCRIPTION
    )
    description: Description | None = None
    active: bool | None = Field(
        None,
        description="Inactive webhooks get nothing new and send "
        "nothing queued until made active again.",
    )


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: datetime


class WebhookSecret(BaseModel):
    secret: str = Field(
        description="`whsec_…`: the HMAC-SHA256 key of the `Storyreel-Signature` header."
    )


class WebhookCreated(WebhookOut, WebhookSecret):
    pass


DeliveryStatus = Literal["pending", "delivering", "succeeded", "failed"]


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="The envelope's `id` and `Storyreel-Delivery` header.")
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int = Field(description="Attempts made so far.")
    next_attempt_at: datetime | None = Field(
        description="When the next attempt is due (pending), or when a claim lapses (delivering)."
    )
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None = Field(
        description="Why the most recent failed attempt failed (kept after a later success)."
    )
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(DeliveryOut):
    payload: dict[str, Any] = Field(description="The envelope's `data`.")


class EventTypes(BaseModel):
    event_types: list[str]


def _policy_check(settings: Settings, url: str) -> str:
    """``url`` if webhooks may call it under the operator's address policy, else a 422 with
    the guard's reason (it resolves the host, so this runs outside any transaction)."""
    try:
        check_url(url, service.address_policy(settings))
    except UnsafeURL as exc:
        raise errors.Unprocessable(
            str(exc), errors=[errors.FieldError(field="url", message=str(exc))]
        ) from exc
    return url


def _events(events: list[str]) -> list[str]:
    try:
        return service.normalise_events(events)
    except service.UnknownEventType as exc:
        raise errors.Unprocessable(
            str(exc),
            errors=[errors.FieldError(field="events", message=str(exc))],
            details={"valid": list(service.SUBSCRIBABLE)},
        ) from exc


def _webhook_for(s: Session, user: User, webhook_id: str) -> Webhook:
    webhook = repo.get(s, webhook_id)
    if webhook is None or webhook.owner_id != user.id:
        raise errors.NotFound(f"no webhook {webhook_id}")
    return webhook


def _delivery_for(
    s: Session, webhook: Webhook, delivery_id: str, *, lock: bool = False
) -> WebhookDelivery:
    delivery = repo.delivery(s, delivery_id, lock=lock)
    if delivery is None or delivery.webhook_id != webhook.id:
        raise errors.NotFound(f"no delivery {delivery_id} of webhook {webhook.id}")
    return delivery


def _wake(request: Request) -> None:
    """Have this process's dispatcher look at the queue now rather than at its next poll."""
    for svc in getattr(request.app.state, "services", []):
        if isinstance(svc, WebhookDispatcher):
            svc.wake()


@router.get("/event-types", response_model=EventTypes)
def list_webhook_event_types() -> EventTypes:
    """The event types a webhook can subscribe to (`*` is every one)."""
    return EventTypes(event_types=list(service.SUBSCRIBABLE))


@router.post("", status_code=201, response_model=WebhookCreated)
def create_webhook(
    body: WebhookIn,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register a URL for event types; the response holds its signing secret."""
    events = _events(body.events)
    url = _policy_check(state.settings, body.url)

    def create(s: Session) -> WebhookCreated:
        if repo.count_owned(s, user.id) >= MAX_WEBHOOKS_PER_USER:
            raise errors.Conflict(
                f"you have {MAX_WEBHOOKS_PER_USER} webhooks already; delete one first"
            )
        webhook = Webhook(
            owner_id=user.id,
            url=url,
            events=events,
            description=body.description,
            active=body.active,
            created_at=utcnow(),
        )
        s.add(webhook)
        s.flush()
        secret = webhook_secret(state.secrets.webhook, webhook.id)
        return WebhookCreated(**WebhookOut.model_validate(webhook).model_dump(), secret=secret)

    return run_once(db, user, idempotency_key, fingerprint("webhooks", body), create)


@router.get("", response_model=Page[WebhookOut])
def list_webhooks(
    user: CurrentUser,
    db: DbDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[WebhookOut]:
    """Your webhooks, oldest first."""
    with db.read() as s:
        rows, total = repo.owned_page(s, user.id, (page - 1) * page_size, page_size)
        items = [WebhookOut.model_validate(w) for w in rows]
    return Page(items=items, page=page, page_size=page_size, total=total)


@router.get("/{webhook_id}", response_model=WebhookOut)
def get_webhook(webhook_id: str, user: CurrentUser, db: DbDep) -> WebhookOut:
    with db.read() as s:
        return WebhookOut.model_validate(_webhook_for(s, user, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut)
def update_webhook(
    webhook_id: str, body: WebhookPatch, user: CurrentUser, state: StateDep, db: DbDep
) -> WebhookOut:
    """Change the URL, event types, description or active flag; a new URL is checked again."""
    events = _events(body.events) if body.events is not None else None
    url = _policy_check(state.settings, body.url) if body.url is not None else None
    with db.write() as s:
        webhook = _webhook_for(s, user, webhook_id)
        if url is not None:
            webhook.url = url
        if events is not None:
            webhook.events = events
        if body.description is not None:
            webhook.description = body.description
        if body.active is not None:
            webhook.active = body.active
        s.flush()
        return WebhookOut.model_validate(webhook)


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(webhook_id: str, user: CurrentUser, db: DbDep) -> Response:
    """Delete the webhook and its delivery log; queued deliveries are dropped."""
    with db.write() as s:
        s.delete(_webhook_for(s, user, webhook_id))
    return Response(status_code=204)


@router.get("/{webhook_id}/secret", response_model=WebhookSecret)
def get_webhook_secret(
    webhook_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> WebhookSecret:
    """The webhook's signing secret (derived from the server key; the same every time)."""
    with db.read() as s:
        webhook = _webhook_for(s, user, webhook_id)
    return WebhookSecret(secret=webhook_secret(state.secrets.webhook, webhook.id))


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryOut])
def list_webhook_deliveries(
    webhook_id: str,
    user: CurrentUser,
    db: DbDep,
    status: DeliveryStatus | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[DeliveryOut]:
    """The delivery log, newest first: status, attempts, last answer and error, timestamps."""
    with db.read() as s:
        webhook = _webhook_for(s, user, webhook_id)
        rows, total = repo.deliveries_page(s, webhook.id, (page - 1) * page_size, page_size, status)
        items = [DeliveryOut.model_validate(d) for d in rows]
    return Page(items=items, page=page, page_size=page_size, total=total)


@router.get("/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDetail)
def get_webhook_delivery(
    webhook_id: str, delivery_id: str, user: CurrentUser, db: DbDep
) -> DeliveryDetail:
    """One delivery with the event data it sends."""
    with db.read() as s:
        webhook = _webhook_for(s, user, webhook_id)
        return DeliveryDetail.model_validate(_delivery_for(s, webhook, delivery_id))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
)
def redeliver_webhook_delivery(
    webhook_id: str, delivery_id: str, user: CurrentUser, db: DbDep, request: Request
) -> DeliveryOut:
    """Send this delivery again now (one more attempt, even after it failed for good)."""
    with db.write() as s:
        webhook = _webhook_for(s, user, webhook_id)
        if not webhook.active:
            raise errors.Conflict("this webhook is inactive; make it active to send anything")
        delivery = _delivery_for(s, webhook, delivery_id, lock=True)
        try:
            out = DeliveryOut.model_validate(service.redeliver(s, delivery, utcnow()))
        except service.DeliveryBusy as exc:
            raise errors.Conflict(f"{exc}; wait for this attempt to end") from exc
    _wake(request)
    return out


@router.post("/{webhook_id}/ping", status_code=202, response_model=DeliveryOut)
def ping_webhook(
    webhook_id: str,
    user: CurrentUser,
    db: DbDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Queue a `ping` event to this webhook, to test the receiver and its signature check."""

    def create(s: Session) -> DeliveryOut:
        webhook = _webhook_for(s, user, webhook_id)
        if not webhook.active:
            raise errors.Conflict("this webhook is inactive; make it active to send anything")
        return DeliveryOut.model_validate(service.queue_ping(s, webhook, utcnow()))

    response = run_once(
        db, user, idempotency_key, fingerprint("webhook-ping", webhook_id), create, 202
    )
    _wake(request)
    return response
