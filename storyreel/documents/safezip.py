"""Zip containers (.docx, .epub) opened with bounds, so a zip bomb is refused before it is
inflated: member count, total uncompressed size, compression ratio, nested archives, and
encrypted members are all checked from the central directory."""

from __future__ import annotations

import io
import zipfile

from storyreel.documents.errors import (
    EncryptedDocument,
    MalformedDocument,
    UnsafeArchive,
)

MAX_MEMBERS = 5000
# A story document's XML inflates well under this; real bombs claim gigabytes.
MAX_RATIO = 100
# Ratios are only meaningful for members big enough to hurt: a small XML of repeated markup
# legitimately compresses past 100:1.
RATIO_FLOOR = 1024 * 1024
_ARCHIVE_SUFFIXES = (".zip", ".epub", ".docx", ".xlsx", ".pptx", ".jar", ".gz", ".7z", ".rar")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


def open_zip(
    raw: bytes, name: str, *, max_total: int, nested_ok_under: tuple[str, ...] = ()
) -> zipfile.ZipFile:
    """The archive, after its central directory passed every bound; ``nested_ok_under`` names
    folders whose archives are never opened (Word keeps embedded spreadsheets there)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise MalformedDocument(
            f"{name} is a damaged zip container ({exc}); save it again from its editor"
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise _bomb(name, f"has {len(members):,} files inside (at most {MAX_MEMBERS:,})")
    total = sum(m.file_size for m in members)
    if total > max_total:
        raise _bomb(name, f"unpacks to {total:,} bytes (at most {max_total:,})")
    packed = sum(m.compress_size for m in members)
    if total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        raise _bomb(name, f"is compressed {total // max(packed, 1):,}:1 (at most {MAX_RATIO}:1)")
    for member in members:
        if member.flag_bits & 0x1:
            raise EncryptedDocument(
                f"{name} is encrypted; remove its password or DRM and send it again"
            )
        big = member.file_size > RATIO_FLOOR
        if big and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _bomb(name, f"holds {member.filename} compressed past {MAX_RATIO}:1")
        if member.filename.startswith(nested_ok_under) or member.is_dir():
            continue
        if member.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            raise _bomb(name, f"holds another archive ({member.filename})")
        if member.file_size >= 4:
            with archive.open(member) as stream:
                if stream.read(4).startswith(_ARCHIVE_MAGIC):
                    raise _bomb(name, f"holds another archive ({member.filename})")
    return archive


def read_member(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    """One member's bytes; its declared size bounds the read (checked by ``open_zip``)."""
    try:
        return archive.read(member)
    except KeyError:
        raise MalformedDocument(f"{name} lacks {member}; save it again from its editor") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise MalformedDocument(
            f"{name} is damaged ({member}: {exc}); save it again from its editor"
        ) from exc


def _bomb(name: str, what: str) -> UnsafeArchive:
    return UnsafeArchive(f"{name} {what}, which looks like a zip bomb; send the text another way")
