"""Markdown: ``#`` and ``##`` headings start chapters; emphasis, links, images, code fences,
quotes and list markers are stripped so the text reads as prose."""

from __future__ import annotations

import re

from storyreel.documents.model import Document, assemble
from storyreel.documents.textcodec import decode_text

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images: nothing to narrate
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
)
_LINE_MARK = re.compile(r"^ {0,3}(?:>\s?)+|^\s*(?:[-*+]|\d+[.)])\s+")
_RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")


def plain(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def read_markdown(raw: bytes, name: str) -> Document:
    text = decode_text(raw, name).replace("\r\n", "\n").replace("\r", "\n")
    sections: list[tuple[str, list[str]]] = [("", [])]
    paragraph: list[str] = []
    fenced = False

    def flush() -> None:
        if paragraph:
            sections[-1][1].append("\n".join(paragraph))
            paragraph.clear()

    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            paragraph.append(line)
            continue
        heading = _HEADING.match(line)
        setext = _SETEXT.match(line)
        if heading is not None:
            flush()
            title = plain(heading.group(2))
            if len(heading.group(1)) <= 2:
                sections.append((title, []))
            elif title:
                sections[-1][1].append(title)  # a minor heading reads as a line of its own
        elif setext is not None and len(paragraph) == 1:
            # "Title" underlined with === or --- (a setext heading, level 1 or 2)
            title = paragraph.pop()
            flush()
            sections.append((title, []))
        elif not line.strip() or _RULE.match(line) or _LINK_DEFINITION.match(line):
            flush()
        else:
            paragraph.append(plain(_LINE_MARK.sub("", line)).rstrip())
    flush()
    if not sections[0][1]:
        sections.pop(0)
    return assemble(None, sections, "markdown")
