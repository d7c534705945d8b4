"""PDF by pdfminer.six: the text layer's lines rebuilt into paragraphs (pdflayout), Kangxi
radicals mapped back (kangxi), chapters from the outline when it has one, else from heading
lines. A PDF without a text layer (a scan) or behind a password is refused."""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, cast

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTContainer, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoOutlines
from pdfminer.pdfexceptions import PDFException
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psexceptions import PSException

from storyreel.documents.errors import EncryptedDocument, MalformedDocument, NoTextLayer
from storyreel.documents.headings import split_sections
from storyreel.documents.kangxi import unradical
from storyreel.documents.model import Document, assemble
from storyreel.documents.pdflayout import Line, Page, Paragraph, paragraphs

# pdfminer reports damaged files with its own errors and with whatever Python raised deep in
# its parser; all of them mean the same to a person: the file is damaged.
_DAMAGED = (
    PDFException,
    PSException,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    struct.error,
    zlib.error,
)


# pdfminer logs a warning for every font it finds odd (Chromium's PDFs have no FontBBox): noise
# to a person reading a document, and the text is read all the same.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read_pdf(raw: bytes, name: str) -> Document:
    try:
        document = PDFDocument(PDFParser(io.BytesIO(raw)), password="")
        pages, index = _pages(document)
    except PDFEncryptionError as exc:
        raise EncryptedDocument(
            f"{name} is protected by a password; save an unprotected copy and send that"
        ) from exc
    except _DAMAGED as exc:
        raise MalformedDocument(f"{name} is a damaged PDF ({exc}); save it again") from exc
    outline = _outline(document, index)
    if len(outline) < 2:
        outline = []
    found = paragraphs(pages, frozenset(page for page, _ in outline))
    if not found:
        raise NoTextLayer(f"{name} has no text layer (a scan?); run OCR on it or paste the text")
    sections = (
        _by_outline(found, outline)
        if len(outline) >= 2
        else split_sections([p.text for p in found])
    )
    return assemble(None, sections, "pdf")


def _pages(document: PDFDocument) -> tuple[list[Page], dict[int, int]]:
    """Every page's text lines, and the page index of each page object's id (for the outline)."""
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[Page] = []
    index: dict[int, int] = {}
    for number, page in enumerate(PDFPage.create_pages(document)):
        index[cast(int, page.pageid)] = number
        interpreter.process_page(page)
        layout = device.get_result()
        lines = [
            Line(number, t.x0, t.x1, t.y1, t.y0, unradical(t.get_text().strip()))
            for t in _text_lines(layout)
        ]
        pages.append(Page(layout.width, layout.height, lines))
    return pages, index


def _text_lines(container: Iterable[Any]) -> Iterator[LTTextLine]:
    for item in container:
        if isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTContainer):
            yield from _text_lines(item)


def _outline(document: PDFDocument, index: dict[int, int]) -> list[tuple[int, str]]:
    """(page, title) of the outline's chapters: the shallowest level with two entries or more
    (a single top entry is usually the book's own name above its chapters)."""
    entries: list[tuple[int, int, str]] = []
    try:
        for level, title, dest, action, _ in document.get_outlines():
            page = _page_of(document, dest, action, index)
            if page is not None and isinstance(title, str) and title.strip():
                entries.append((level, page, unradical(title.strip())))
    except PDFNoOutlines:
        return []
    except _DAMAGED:
        return []  # a damaged outline: headings in the text still mark the chapters
    for level in sorted({level for level, _, _ in entries}):
        chosen = [(page, title) for lvl, page, title in entries if lvl == level]
        if len(chosen) >= 2:
            return chosen
    return []


def _page_of(document: PDFDocument, dest: Any, action: Any, index: dict[int, int]) -> int | None:
    if dest is None and action is not None:
        action = resolve1(action)
        if isinstance(action, dict) and str(resolve1(action.get("S"))).endswith("GoTo"):
            dest = action.get("D")
    dest = resolve1(dest)
    if isinstance(dest, str | bytes):
        try:
            dest = resolve1(document.get_dest(dest))
        except _DAMAGED:
            return None
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if isinstance(dest, list) and dest and isinstance(dest[0], PDFObjRef):
        return index.get(dest[0].objid)
    return None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _by_outline(
    found: list[Paragraph], outline: list[tuple[int, str]]
) -> list[tuple[str, list[str]]]:
    """Paragraphs cut where each outline entry's page has a paragraph that starts with the
    entry's title (else at that page's first paragraph); the title paragraph itself is dropped."""
    starts: list[tuple[int, str, bool]] = []
    cursor = 0
    for page, title in outline:
        key = _compact(title)
        candidates = [i for i in range(cursor, len(found)) if found[i].page == page]
        if not candidates:
            candidates = [i for i in range(cursor, len(found)) if found[i].page > page][:1]
        if not candidates:
            continue
        match = next((i for i in candidates if _compact(found[i].text).startswith(key)), None)
        start = match if match is not None else candidates[0]
        starts.append((start, title, match is not None and _compact(found[start].text) == key))
        cursor = start + 1
    sections: list[tuple[str, list[str]]] = []
    if not starts or starts[0][0] > 0:
        sections.append(("", [p.text for p in found[: starts[0][0] if starts else len(found)]]))
    for n, (start, title, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(found)
        body = found[start + 1 if heading else start : end]
        sections.append((title, [p.text for p in body]))
    return sections
