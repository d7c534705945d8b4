"""What a file is, by its content: magic bytes and zip members; the name only breaks the tie
between text kinds (Markdown or plain text), which no content can tell apart reliably."""

from __future__ import annotations

import io
import re
import zipfile

from storyreel.documents.errors import EncryptedDocument, UnsupportedDocument

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: old .doc, or encrypted OOXML
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
_BINARY = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF media file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)


def detect(raw: bytes, filename: str) -> str:
    """One of pdf, docx, epub, html, markdown, text."""
    head = raw[:1024]
    if b"%PDF-" in head:  # readers accept the header anywhere in the first kilobyte
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(raw, filename)
    if head.startswith(_CFB):
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise EncryptedDocument(
                f"{filename} is protected by a password; save an unprotected copy and send that"
            )
        raise UnsupportedDocument(f"{filename} is an old Word (.doc) file; save it as .docx")
    for magic, what in _BINARY:
        if head.startswith(magic):
            raise UnsupportedDocument(f"{filename} is {what}, not a document")
    if _HTML.match(_text_head(head)):
        return "html"
    return "markdown" if filename.lower().endswith(_MARKDOWN_SUFFIXES) else "text"


def _text_head(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible text (UTF-16 pages spelled out, BOMs dropped)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
        except UnicodeDecodeError:
            return head
    return head.removeprefix(b"\xef\xbb\xbf")


def _zip_kind(raw: bytes, filename: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as stream:
                    mimetype = stream.read(64)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise UnsupportedDocument(f"{filename} is a damaged or unknown zip archive") from None
    if mimetype.strip() == b"application/epub+zip" or "META-INF/container.xml" in names:
        return "epub"
    if "word/document.xml" in names:
        return "docx"
    raise UnsupportedDocument(f"{filename} is a zip archive but not a .docx or .epub")
