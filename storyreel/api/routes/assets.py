"""Assets: what a file is (with a fresh signed link), and its bytes through that link.

The content endpoint takes no ``Authorization`` header — the signature is the authorization, so
the link works in ``<video src>`` — and serves single byte ranges, so browsers can seek.
Files stream from the blob store in chunks; a video is never read into memory whole. A remote
store (S3) is not proxied: the checked link is answered with a 307 to a presigned URL for the
store's public endpoint, which serves the Range requests itself (ADR 0008).
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session

from storyreel.api import errors, signing
from storyreel.api.deps import CurrentUser, DbDep, StateDep, limit_ip, project_for
from storyreel.api.views.assets import AssetOut, asset_out, download_name
from storyreel.db.models import Asset, User
from storyreel.db.repositories import projects as projects_repo
from storyreel.storage.base import BlobNotFound, BlobStore, InvalidKey
from storyreel.storage.disposition import content_disposition

router = APIRouter(tags=["assets"])

CHUNK = 256 * 1024


class RangeNotSatisfiable(errors.ApiError):
    status = 416


# --- lookups --------------------------------------------------------------------------------


def asset_for(s: Session, user: User, asset_id: str) -> Asset:
    """The asset if ``user`` may read it (through its project, or as its owner); 404 otherwise."""
    asset = projects_repo.asset(s, asset_id)
    if asset is None:
        raise errors.NotFound(f"no asset {asset_id}")
    if asset.project_id is not None:
        try:
            project_for(s, user, asset.project_id)
        except errors.NotFound:
            raise errors.NotFound(f"no asset {asset_id}") from None
    elif asset.owner_id != user.id and user.role != "admin":
        raise errors.NotFound(f"no asset {asset_id}")
    return asset


# --- download names -------------------------------------------------------------------------


def _download_name(asset: Asset, project_title: str | None) -> str:
    """Named after the project (``<title>.mp4``, ``<title> - poster.jpg``), or for a generation
    without one after what it was asked for."""
    meta_title = asset.meta.get("title") if isinstance(asset.meta, dict) else None
    title = project_title or (str(meta_title) if meta_title else "") or "storyreel"
    name = download_name(title, asset.kind, asset.blob_key)
    if PurePosixPath(name).suffix:
        return name
    return name + (mimetypes.guess_extension(asset.mime) or "")


# --- byte ranges ----------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range as inclusive (first, last), or None to send the whole file.

    Malformed headers, other units and several ranges are ignored, as RFC 9110 allows (the
    whole file answers them); a well-formed range that selects nothing raises
    ``RangeNotSatisfiable``.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # bytes=-n: the last n bytes
        n = int(last_s)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable(f"the range {header.strip()!r} selects no bytes")
        return max(0, size - n), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if last_s and last < first:
        return None  # not a valid range at all: ignored
    if first >= size:
        raise RangeNotSatisfiable(
            f"the range {header.strip()!r} starts past the end of the {size}-byte file"
        )
    return first, min(last, size - 1)


def _chunks(f: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        if start:
            if f.seekable():
                f.seek(start)
            else:  # a stream without seek (some remote stores): skip ahead
                skip = start
                while skip > 0:
                    got = f.read(min(CHUNK, skip))
                    if not got:
                        return
                    skip -= len(got)
        left = length
        while left > 0:
            data = f.read(min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data
    finally:
        f.close()


def _redirect(store: BlobStore, asset: Asset, filename: str, inline: bool, ttl: int) -> Response:
    """To a presigned URL that lives no longer than the link it replaces; the store serves
    Range, the ETag and the download name itself (the name is signed into the URL)."""
    try:
        target = store.url(asset.blob_key, max(1, ttl), filename, inline=inline)
    except InvalidKey as exc:
        raise errors.NotFound(f"the file of asset {asset.id} is no longer stored") from exc
    # Not cached: the target expires, and the next request should be signed afresh.
    return RedirectResponse(
        target,
        status_code=307,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _open(store: BlobStore, key: str) -> tuple[BinaryIO, int | None]:
    f = store.open(key)
    try:
        size: int | None = os.fstat(f.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = None
    return f, size


# --- endpoints ------------------------------------------------------------------------------


@router.get("/assets/{asset_id}", response_model=AssetOut)
def get_asset(asset_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> AssetOut:
    """What an asset is, with a fresh signed link to its bytes."""
    with db.read() as s:
        asset = asset_for(s, user, asset_id)
    return asset_out(state, asset)


# The types the pipeline stores (and uploads are checked to be).
_MEDIA_TYPES: dict[str, dict[str, Any]] = {
    mime: {"schema": {"type": "string", "format": "binary"}}
    for mime in (
        "video/mp4",
        "image/png",
        "image/jpeg",
        "image/webp",
        "audio/wav",
        "application/x-subrip",
        "application/json",
        "application/octet-stream",
    )
}
_CONTENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": _MEDIA_TYPES, "description": "The whole file."},
    206: {
        "content": _MEDIA_TYPES,
        "description": "The requested byte range (`Content-Range` says which).",
    },
    304: {"description": "Not modified (`If-None-Match` matched the ETag)."},
    307: {
        "description": "With object storage: a presigned URL of the file, valid until this "
        "link expires; it serves Range itself.",
        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
    },
    416: {"model": errors.ErrorBody, "description": "The range selects no bytes of the file."},
}


@router.get(
    "/assets/{asset_id}/content",
    response_class=Response,
    responses=_CONTENT_RESPONSES,
    dependencies=[Depends(limit_ip)],
)
def download_asset(
    asset_id: str,
    state: StateDep,
    db: DbDep,
    expires: Annotated[int, Query(description="Unix time the link stops working.")],
    sig: Annotated[str, Query(max_length=256, description="The link's signature.")],
    name: Annotated[str | None, Query(max_length=255, description="Signed file name.")] = None,
    inline: Annotated[bool, Query(description="Show in the browser instead of saving.")] = False,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
    if_range: Annotated[str | None, Header(alias="If-Range", max_length=200)] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
) -> Response:
    """Download or stream an asset through a signed link (no login needed; Range supported)."""
    now = signing.check_link(
        state,
        asset_id,
        expires,
        sig,
        kind="download",
        renew=f"GET /api/v1/assets/{asset_id}",
        filename=name,
    )
    with db.read() as s:
        asset = projects_repo.asset(s, asset_id)
        project = projects_repo.get(s, asset.project_id) if asset and asset.project_id else None
    if asset is None:
        raise errors.NotFound(f"no asset {asset_id}")
    filename = name or _download_name(asset, project.title if project else None)
    if state.store.direct_urls:
        return _redirect(state.store, asset, filename, inline, int(expires - now))
    try:
        f, actual = _open(state.store, asset.blob_key)
    except (BlobNotFound, InvalidKey, FileNotFoundError) as exc:
        raise errors.NotFound(f"the file of asset {asset_id} is no longer stored") from exc
    size = asset.size if actual is None else actual
    etag = f'"{asset.sha256}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": f"private, max-age={max(0, int(expires - now))}",
        "Content-Disposition": content_disposition(filename, inline=inline),
        "X-Content-Type-Options": "nosniff",
    }
    try:
        if if_none_match and (if_none_match.strip() == "*" or etag in if_none_match):
            f.close()
            return Response(status_code=304, headers=headers)
        wanted = None if if_range and if_range.strip() != etag else range_header
        try:
            span = parse_range(wanted, size)
        except RangeNotSatisfiable as exc:
            exc.headers = {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
            raise
    except BaseException:
        f.close()
        raise
    if span is None:
        return StreamingResponse(
            _chunks(f, 0, size),
            media_type=asset.mime,
            headers={**headers, "Content-Length": str(size)},
        )
    first, last = span
    return StreamingResponse(
        _chunks(f, first, last - first + 1),
        status_code=206,
        media_type=asset.mime,
        headers={
            **headers,
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(last - first + 1),
        },
    )
