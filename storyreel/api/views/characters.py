"""How a character looks through the API, with its reference picture."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from storyreel.api.deps import AppState
from storyreel.api.views.assets import AssetOut, asset_out
from storyreel.db.models import Asset, Character
from storyreel.db.repositories import projects as repo


class CharacterOut(BaseModel):
    id: str
    key: str = Field(description="What shots name in their `characters`.")
    name: str
    description: str
    color: str
    reference: AssetOut | None


def character_out(state: AppState, character: Character, assets: dict[str, Asset]) -> CharacterOut:
    reference = assets.get(character.reference_asset_id) if character.reference_asset_id else None
    return CharacterOut(
        id=character.id,
        key=character.key,
        name=character.name,
        description=character.description,
        color=character.color,
        reference=asset_out(state, reference) if reference is not None else None,
    )


def characters_out(s: Session, state: AppState, project_id: str) -> list[CharacterOut]:
    characters = repo.characters(s, project_id)
    assets = repo.assets(s, [c.reference_asset_id for c in characters])
    return [character_out(state, c, assets) for c in characters]
