"""Characters: the people shots name. Their name, description and colour reach the image
provider with every shot that names them, so changing one makes those pictures again."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors, uploads
from storyreel.api.deps import (
    AppState,
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    kinds_of,
    owner_of,
    project_for,
    refuse_while_writing,
    within_quota,
)
from storyreel.api.errors import field_error
from storyreel.api.feeds import documents_feeds
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.views.characters import CharacterOut, character_out, characters_out
from storyreel.db.models import Asset, Character, Project, User
from storyreel.db.repositories import projects as repo
from storyreel.domain.feeds import CHARACTER_FEEDS
from storyreel.pipeline import project as pipeline
from storyreel.storage.base import InvalidKey

log = logging.getLogger(__name__)

# Bodies are bounded by the upload limit while they arrive (uploads.BoundedBody).
router = APIRouter(
    tags=["characters"], route_class=uploads.BoundedBody, responses=uploads.TOO_LARGE
)

HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class CharacterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(
        "", max_length=1000, description="How they look; sent with every shot naming them."
    )
    color: str | None = Field(None, pattern=HEX_COLOUR, description="Their colour in sketches.")


class CharacterPatch(BaseModel):
    """A character's fields to change. Each field's `x-feeds` names the step a change to it runs
    again for every shot that names them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=documents_feeds(CHARACTER_FEEDS))

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=1000)
    color: str | None = Field(None, pattern=HEX_COLOUR)


def _character(
    s: Session, user: User, project_id: str, character_id: str, *, write: bool = False
) -> tuple[Project, Character]:
    project = project_for(s, user, project_id, write=write)
    character = repo.character(s, character_id)
    if character is None or character.project_id != project.id:
        raise errors.NotFound(f"no character {character_id} in project {project_id}")
    if write:
        refuse_while_writing(s, project)
    return project, character


def _out(s: Session, state: AppState, character: Character) -> CharacterOut:
    return character_out(state, character, repo.assets(s, [character.reference_asset_id]))


@router.get("/projects/{project_id}/characters", response_model=list[CharacterOut])
def list_characters(
    project_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> list[CharacterOut]:
    """The project's characters."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        return characters_out(s, state, project.id)


@router.post("/projects/{project_id}/characters", status_code=201, response_model=CharacterOut)
def create_character(
    project_id: str,
    body: CharacterIn,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a character; shots name it by the ``key`` in the answer."""

    def create(s: Session) -> CharacterOut:
        project = project_for(s, user, project_id, write=True)
        refuse_while_writing(s, project)
        character = pipeline.add_character(s, project, body.name, body.description, body.color)
        return _out(s, state, character)

    return run_once(db, user, idempotency_key, fingerprint("characters", project_id, body), create)


@router.patch("/projects/{project_id}/characters/{character_id}", response_model=CharacterOut)
def update_character(
    project_id: str,
    character_id: str,
    body: CharacterPatch,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
) -> CharacterOut:
    """Change a character; the pictures of the shots naming it are made again."""
    changes = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise field_error(name, f"{name} cannot be null")
    with db.write() as s:
        project, character = _character(s, user, project_id, character_id, write=True)
        if any(getattr(character, k) != v for k, v in changes.items()):
            check_quota(s, state, owner_of(s, project, user), project, images=1)
        pipeline.edit_character(s, kinds_of(state), character, **changes)
        within_quota(s, state, owner_of(s, project, user), project)
        return _out(s, state, character)


@router.delete(
    "/projects/{project_id}/characters/{character_id}", status_code=204, response_class=Response
)
def delete_character(
    project_id: str, character_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> Response:
    """Delete a character; shots naming it stop doing so and their pictures are made again."""
    with db.write() as s:
        _, character = _character(s, user, project_id, character_id, write=True)
        reference = repo.asset(s, character.reference_asset_id)
        pipeline.delete_character(s, kinds_of(state), character)
        orphan = _drop_asset(s, reference)
    _delete_blob(state, orphan)
    return Response(status_code=204)


@router.put(
    "/projects/{project_id}/characters/{character_id}/reference",
    response_model=CharacterOut,
    responses=uploads.UNSUPPORTED,
)
def upload_character_reference(
    project_id: str,
    character_id: str,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP image.")],
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
) -> CharacterOut:
    """Set the character's reference picture (PNG, JPEG or WebP, checked by content)."""
    settings = state.settings
    raw = uploads.read_upload(file, settings.upload_max_bytes)
    image = uploads.check_image(raw, settings.upload_max_pixels)
    with db.read() as s:  # refuse before writing a blob for nobody
        _character(s, user, project_id, character_id, write=True)
    digest = hashlib.sha256(raw).hexdigest()
    key = f"projects/{project_id}/characters/{character_id}/reference/{digest}{image.suffix}"
    ref = state.store.put(key, raw)  # content-addressed: a retry writes the same blob
    with db.write() as s:
        project, character = _character(s, user, project_id, character_id, write=True)
        previous = repo.asset(s, character.reference_asset_id)
        asset = Asset(
            owner_id=project.owner_id,
            project_id=project.id,
            kind="reference",
            blob_key=ref.key,
            mime=image.mime,
            size=ref.size,
            sha256=ref.sha256,
            meta={"width": image.width, "height": image.height, "format": image.format},
        )
        s.add(asset)
        s.flush()
        character.reference_asset_id = asset.id
        s.flush()
        pipeline.redraw_character_shots(s, kinds_of(state), character)
        within_quota(s, state, owner_of(s, project, user), project)
        orphan = _drop_asset(s, previous)
        out = _out(s, state, character)
    if orphan != ref.key:
        _delete_blob(state, orphan)
    return out


def _drop_asset(s: Session, asset: Asset | None) -> str | None:
    """Delete an asset row; its blob key if no other row refers to it any more."""
    if asset is None:
        return None
    key = asset.blob_key
    s.delete(asset)
    s.flush()
    return None if repo.blob_key_referenced(s, key) else key


def _delete_blob(state: AppState, key: str | None) -> None:
    if key is None:
        return
    try:
        state.store.delete(key)
    except (InvalidKey, OSError):
        log.warning("could not delete blob %s", key)
