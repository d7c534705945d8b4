"""Download names in ``Content-Disposition`` (RFC 6266), for the API's responses and for the
presigned URLs of remote stores, which ask the server to send the same header."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

_UNSAFE = re.compile(r'[\\/:*?"<>|;=%]+')
_SPACES = re.compile(r"\s+")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._()\[\] -]+")
MAX_NAME = 120


def clean_filename(name: str) -> str:
    """A file name safe in any header and on any disk: no control characters (so no header
    splitting), no quotes, no path separators, no leading dots, at most ``MAX_NAME`` characters
    (the extension kept)."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if dot and 0 < len(ext) <= 8 and stem:
        return f"{stem[: MAX_NAME - len(ext) - 1].rstrip(' ._')}.{ext}"
    return name[:MAX_NAME].rstrip(" ._")


def ascii_filename(name: str, fallback: str) -> str:
    """The name for clients that ignore ``filename*``: transliterated where Unicode allows,
    otherwise ``fallback``."""
    path = PurePosixPath(name)
    ext = path.suffix if path.suffix.isascii() else ""
    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = _SPACES.sub(" ", _ASCII_UNSAFE.sub("_", stem)).strip(" ._")
    return f"{stem}{ext}" if stem.strip(" _-()[]") else fallback


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII ``filename`` and the exact UTF-8 ``filename*``."""
    name = clean_filename(filename) or "download"
    ext = PurePosixPath(name).suffix
    plain = ascii_filename(name, f"download{ext}")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
