"""The project's rows as the domain's storyboard and back: one shape per noun.

Rows are written from ``model_dump()`` of the domain models and read back with
``model_validate(..., from_attributes=True)``; the only translation is the storyboard's ``id``
of a shot or character, which a row keeps as ``key`` (its ``id`` is the row's own).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from storyreel.db.models import Character, Project, Shot
from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Character as BoardCharacter
from storyreel.domain.storyboard import Shot as BoardShot
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.errors import InvalidInput


class _Keyed:
    """A shot or character row seen with its storyboard id (``key``) as ``id``."""

    def __init__(self, row: Shot | Character) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return self._row.key if name == "id" else getattr(self._row, name)


def shot_of(row: Shot) -> BoardShot:
    """The domain shot a row holds (validated like a storyboard's)."""
    return BoardShot.model_validate(_Keyed(row), from_attributes=True)


def character_of(row: Character) -> BoardCharacter:
    return BoardCharacter.model_validate(_Keyed(row), from_attributes=True)


def checked_shot(row: Shot) -> BoardShot:
    """``shot_of`` for a row just edited: a value a storyboard would refuse is the caller's."""
    try:
        return shot_of(row)
    except ValidationError as exc:
        raise InvalidInput(f"the change is not valid: {_first(exc)}") from exc


def checked_character(row: Character) -> BoardCharacter:
    try:
        return character_of(row)
    except ValidationError as exc:
        raise InvalidInput(f"the change is not valid: {_first(exc)}") from exc


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


def options_of(project: Project) -> ProjectOptions:
    """The options a project row was made with, checked against the domain's literals."""
    return ProjectOptions.model_validate(project, from_attributes=True)


def board_of(project: Project, shots: list[Shot], characters: list[Character]) -> Storyboard:
    """The project's rows as the domain storyboard the providers and the renderer take."""
    return Storyboard(
        title=project.title,
        language=project.detected_language or "en",
        style=project.style,
        aspect=options_of(project).aspect,
        characters=[character_of(c) for c in characters],
        shots=[shot_of(s) for s in shots],
    )


def shot_row(project_id: str, position: int, shot: BoardShot, **extra: Any) -> Shot:
    return Shot(
        project_id=project_id,
        position=position,
        key=shot.id,
        **shot.model_dump(exclude={"id"}),
        **extra,
    )


def character_row(project_id: str, character: BoardCharacter, **extra: Any) -> Character:
    return Character(
        project_id=project_id, key=character.id, **character.model_dump(exclude={"id"}), **extra
    )


def project_row(
    story: str, options: ProjectOptions, *, title: str, owner_id: str | None, **extra: Any
) -> Project:
    return Project(
        owner_id=owner_id,
        story=story,
        title=title,
        **options.model_dump(exclude={"title"}),
        **extra,
    )
