"""How a project's member (someone it is shared with) looks through the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from storyreel.db.models import ProjectMember, User


class MemberOut(BaseModel):
    user_id: str
    email: str
    display_name: str
    role: str = Field(examples=["viewer"])
    created_at: datetime


def member_out(member: ProjectMember, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=member.role,
        created_at=member.created_at,
    )
