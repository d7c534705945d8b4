"""The refusals: one class per reason, each message one sentence that says what to do."""

from __future__ import annotations

# What a person may send, in the words every refusal of an unknown type repeats.
ACCEPTED = (".txt", ".md", ".docx", ".pdf", ".epub", ".html")
ACCEPTED_TEXT = "plain text (.txt), Markdown (.md), Word (.docx), PDF (.pdf), EPUB (.epub) or HTML"


class DocumentError(ValueError):
    """The document cannot be read; the message says why and what to do."""


class UnsupportedDocument(DocumentError):
    """Not a kind of file this reads (decided by its content)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}; send {ACCEPTED_TEXT}")


class DocumentTooLarge(DocumentError):
    """Over a byte or character limit; ``limit`` and ``unit`` say which."""

    def __init__(self, message: str, *, limit: int, unit: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.unit = unit


class EncryptedDocument(DocumentError):
    """Password-protected or DRM-locked."""


class NoTextLayer(DocumentError):
    """A PDF whose pages carry no text (a scan)."""


class UnsafeArchive(DocumentError):
    """A .docx or .epub whose zip container could exhaust memory or disk (a zip bomb)."""


class MalformedDocument(DocumentError):
    """Damaged, truncated, or XML that declares entities (refused: no XXE, no billion laughs)."""


class EmptyDocument(DocumentError):
    """Readable, but with no text in it."""
