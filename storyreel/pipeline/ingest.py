"""Ingest: a story file, an uploaded document or pasted text becomes clean story text, or a
clear error says why not. Reading documents (every accepted kind, by content) is
``storyreel.documents``'; choosing the chapters that become the story is here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storyreel.documents import Document, DocumentError, pick, read_document

#: Shortens a chosen text that is too long for the film (``storyreel.pipeline.condense``).
Condense = Callable[[str], str]


class StoryError(ValueError):
    """The story cannot be used; the message says what is wrong and how to fix it."""


class ChapterNeeded(StoryError):
    """The whole document is longer than a story may be: a chapter must be chosen."""


@dataclass(frozen=True)
class StoryLimits:
    """``max_chars``: the story (STORYREEL_MAX_STORY_CHARS); ``max_document_chars``: a whole
    document (STORYREEL_MAX_DOCUMENT_CHARS); ``max_bytes``: the file."""

    max_chars: int
    max_document_chars: int
    max_bytes: int


def open_document(path: Path, limits: StoryLimits) -> Document:
    """The document in a file: ``StoryError`` when the file cannot be read at all,
    ``DocumentError`` (typed) when its content cannot be used."""
    if not path.exists():
        raise StoryError(f"story file not found: {path}")
    if not path.is_file():
        raise StoryError(f"{path} is not a file")
    try:
        size = path.stat().st_size
        # Read one byte past the limit at most: a huge file is refused without loading it.
        with path.open("rb") as stream:
            raw = stream.read(limits.max_bytes + 1) if size > limits.max_bytes else stream.read()
    except OSError as err:
        raise StoryError(f"cannot read {path}: {err.strerror}") from None
    return document_of(raw, path.name, limits)


def document_of(raw: bytes, name: str, limits: StoryLimits) -> Document:
    """The document in uploaded or read bytes (``DocumentError`` when unusable)."""
    return read_document(raw, name, max_bytes=limits.max_bytes, max_chars=limits.max_document_chars)


def story_of(
    document: Document, chapter: str | None, max_chars: int, condense: Condense | None = None
) -> str:
    """The story: the chapters ``chapter`` names ("3", "2-3"), else the whole document when it
    fits the story limit, else ``ChapterNeeded`` listing the chapters to choose from. With
    ``condense``, a text too long is condensed instead of refused."""
    text = chosen_text(document, chapter, max_chars, condensing=condense is not None)
    if condense is not None:
        text = condense(text)
    return check_story(text, max_chars)


def chosen_text(
    document: Document, chapter: str | None, max_chars: int, *, condensing: bool = False
) -> str:
    """The text of the chapters chosen, unchecked (``story_of`` checks it); when
    ``condensing``, the whole document even past the story limit."""
    if chapter is not None and chapter.strip():
        return document.story(pick(document, chapter))
    whole = document.story()
    if len(whole) > max_chars and len(document.chapters) > 1 and not condensing:
        raise ChapterNeeded(
            f"the document is {len(whole):,} characters, more than a story's {max_chars:,}; "
            f"choose a chapter ({chapter_list(document)}) and pass it with --chapter N "
            "(or the chapter field)"
        )
    return whole


def chapter_list(document: Document) -> str:
    """ "1 "第一章 雾" 1,204 chars; 2 ..." — the chapters on one line."""
    return "; ".join(
        f"{n} {c.title or '(untitled)'!r} {c.chars:,} chars"
        for n, c in enumerate(document.chapters, 1)
    )


def read_story(
    path: Path,
    max_chars: int,
    *,
    chapter: str | None = None,
    max_document_chars: int | None = None,
    max_bytes: int | None = None,
    condense: Condense | None = None,
) -> str:
    """A story file of any accepted kind (.txt, .md, .docx, .pdf, .epub, .html) as story text;
    every refusal is a ``StoryError`` whose message says what to do. ``condense`` shortens a
    chosen text that is too long (``story_of``)."""
    limits = StoryLimits(
        max_chars=max_chars,
        max_document_chars=max_document_chars or max(max_chars, 2_000_000),
        # Text is a few bytes a character; other documents carry markup, fonts and pictures.
        max_bytes=max_bytes or max(max_chars * 4 + 1024, 20 * 1024 * 1024),
    )
    try:
        return story_of(open_document(path, limits), chapter, max_chars, condense)
    except DocumentError as exc:
        raise StoryError(str(exc)) from exc


def _too_long(length: int, limit: int, unit: str = "characters") -> StoryError:
    return StoryError(
        f"the story is {length:,} {unit}; the limit is {limit:,} characters "
        "(shorten it, choose a chapter, or raise STORYREEL_MAX_STORY_CHARS)"
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
