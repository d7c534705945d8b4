"""A project's characters: add, edit, delete. Each change redraws the pictures of the shots
that name the character (its name, description and colour reach the image provider)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Character, Project, Shot, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.domain.feeds import CHARACTER_FEEDS
from storyreel.domain.storyboard import slug
from storyreel.pipeline.errors import InvalidInput
from storyreel.pipeline.project.dag import restale
from storyreel.pipeline.project.rows import checked_character
from storyreel.tasks.kinds import KindRegistry

CHARACTER_FIELDS = tuple(CHARACTER_FEEDS)


def _character_key(session: Session, project_id: str, name: str) -> str:
    taken = {c.key for c in projects_repo.characters(session, project_id)}
    base = slug(name, "c")[:56]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def add_character(
    session: Session, project: Project, name: str, description: str = "", color: str | None = None
) -> Character:
    row = Character(
        project_id=project.id,
        key=_character_key(session, project.id, name),
        name=name,
        description=description,
        **({"color": color} if color else {}),
    )
    session.add(row)
    session.flush()  # the column defaults (colour) are set now
    checked_character(row)  # validates it like a storyboard would
    return row


def _shots_naming(session: Session, character: Character) -> list[Shot]:
    return [
        s
        for s in projects_repo.shots(session, character.project_id)
        if character.key in (s.characters or [])
    ]


def _redraw(
    session: Session, kinds: KindRegistry, project_id: str, shots: list[Shot]
) -> list[Task]:
    return restale(session, kinds, project_id, {(s.id, "image") for s in shots})


def edit_character(
    session: Session, kinds: KindRegistry, character: Character, **changes: Any
) -> list[Task]:
    """Change a character; the pictures of the shots that name it are made again."""
    unknown = set(changes) - set(CHARACTER_FEEDS)
    if unknown:
        raise InvalidInput(f"cannot edit {sorted(unknown)}; editable: {list(CHARACTER_FIELDS)}")
    changed = False
    for name, value in changes.items():
        if value is not None and getattr(character, name) != value:
            setattr(character, name, value)
            changed = True
    checked_character(character)
    session.flush()
    if not changed:
        return []
    return _redraw(session, kinds, character.project_id, _shots_naming(session, character))


def redraw_character_shots(
    session: Session, kinds: KindRegistry, character: Character
) -> list[Task]:
    """The pictures of the shots naming ``character`` are made again (its reference picture
    changed: image providers that take references draw from it)."""
    return _redraw(session, kinds, character.project_id, _shots_naming(session, character))


def delete_character(session: Session, kinds: KindRegistry, character: Character) -> list[Task]:
    """Remove a character; shots that named it no longer do, and their pictures are redone."""
    shots = _shots_naming(session, character)
    for shot in shots:
        shot.characters = [c for c in shot.characters if c != character.key]
    project_id = character.project_id
    session.delete(character)
    session.flush()
    return _redraw(session, kinds, project_id, shots)
