"""SQL for the provider keys accounts store for themselves (sealed; see ``ProviderKey``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyreel.db.models import ProviderKey


def of_user(session: Session, user_id: str) -> list[ProviderKey]:
    """The account's stored keys, by slot."""
    q = select(ProviderKey).where(ProviderKey.user_id == user_id).order_by(ProviderKey.slot)
    return list(session.scalars(q))


def get(session: Session, user_id: str, slot: str) -> ProviderKey | None:
    q = select(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.slot == slot)
    return session.scalar(q)


def put(session: Session, user_id: str, slot: str, *, sealed: str, hint: str) -> ProviderKey:
    """Store the account's key for ``slot``, replacing the one it had."""
    row = get(session, user_id, slot)
    if row is None:
        row = ProviderKey(user_id=user_id, slot=slot, sealed=sealed, hint=hint)
        session.add(row)
    else:
        row.sealed, row.hint = sealed, hint
    session.flush()
    return row


def remove(session: Session, user_id: str, slot: str) -> bool:
    """Forget the account's key for ``slot``; ``False`` if it had none."""
    row = get(session, user_id, slot)
    if row is None:
        return False
    session.delete(row)
    return True
