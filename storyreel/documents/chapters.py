"""Choosing chapters: "3" (1-based) or a range "2-3"."""

from __future__ import annotations

import re

from storyreel.documents.errors import DocumentError
from storyreel.documents.model import Chapter, Document

_CHOICE = re.compile(r"^\s*(\d+)\s*(?:[-–~]\s*(\d+)\s*)?$")


class ChapterChoiceError(DocumentError):
    """A chapter number or range that is malformed or past the document's chapters."""


def parse_choice(choice: str) -> tuple[int, int]:
    """``"3"`` → (3, 3); ``"2-3"`` → (2, 3); anything else is refused."""
    match = _CHOICE.match(choice)
    if match is None:
        raise ChapterChoiceError(
            f"the chapter {choice!r} is not a number or a range; write e.g. 3 or 2-3"
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first < 1 or last < first:
        raise ChapterChoiceError(
            f"the chapter range {choice!r} is empty; chapters count from 1, e.g. 2-3"
        )
    return first, last


def pick(document: Document, choice: str) -> list[Chapter]:
    """The chapters ``choice`` names, in order; refused when past the last one."""
    first, last = parse_choice(choice)
    count = len(document.chapters)
    if last > count:
        raise ChapterChoiceError(
            f"there is no chapter {last}: the document has {count} "
            f"chapter{'s' if count != 1 else ''}; choose from 1 to {count}"
        )
    return document.chapters[first - 1 : last]
