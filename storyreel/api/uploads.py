"""Upload checks the routers share: request bodies bounded while they arrive, files read with a
limit, and the type decided by the content (never the name): story documents (read by
``storyreel.documents`` through the pipeline's ingest) and PNG, JPEG or WebP images, with a
pixel limit checked from the header before any image is decoded."""

from __future__ import annotations

import io
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import UploadFile
from fastapi.routing import APIRoute
from PIL import Image, UnidentifiedImageError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from storyreel.api import errors
from storyreel.documents import (
    ACCEPTED,
    ChapterChoiceError,
    Document,
    DocumentError,
    DocumentTooLarge,
    UnsupportedDocument,
)
from storyreel.pipeline.ingest import StoryLimits, document_of
from storyreel.settings import Settings

# Room for the multipart envelope and the form fields beside the file.
FORM_OVERHEAD = 256 * 1024
_CHUNK = 64 * 1024

DOCUMENT_FORMATS = "plain text (.txt), Markdown (.md), Word (.docx), PDF, EPUB or HTML"
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "WEBP": ("image/webp", ".webp"),
}


# For the OpenAPI schema: what bounded routes and upload endpoints may answer besides the rest.
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": errors.ErrorBody, "description": "Too large (bytes, characters or pixels)"}
}
UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {
        "model": errors.ErrorBody,
        "description": "Not a file type this accepts (judged by content, not name): documents "
        f"are {DOCUMENT_FORMATS}; pictures are PNG, JPEG or WebP",
    }
}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def too_large(limit: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(
        f"the upload is larger than the limit of {_mb(limit)} (STORYREEL_UPLOAD_MAX_BYTES)",
        details={"limit_bytes": limit},
    )


class BoundedBody(APIRoute):
    """A route whose request body may not exceed the upload limit (plus the form envelope):
    refused from ``Content-Length`` before anything is read, and counted while it streams in
    when there is none — so an endless body is cut off, not spooled to disk."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            limit = request.app.state.storyreel.settings.upload_max_bytes
            ceiling = limit + FORM_OVERHEAD
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > ceiling:
                raise too_large(limit)
            received = 0
            receive = request.receive

            async def counted() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > ceiling:
                        # An HTTPException passes through FastAPI's body parsing unchanged.
                        raise HTTPException(413, too_large(limit).message)
                return message

            return await handler(Request(request.scope, counted))

        return bounded


def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes, read in chunks and refused (413) past ``limit``."""
    buffer = io.BytesIO()
    upload.file.seek(0)
    while chunk := upload.file.read(_CHUNK):
        if buffer.tell() + len(chunk) > limit:
            raise too_large(limit)
        buffer.write(chunk)
    return buffer.getvalue()


def story_limits(settings: Settings) -> StoryLimits:
    return StoryLimits(
        max_chars=settings.max_story_chars,
        max_document_chars=settings.max_document_chars,
        max_bytes=settings.upload_max_bytes,
    )


def story_document(raw: bytes, filename: str | None, settings: Settings) -> Document:
    """The uploaded document, read by content: 415 for a type this does not read, 413 past a
    limit, 422 when it is unreadable (damaged, encrypted, a scan, a zip bomb, empty)."""
    try:
        return document_of(raw, filename or "the file", story_limits(settings))
    except DocumentError as exc:
        raise document_refusal(exc) from exc


def document_refusal(exc: DocumentError) -> errors.ApiError:
    """A reader's refusal as the API's error, the reader's sentence as its message."""
    message = str(exc)
    if isinstance(exc, UnsupportedDocument):
        return errors.UnsupportedMediaType(message, details={"accepted": list(ACCEPTED)})
    if isinstance(exc, DocumentTooLarge):
        return errors.PayloadTooLarge(message, details={f"limit_{exc.unit}": exc.limit})
    if isinstance(exc, ChapterChoiceError):
        return errors.field_error("chapter", message)
    return errors.Unprocessable(message, details={"reason": type(exc).__name__})


@dataclass(frozen=True)
class ImageInfo:
    format: str  # PNG | JPEG | WEBP
    mime: str
    suffix: str
    width: int
    height: int


def check_image(raw: bytes, max_pixels: int) -> ImageInfo:
    """A PNG, JPEG or WebP image by its content (415 otherwise), no larger than ``max_pixels``
    (413): the size comes from the header, so a decompression bomb is refused undecoded."""
    accepted = ", ".join(IMAGE_FORMATS)
    try:
        with Image.open(io.BytesIO(raw), formats=list(IMAGE_FORMATS)) as image:
            width, height = image.size
            fmt = str(image.format)
            if width * height > max_pixels:
                raise _too_many_pixels(width, height, max_pixels)
            image.verify()  # structure and checksums, without decoding the pixels
    except Image.DecompressionBombError as exc:  # Pillow's own (larger) ceiling
        raise _too_many_pixels(0, 0, max_pixels) from exc
    except UnidentifiedImageError:
        raise errors.UnsupportedMediaType(
            f"the file is not an image this accepts; upload a {accepted} image",
            details={"accepted": ["image/png", "image/jpeg", "image/webp"]},
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise errors.Unprocessable(f"the image is damaged or truncated: {exc}") from exc
    mime, suffix = IMAGE_FORMATS[fmt]
    return ImageInfo(fmt, mime, suffix, width, height)


def _too_many_pixels(width: int, height: int, limit: int) -> errors.PayloadTooLarge:
    size = f"{width}×{height} = {width * height:,} pixels" if width else "too many pixels"
    return errors.PayloadTooLarge(
        f"the image has {size}; the limit is {limit:,} pixels (STORYREEL_UPLOAD_MAX_PIXELS)",
        details={"limit_pixels": limit},
    )
