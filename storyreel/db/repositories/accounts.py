"""SQL for users, refresh tokens, API keys and project sharing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storyreel.db.models import ApiKey, ProjectMember, RefreshToken, User


def user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def lock_user(session: Session, user_id: str) -> None:
    """Hold the account row until the transaction ends (``SELECT ... FOR UPDATE``; SQLite's
    write lock serialises its transactions already)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def users_page(
    session: Session, offset: int, limit: int, search: str | None = None
) -> tuple[list[User], int]:
    q = select(User)
    if search:
        q = q.where(User.email.contains(search.lower(), autoescape=True))
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = session.scalars(q.order_by(User.created_at, User.id).offset(offset).limit(limit))
    return list(rows), total


def refresh_token(session: Session, jti: str, *, lock: bool = False) -> RefreshToken | None:
    q = select(RefreshToken).where(RefreshToken.id == jti)
    if lock:
        q = q.with_for_update()
    return session.scalar(q)


def revoke_family(session: Session, family_id: str, when: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )


def revoke_user_tokens(session: Session, user_id: str, when: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )


def api_key_by_hash(session: Session, secret_hash: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))


def mark_api_key_used(session: Session, secret_hash: str, now: datetime, every_s: float) -> None:
    """Stamp ``last_used_at``, at most once per ``every_s`` (a conditional update: no write
    when the stamp is recent)."""
    stale = or_(
        ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - timedelta(seconds=every_s)
    )
    session.execute(
        update(ApiKey).where(ApiKey.secret_hash == secret_hash, stale).values(last_used_at=now)
    )


def api_keys(session: Session, user_id: str) -> list[ApiKey]:
    q = select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
    return list(session.scalars(q.order_by(ApiKey.created_at)))


def api_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def membership(session: Session, project_id: str, user_id: str) -> ProjectMember | None:
    return session.get(ProjectMember, (project_id, user_id))


def members(session: Session, project_id: str) -> list[ProjectMember]:
    q = select(ProjectMember).where(ProjectMember.project_id == project_id)
    return list(session.scalars(q.order_by(ProjectMember.created_at)))
