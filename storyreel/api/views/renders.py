"""How a render looks through the API: its video and derived files as signed links."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from storyreel.api.deps import AppState
from storyreel.api.views.assets import AssetOut, asset_out, download_name
from storyreel.db.models import Asset, Render
from storyreel.db.repositories import projects as repo


class RenderOut(BaseModel):
    id: str
    quality: str = Field(examples=["final"])
    duration: float = Field(description="Seconds.")
    width: int
    height: int
    size_bytes: int
    created_at: datetime
    task_id: str | None
    video: AssetOut | None
    poster: AssetOut | None
    contact_sheet: AssetOut | None
    srt: AssetOut | None


def render_out(
    state: AppState, render: Render, assets: dict[str, Asset], title: str | None = None
) -> RenderOut:
    """``assets``: the render's assets by id (``repo.assets``); ``title`` names the files."""

    def one(asset_id: str | None, kind: str) -> AssetOut | None:
        asset = assets.get(asset_id) if asset_id else None
        if asset is None:
            return None
        name = download_name(title, kind, asset.blob_key) if title is not None else None
        return asset_out(state, asset, name)

    return RenderOut(
        id=render.id,
        quality=render.quality,
        duration=render.duration,
        width=render.width,
        height=render.height,
        size_bytes=render.size_bytes,
        created_at=render.created_at,
        task_id=render.task_id,
        video=one(render.video_asset_id, "video"),
        poster=one(render.poster_asset_id, "poster"),
        contact_sheet=one(render.contact_sheet_asset_id, "contact_sheet"),
        srt=one(render.srt_asset_id, "srt"),
    )


def render_assets(s: Session, render: Render) -> dict[str, Asset]:
    return repo.assets(
        s,
        [
            render.video_asset_id,
            render.poster_asset_id,
            render.contact_sheet_asset_id,
            render.srt_asset_id,
        ],
    )
