"""Who may do what. Roles: admin (everything), user (own projects, shared ones read-only),
viewer (reads projects shared with them, changes nothing), guest (a user on tight quotas)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Project, User
from storyreel.db.repositories import accounts as repo

Access = Literal["write", "read"]


def can_create(user: User) -> bool:
    return user.role in ("admin", "user", "guest")


def project_access(session: Session, user: User, project: Project) -> Access | None:
    """``write`` for the owner (and admins), ``read`` for accounts it is shared with, ``None``
    for everyone else — who must not even learn that it exists."""
    if user.role == "admin":
        return "write"
    if project.owner_id == user.id:
        return "write" if user.role != "viewer" else "read"
    if repo.membership(session, project.id, user.id) is not None:
        return "read"
    return None
