"""SQL for the assistant's conversations (one person's each) and the templates admins add."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyreel.db.models import AssistantConversation, AssistantTemplate


def get(session: Session, conversation_id: str) -> AssistantConversation | None:
    return session.get(AssistantConversation, conversation_id)


def owned_page(
    session: Session, owner_id: str, offset: int, limit: int
) -> tuple[list[AssistantConversation], int]:
    where = AssistantConversation.owner_id == owner_id
    count = select(func.count()).select_from(AssistantConversation).where(where)
    total = int(session.scalar(count) or 0)
    q = (
        select(AssistantConversation)
        .where(where)
        .order_by(AssistantConversation.updated_at.desc(), AssistantConversation.id)
    )
    return list(session.scalars(q.offset(offset).limit(limit))), total


def count_owned(session: Session, owner_id: str) -> int:
    q = select(func.count()).select_from(AssistantConversation)
    return int(session.scalar(q.where(AssistantConversation.owner_id == owner_id)) or 0)


def add(
    session: Session, owner_id: str, title: str, state: dict[str, Any]
) -> AssistantConversation:
    row = AssistantConversation(owner_id=owner_id, title=title, state=state)
    session.add(row)
    session.flush()
    return row


def custom_templates(session: Session) -> list[AssistantTemplate]:
    return list(session.scalars(select(AssistantTemplate).order_by(AssistantTemplate.id)))


def get_template(session: Session, template_id: str) -> AssistantTemplate | None:
    return session.get(AssistantTemplate, template_id)
