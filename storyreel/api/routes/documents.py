"""Documents: inspect an uploaded story document (its chapters) without making anything, so a
project can then be made from the chapters chosen (``POST /projects/upload``, ``chapter``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from storyreel.api import errors, uploads
from storyreel.api.deps import CurrentUser, StateDep
from storyreel.api.views.documents import DocumentOut, document_out

# The body is bounded by the upload limit while it arrives, as for project uploads.
router = APIRouter(tags=["documents"], route_class=uploads.BoundedBody, responses=uploads.TOO_LARGE)

UNREADABLE: dict[int | str, dict[str, Any]] = {
    422: {
        "model": errors.ErrorBody,
        "description": "Unreadable: damaged, encrypted, a scan without text, a zip bomb, "
        "unsafe XML, or empty (the message says what to do)",
    }
}


@router.post(
    "/documents/inspect",
    response_model=DocumentOut,
    responses={**uploads.UNSUPPORTED, **UNREADABLE},
)
def inspect_document(
    file: Annotated[UploadFile, File(description="A .txt, .md, .docx, .pdf, .epub or .html.")],
    user: CurrentUser,
    state: StateDep,
) -> DocumentOut:
    """The document's kind, title and chapters (number, title, characters, opening text);
    nothing is stored."""
    raw = uploads.read_upload(file, state.settings.upload_max_bytes)
    document = uploads.story_document(raw, file.filename, state.settings)
    return document_out(document, state.settings.max_story_chars)
