"""The one entry point: bytes and a file name in, a ``Document`` out (or a ``DocumentError``)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from storyreel.documents.detect import detect
from storyreel.documents.docx import read_docx
from storyreel.documents.epub import read_epub
from storyreel.documents.errors import DocumentTooLarge, EmptyDocument
from storyreel.documents.html import read_html
from storyreel.documents.markdown import read_markdown
from storyreel.documents.model import Chapter, Document
from storyreel.documents.pdf import read_pdf
from storyreel.documents.text import read_text

# A zip container may unpack to this many times the upload limit: XML is verbose, but a story
# document is not a thousand times its zipped size.
UNPACK_FACTOR = 20


@dataclass(frozen=True)
class Limits:
    """``max_bytes``: the file; ``max_chars``: the whole document's text (the story limit
    applies later, to the chapters chosen from it)."""

    max_bytes: int
    max_chars: int


def read_document(raw: bytes, filename: str, *, max_bytes: int, max_chars: int) -> Document:
    """The document in ``raw``, recognised by its content (``filename`` only names it in
    messages and tells Markdown from plain text)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "the file"
    if len(raw) > max_bytes:
        raise DocumentTooLarge(
            f"{name} is {_size(len(raw))}; the limit is {_size(max_bytes)}, "
            "so send a smaller file or one chapter of it",
            limit=max_bytes,
            unit="bytes",
        )
    if not raw.strip():
        raise EmptyDocument(f"{name} is empty; the story needs at least a sentence")
    kind = detect(raw, name)
    unpacked = max(max_bytes * UNPACK_FACTOR, 64 * 1024 * 1024)
    if kind == "pdf":
        document = read_pdf(raw, name)
    elif kind == "docx":
        document = read_docx(raw, name, max_unpacked=unpacked)
    elif kind == "epub":
        document = read_epub(raw, name, max_unpacked=unpacked)
    elif kind == "html":
        document = read_html(raw, name)
    elif kind == "markdown":
        document = read_markdown(raw, name)
    else:
        document = read_text(raw, name)
    document = _normalised(document)
    if not document.chapters:
        raise EmptyDocument(f"{name} has no text in it; the story needs at least a sentence")
    if document.chars > max_chars:
        raise DocumentTooLarge(
            f"{name} holds {document.chars:,} characters; the limit for a whole document is "
            f"{max_chars:,} (STORYREEL_MAX_DOCUMENT_CHARS), so split it and send a part",
            limit=max_chars,
            unit="characters",
        )
    return document


def _normalised(document: Document) -> Document:
    """NFC everywhere, so "é" typed two ways compares and counts as one character."""

    def nfc(text: str) -> str:
        return unicodedata.normalize("NFC", text)

    chapters = [Chapter(nfc(c.title), nfc(c.text)) for c in document.chapters if c.text.strip()]
    title = nfc(document.title) if document.title else None
    return Document(title, chapters, document.kind)


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"
