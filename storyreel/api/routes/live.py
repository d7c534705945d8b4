"""Watch while it renders: a running render's HLS playlist and segments (``media/live.py``).

``GET /projects/{id}/live`` (signed in) answers where the project's render can be watched: a
signed playlist link, like the asset links, so it works in a ``<video>`` element or hls.js
without an ``Authorization`` header and stops working when it expires. The playlist it serves
is the published one with every segment line rewritten to a link signed the same way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field

from storyreel.api import errors, signing
from storyreel.api.deps import AppState, CurrentUser, DbDep, StateDep, limit_ip, project_for
from storyreel.db.repositories import projects as repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.blob_keys import live_prefix
from storyreel.media.live import PLAYLIST, SEGMENT_NAME_PATTERN
from storyreel.storage.base import BlobNotFound, InvalidKey
from storyreel.tasks.model import ACTIVE

router = APIRouter(tags=["renders"])

_FILE = re.compile(rf"^(?:{re.escape(PLAYLIST)}|{SEGMENT_NAME_PATTERN})$")
_SEGMENT_LINE = re.compile(rf"^{SEGMENT_NAME_PATTERN}$")
_CHUNK = 256 * 1024
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


class LiveOut(BaseModel):
    """Where a render can be watched while it runs."""

    task_id: str
    status: str = Field(description="The render task's status (queued, running, succeeded…).")
    quality: str
    playlist_url: str = Field(
        description="Signed link to the HLS playlist (no login needed until it expires). It "
        "grows as segments finish and ends (#EXT-X-ENDLIST) when the render is done."
    )
    segments_ready: int = Field(description="Segments in the playlist so far.")
    ended: bool = Field(description="The playlist is complete.")


def _subject(task_id: str) -> str:
    # Never an asset id (those have no '/'): a live link cannot be replayed as an asset link.
    return f"live/{task_id}"


def _signed_query(state: AppState, task_id: str, expires: int) -> str:
    return f"expires={expires}&sig={signing.sign(state, _subject(task_id), expires)}"


@router.get("/projects/{project_id}/live", response_model=LiveOut)
def live_render(project_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> LiveOut:
    """The project's render that can be watched now: the running one, else the latest one
    whose live playlist is still kept. 404 until its first segment is ready."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        task = repo.current_tasks(s, project.id).get((None, "render"))
        if task is None:
            raise errors.NotFound(
                f"project {project_id} has no render; start one with POST "
                f"/api/v1/projects/{project_id}/render"
            )
        status, quality = task.status, str(task.params.get("quality", project.quality))
    try:
        text = state.store.read_bytes(f"{live_prefix(project_id, task.id)}/{PLAYLIST}").decode()
    except (BlobNotFound, InvalidKey):
        if status in ACTIVE:
            message = "has no finished segment yet; ask again in a few seconds"
        else:
            message = (
                f"is over and kept no live playlist; see GET /api/v1/projects/{project_id}/renders"
            )
        raise errors.NotFound(f"the render of project {project_id} {message}") from None
    expires = int(time.time()) + max(1, int(state.settings.signed_url_ttl_s))
    return LiveOut(
        task_id=task.id,
        status=status,
        quality=quality,
        playlist_url=f"/api/v1/live/{task.id}/{PLAYLIST}?{_signed_query(state, task.id, expires)}",
        segments_ready=sum(1 for line in text.splitlines() if _SEGMENT_LINE.match(line)),
        ended="#EXT-X-ENDLIST" in text,
    )


@router.get(
    "/live/{task_id}/{name}",
    response_class=Response,
    dependencies=[Depends(limit_ip)],
    responses={
        200: {
            "content": {PLAYLIST_TYPE: {}, "video/mp2t": {}},
            "description": "The playlist (segment links signed) or one MPEG-TS segment.",
        },
        307: {"description": "With object storage: a presigned URL of the segment."},
    },
)
def live_file(
    task_id: str,
    name: str,
    state: StateDep,
    db: DbDep,
    expires: Annotated[int, Query(description="Unix time the link stops working.")],
    sig: Annotated[str, Query(max_length=256, description="The link's signature.")],
) -> Response:
    """A live playlist or segment through a signed link (no login needed)."""
    now = signing.check_link(
        state,
        _subject(task_id),
        expires,
        sig,
        kind="live",
        renew="GET /api/v1/projects/{project_id}/live",
    )
    if not _FILE.match(name):
        raise errors.NotFound(f"no live file {name!r}: only {PLAYLIST} and its segments")
    with db.read() as s:
        task = tasks_repo.get(s, task_id)
    if task is None or task.project_id is None or task.kind != "render":
        raise errors.NotFound(f"no render {task_id}")
    key = f"{live_prefix(task.project_id, task_id)}/{name}"
    if name == PLAYLIST:
        return _playlist(state, key, task_id, expires)
    return _segment(state, key, name, int(expires - now))


def _playlist(state: AppState, key: str, task_id: str, expires: int) -> Response:
    try:
        text = state.store.read_bytes(key).decode()
    except (BlobNotFound, InvalidKey):
        raise errors.NotFound("this render has no live playlist (yet)") from None
    query = _signed_query(state, task_id, expires)
    lines = [f"{line}?{query}" if _SEGMENT_LINE.match(line) else line for line in text.split("\n")]
    return Response(
        "\n".join(lines),
        media_type=PLAYLIST_TYPE,
        # It grows: a player polls it and must see the newest one every time.
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def _segment(state: AppState, key: str, name: str, ttl: int) -> Response:
    store = state.store
    if store.direct_urls:
        try:
            target = store.url(key, max(1, ttl), name, inline=True)
        except InvalidKey:
            raise errors.NotFound(f"no live segment {name}") from None
        return RedirectResponse(target, status_code=307, headers={"Cache-Control": "no-store"})
    try:
        f = store.open(key)
    except (BlobNotFound, InvalidKey, FileNotFoundError):
        raise errors.NotFound(f"no live segment {name}") from None

    def chunks() -> Iterator[bytes]:
        with f:
            while data := f.read(_CHUNK):
                yield data

    return StreamingResponse(
        chunks(),
        media_type="video/mp2t",
        # A segment never changes once published.
        headers={"Cache-Control": f"private, max-age={max(0, ttl)}"},
    )
