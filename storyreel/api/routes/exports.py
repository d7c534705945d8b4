"""Exports: a project's finished render as a file to take into another editor — the bundle,
OpenTimelineIO (.otio, .otioz), FCP7 XML, a CMX3600 EDL or a JianYing/CapCut draft
(docs/exports.md). Readable by whoever may read the project."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from storyreel.api.deps import CurrentUser, DbDep, StateDep, project_for
from storyreel.pipeline.exports import ExportFormat, export_project
from storyreel.storage.disposition import content_disposition

router = APIRouter(tags=["exports"])

_ZIP: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The export: a zip (an .otioz is a zip too), named after the project.",
    },
}


@router.get(
    "/projects/{project_id}/export",
    response_class=FileResponse,
    responses=_ZIP,
)
def export_project_file(
    project_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    fmt: Annotated[
        ExportFormat,
        Query(
            alias="format",
            description="bundle: video, subtitles, storyboard, timeline and media; otio: "
            "OpenTimelineIO beside its media; otioz: OpenTimelineIO with the media inside; fcp7: "
            "FCP7 XML for Premiere Pro and DaVinci Resolve; edl: a CMX3600 EDL (pictures only); "
            "jianying: a JianYing/CapCut draft folder. Folder-shaped exports come zipped.",
        ),
    ],
    media_root: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Where the unzipped folder will be on the editing machine (e.g. "
            "D:\\Films\\My story): otio, fcp7 and edl then name the media by absolute paths "
            "instead of paths relative to the timeline file.",
        ),
    ] = None,
) -> FileResponse:
    """Download an export of the project's finished render (409 while it has none)."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        pid = project.id
    root = state.settings.data_dir / "work"
    root.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix="download-", dir=root))
    try:
        written = export_project(
            state.platform, pid, fmt, holder / "export.zip", media_root=media_root
        )
    except BaseException:
        shutil.rmtree(holder, ignore_errors=True)
        raise
    return FileResponse(
        written.path,
        media_type=written.media_type,
        headers={
            "Content-Disposition": content_disposition(written.filename),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
        background=BackgroundTask(shutil.rmtree, holder, ignore_errors=True),
    )
