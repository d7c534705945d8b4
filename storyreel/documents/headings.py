"""Which lines of plain text (a .txt file, a PDF without an outline) start a chapter:
"第三章 …", "第12回", "Chapter 3", "CHAPTER III", "Prologue" — short lines of their own."""

from __future__ import annotations

from storyreel.domain.text import is_chapter_heading as is_heading

__all__ = ["is_heading", "split_sections"]


def split_sections(paragraphs: list[str]) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) sections; paragraphs before the first heading get heading ""."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for paragraph in paragraphs:
        if is_heading(paragraph):
            sections.append((paragraph.strip(), []))
        else:
            sections[-1][1].append(paragraph)
    if not sections[0][1]:
        sections.pop(0)
    return sections
