"""Upload checks the routers share: request bodies bounded while they arrive, files read with a
limit, and the type decided by the content (never the name): text documents and PNG, JPEG or
WebP images, with a pixel limit checked from the header before any image is decoded."""

from __future__ import annotations

import io
import unicodedata
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
from storyreel.pipeline.ingest import StoryError, decode_story

# Room for the multipart envelope and the form fields beside the file.
FORM_OVERHEAD = 256 * 1024
_CHUNK = 64 * 1024

TEXT_FORMATS = "plain text (.txt) or Markdown (.md), UTF-8"
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
    415: {"model": errors.ErrorBody, "description": "Not a file type this accepts"}
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


def story_text(raw: bytes) -> str:
    """A text document's content, or 415 when the bytes are not text (binary, NUL bytes,
    undecodable or full of control characters) whatever the file is called."""
    refused = errors.UnsupportedMediaType(
        f"the file is not a text document; upload {TEXT_FORMATS}",
        details={"accepted": [".txt", ".md"]},
    )
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not raw.strip() or (b"\x00" in raw and not utf16):
        if not raw.strip():
            raise errors.Unprocessable("the file is empty; the story needs at least a sentence")
        raise refused
    try:
        text = decode_story(raw, "the file")
    except StoryError:
        raise refused from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
    if controls > max(3, len(text) // 100):
        raise refused
    return text


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
