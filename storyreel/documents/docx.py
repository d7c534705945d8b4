"""Word (.docx) by python-docx: a paragraph in the Title or Heading 1 style (or a style based
on one) starts a chapter; the others are the chapter's paragraphs, joined with blank lines."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.styles.style import BaseStyle

from storyreel.documents.errors import MalformedDocument
from storyreel.documents.model import Document, assemble
from storyreel.documents.safexml import refuse_entities
from storyreel.documents.safezip import open_zip, read_member

CHAPTER_STYLES = frozenset({"title", "heading 1"})
# Where Word keeps embedded objects (spreadsheets behind charts are zips): never opened here.
EMBEDDINGS = ("word/embeddings/",)


def read_docx(raw: bytes, name: str, *, max_unpacked: int) -> Document:
    archive = open_zip(raw, name, max_total=max_unpacked, nested_ok_under=EMBEDDINGS)
    _check_parts(archive, name)
    try:
        word = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise MalformedDocument(f"{name} is not a readable Word document ({exc})") from exc
    sections: list[tuple[str, list[str]]] = [("", [])]
    for paragraph in word.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if _starts_chapter(paragraph.style):
            sections.append((text, []))
        else:
            sections[-1][1].append(text)
    if not sections[0][1]:
        sections.pop(0)
    # The core "title" property is left out: editors fill it with template names.
    return assemble(None, sections, "docx")


def _check_parts(archive: zipfile.ZipFile, name: str) -> None:
    """Every XML part is scanned for entity declarations before python-docx parses any."""
    for member in archive.namelist():
        if member.endswith((".xml", ".rels")):
            refuse_entities(read_member(archive, member, name), name, member)


def _starts_chapter(style: BaseStyle | None) -> bool:
    seen = 0
    while style is not None and seen < 10:  # a style's ancestry; a loop in it stops here
        if (style.name or "").lower() in CHAPTER_STYLES:
            return True
        style = getattr(style, "base_style", None)
        seen += 1
    return False
