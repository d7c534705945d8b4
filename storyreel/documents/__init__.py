"""Documents in: a story file of any accepted kind (.docx, .pdf, .epub, .html, .md, .txt)
becomes a ``Document`` of titled chapters, recognised by its content rather than its name, or
a ``DocumentError`` whose message tells a person what to do.

A service-layer package: it imports nothing of storyreel but ``storyreel.domain``, and takes
its limits as plain arguments."""

from storyreel.documents.chapters import ChapterChoiceError, parse_choice, pick
from storyreel.documents.errors import (
    ACCEPTED,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    MalformedDocument,
    NoTextLayer,
    UnsafeArchive,
    UnsupportedDocument,
)
from storyreel.documents.model import Chapter, Document
from storyreel.documents.reader import Limits, read_document

__all__ = [
    "ACCEPTED",
    "Chapter",
    "ChapterChoiceError",
    "Document",
    "DocumentError",
    "DocumentTooLarge",
    "EmptyDocument",
    "EncryptedDocument",
    "Limits",
    "MalformedDocument",
    "NoTextLayer",
    "UnsafeArchive",
    "UnsupportedDocument",
    "parse_choice",
    "pick",
    "read_document",
]
