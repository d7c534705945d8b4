"""Plain text: decoded (textcodec), line endings unified; chapter headings found by the
heading rule, and each chapter's text kept as written (single line breaks included)."""

from __future__ import annotations

from storyreel.documents.headings import is_heading
from storyreel.documents.model import Document, assemble
from storyreel.documents.textcodec import decode_text


def read_text(raw: bytes, name: str) -> Document:
    text = decode_text(raw, name).replace("\r\n", "\n").replace("\r", "\n")
    return Document(None, [], "text") if not text.strip() else _chapters(text)


def _chapters(text: str) -> Document:
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.split("\n"):
        if is_heading(line):
            sections.append((line.strip(), []))
        else:
            sections[-1][1].append(line)
    # Each section's lines stay one block: the story keeps its own line breaks.
    blocks = [(heading, ["\n".join(lines).strip("\n")]) for heading, lines in sections]
    if not blocks[0][1][0].strip():
        blocks.pop(0)
    return assemble(None, blocks, "text")
