"""SQL for the stored first responses of ``Idempotency-Key`` requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyreel.db.models import IdempotencyRecord


def find(session: Session, user_id: str, key: str) -> IdempotencyRecord | None:
    q = select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
    )
    return session.scalar(q)


def record(
    session: Session,
    user_id: str,
    key: str,
    *,
    request_hash: str,
    status_code: int,
    response: Any,
) -> None:
    """Keep the first response (flushed: a key stored already raises ``IntegrityError``)."""
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            response=response,
        )
    )
    session.flush()
