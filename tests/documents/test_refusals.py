"""Every refusal names the problem and what to do, in one sentence."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from storyreel.documents import (
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    MalformedDocument,
    NoTextLayer,
    UnsafeArchive,
    UnsupportedDocument,
    read_document,
)
from tests.documents.makers import PdfLine, PdfPage, PdfSpec, make_docx, make_epub, make_pdf, xhtml

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_chars": 100_000}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def test_a_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    raw = make_pdf(PdfSpec(pages=[PdfPage([], image_only=True)]), tmp_path)
    with pytest.raises(NoTextLayer, match=r"has no text layer \(a scan\?\); run OCR on it"):
        read_document(raw, "scan.pdf", **LIMITS)


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    spec = PdfSpec(pages=[PdfPage([PdfLine("A secret story.")])], password="s3cret")
    with pytest.raises(EncryptedDocument, match="password; save an unprotected copy"):
        read_document(make_pdf(spec, tmp_path), "locked.pdf", **LIMITS)


def _compound_file(streams: list[str]) -> bytes:
    """A minimal OLE compound file (how Word stores an encrypted .docx): a header, one FAT
    sector and one directory sector naming the streams."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 30, 9)  # 512-byte sectors
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # 1 FAT sector; directory at 1
    struct.pack_into("<I", header, 76, 0)  # the FAT is sector 0
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504
    directory = bytearray()
    for number, name in enumerate(["Root Entry", *streams]):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), 5 if number == 0 else 2)
        directory += entry
    directory += b"\0" * (512 - len(directory))
    return bytes(header) + fat + bytes(directory)


def test_a_password_protected_word_document_is_refused() -> None:
    raw = _compound_file(["EncryptionInfo", "EncryptedPackage"])
    with pytest.raises(EncryptedDocument, match="password; save an unprotected copy"):
        read_document(raw, "locked.docx", **LIMITS)
    with pytest.raises(UnsupportedDocument, match=r"old Word \(\.doc\) file; save it as \.docx"):
        read_document(_compound_file(["WordDocument"]), "old.doc", **LIMITS)


def test_a_drm_locked_epub_is_refused() -> None:
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/a.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    raw = make_epub(
        "Locked",
        [("a.xhtml", xhtml("A", "<p>Text.</p>"))],
        extra={"META-INF/encryption.xml": encryption.encode()},
    )
    with pytest.raises(EncryptedDocument, match="locked by DRM"):
        read_document(raw, "locked.epub", **LIMITS)


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", "<container/>")
        archive.writestr("OEBPS/zeros.xhtml", b"\0" * (50 * 1024 * 1024))  # ~1000:1
    with pytest.raises(UnsafeArchive, match="looks like a zip bomb; send the text another way"):
        read_document(out.getvalue(), "bomb.epub", **LIMITS)


def test_an_archive_inside_the_document_is_refused() -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("a.txt", "x")
    raw = make_epub(
        "Nested", [("a.xhtml", xhtml("A", "<p>x</p>"))], extra={"OEBPS/more.bin": inner.getvalue()}
    )
    with pytest.raises(UnsafeArchive, match="holds another archive"):
        read_document(raw, "nested.epub", **LIMITS)


def test_an_epub_that_declares_entities_is_refused_xxe_and_billion_laughs() -> None:
    xxe = '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    laughs = (
        '<!DOCTYPE html [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    for prolog, body in ((xxe, "<p>&x;</p>"), (laughs, "<p>&c;</p>")):
        raw = make_epub("Evil", [("a.xhtml", xhtml("A", body, prolog=prolog))])
        with pytest.raises(MalformedDocument, match="declares XML entities"):
            read_document(raw, "evil.epub", **LIMITS)


def test_malformed_xml_in_an_epub_is_refused() -> None:
    raw = make_epub("Broken", [("a.xhtml", "<html><body><p>never closed")])
    with pytest.raises(MalformedDocument, match=r"malformed XML in OEBPS/a\.xhtml"):
        read_document(raw, "broken.epub", **LIMITS)


def test_a_file_over_the_byte_limit_and_a_document_over_the_character_limit() -> None:
    with pytest.raises(DocumentTooLarge, match="the limit is 1 KB") as big:
        read_document(b"word " * 400, "big.txt", max_bytes=1024, max_chars=100_000)
    assert big.value.unit == "bytes"
    with pytest.raises(DocumentTooLarge, match="STORYREEL_MAX_DOCUMENT_CHARS") as long:
        read_document(b"word " * 400, "long.txt", max_bytes=1 << 20, max_chars=1000)
    assert long.value.unit == "characters" and long.value.limit == 1000


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("story.docx", _png(), "PNG image, not a document"),
        ("story.txt", b"GIF89a" + bytes(range(256)), "GIF image"),
        ("story.docx", b"PK\x03\x04garbage", "damaged or unknown zip"),
        ("story.epub", b"\x00\x01\x02\x00binary", "binary data, not text"),
    ],
)
def test_a_type_this_does_not_read_is_refused_with_what_is_accepted(
    name: str, raw: bytes, message: str
) -> None:
    with pytest.raises(UnsupportedDocument, match=message) as info:
        read_document(raw, name, **LIMITS)
    for accepted in (".txt", ".md", ".docx", ".pdf", ".epub", "HTML"):
        assert accepted in str(info.value)


def test_an_empty_document_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="empty"):
        read_document(b" \n ", "empty.txt", **LIMITS)
    with pytest.raises(EmptyDocument, match="no text in it"):
        read_document(make_docx([("", "  ")]), "blank.docx", **LIMITS)
