"""Ingest: a story file or text becomes clean story text, or a clear error says why not."""

from __future__ import annotations

import unicodedata
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".text")


class StoryError(ValueError):
    """The story cannot be used; the message says what is wrong and how to fix it."""


def read_story(path: Path, max_chars: int) -> str:
    """Read a .txt/.md story file; refuse missing, unreadable, binary, empty or oversized ones."""
    if not path.exists():
        raise StoryError(f"story file not found: {path}")
    if not path.is_file():
        raise StoryError(f"{path} is not a file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise StoryError(
            f"{path.name}: unsupported story format {path.suffix or '(none)'}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise StoryError(f"cannot read {path}: {err.strerror}") from None
    # Rough guard before decoding: a huge file is refused without reading it as text.
    if len(raw) > max_chars * 4 + 1024:
        raise _too_long(len(raw), max_chars, "bytes")
    return check_story(decode_story(raw, path.name), max_chars)


def decode_story(raw: bytes, name: str = "story") -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise StoryError(f"{name} looks like binary data, not text; save the story as plain text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")  # Chinese stories saved by older editors
    except UnicodeDecodeError:
        raise StoryError(f"{name} is not UTF-8 text; save it as UTF-8") from None


def _too_long(length: int, limit: int, unit: str = "characters") -> StoryError:
    return StoryError(
        f"the story is {length:,} {unit}; the limit is {limit:,} characters "
        "(shorten it, or raise STORYREEL_MAX_STORY_CHARS)"
    )


def check_story(text: str, max_chars: int) -> str:
    """Normalise line endings and Unicode; refuse empty, control-character or oversized text."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    stripped = text.strip()
    if not stripped:
        raise StoryError("the story is empty; write at least a sentence")
    controls = sum(1 for ch in stripped if unicodedata.category(ch) == "Cc" and ch not in "\n\t")
    if controls > max(3, len(stripped) // 100):
        raise StoryError("the story contains binary data or control characters, not text")
    if not any(ch.isalnum() for ch in stripped):
        raise StoryError("the story has no words in it")
    if len(stripped) > max_chars:
        raise _too_long(len(stripped), max_chars)
    return stripped
