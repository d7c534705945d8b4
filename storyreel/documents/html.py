"""HTML: scripts and styles dropped, ``<h1>``/``<h2>`` start chapters, ``<title>`` names the
document. Parsed by lxml.html without network access or entity expansion."""

from __future__ import annotations

from lxml import etree, html

from storyreel.documents.errors import MalformedDocument
from storyreel.documents.markup import blocks
from storyreel.documents.model import Document, assemble
from storyreel.documents.safexml import refuse_entities
from storyreel.documents.textcodec import decode_text

_PARSER = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
CHAPTER_TAGS = frozenset({"h1", "h2"})


def read_html(raw: bytes, name: str) -> Document:
    refuse_entities(raw, name, "the page")
    text = decode_text(raw, name)
    try:
        root = html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise MalformedDocument(f"{name} is not readable HTML ({exc}); save it again") from exc
    title_element = root.find(".//title")
    title = title_element.text_content().strip() if title_element is not None else None
    body = root.find("body")
    sections: list[tuple[str, list[str]]] = [("", [])]
    for block in blocks(body if body is not None else root):
        if block.tag in CHAPTER_TAGS:
            sections.append((block.text, []))
        else:
            sections[-1][1].append(block.text)
    if not sections[0][1]:
        sections.pop(0)
    document = assemble(title or None, sections, "html")
    return document
