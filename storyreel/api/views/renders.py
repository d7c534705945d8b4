"""How a render looks through the API: its video and derived files as signed links."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from storyreel.api.deps import AppState
from storyreel.api.views.assets import AssetOut, asset_out, download_name
from storyreel.db.models import Asset, Render
from storyreel.db.repositories import projects as repo
from storyreel.media.qc_report import QcReport


class QcFindingOut(BaseModel):
    message: str
    start: float | None = Field(None, description="Seconds into the video, where known.")
    end: float | None = None
    shot: int | None = Field(None, description="The shot (1-based), where known.")


class QcCheckOut(BaseModel):
    name: str = Field(examples=["loudness"], description="A stable id: docs/quality-checks.md.")
    status: Literal["pass", "fail", "skipped"]
    message: str = Field(description="The verdict in plain words.")
    measured: dict[str, Any]
    threshold: dict[str, Any]
    findings: list[QcFindingOut]


class QcOut(BaseModel):
    """The quality check the render had before it was called done."""

    outcome: Literal["ok", "attention"] = Field(
        description="ok: every check passed; attention: one failed (see summary)."
    )
    summary: str = Field(description="Why it needs attention, one sentence per failed check.")
    elapsed_s: float
    checks: list[QcCheckOut]


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
    qc: QcOut | None = Field(None, description="Its quality check (None: not checked).")


def qc_out(render: Render) -> QcOut | None:
    if render.qc_report is None or render.qc_outcome not in ("ok", "attention"):
        return None
    report = QcReport.from_dict(render.qc_report)
    return QcOut(
        outcome=render.qc_outcome,
        summary=report.summary,
        elapsed_s=report.elapsed_s,
        checks=[QcCheckOut.model_validate(c.to_dict()) for c in report.checks],
    )


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
        qc=qc_out(render),
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
