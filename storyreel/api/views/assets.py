"""How an asset (a file the platform made or was given) looks through the API: a signed link
and what it is."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePosixPath

from pydantic import BaseModel, Field

from storyreel.api import signing
from storyreel.api.deps import AppState
from storyreel.db.models import Asset


class AssetOut(BaseModel):
    id: str
    kind: str = Field(examples=["video"])
    mime: str = Field(examples=["video/mp4"])
    size: int = Field(description="Bytes.")
    created_at: datetime
    url: str = Field(
        description="A signed download link, relative to this server, valid for a few minutes."
    )


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(title: str, kind: str, blob_key: str) -> str:
    """``My story.mp4``, ``My story - poster.jpg``: files named after the project."""
    stem = _UNSAFE_NAME.sub(" ", title).strip(" .")[:100] or "storyreel"
    suffix = PurePosixPath(blob_key).suffix
    label = "" if kind == "video" else f" - {kind.replace('_', ' ')}"
    return f"{stem}{label}{suffix}"


def asset_out(state: AppState, asset: Asset, filename: str | None = None) -> AssetOut:
    return AssetOut(
        id=asset.id,
        kind=asset.kind,
        mime=asset.mime,
        size=asset.size,
        created_at=asset.created_at,
        url=signing.asset_url(state, asset.id, filename),
    )
