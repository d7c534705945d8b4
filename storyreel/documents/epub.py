"""EPUB by zipfile and lxml (EbookLib is AGPL): META-INF/container.xml → the OPF package →
its spine, in order. Each spine document is a chapter titled by its first h1/h2 (else its
``<title>``); navigation documents (the EPUB 3 nav, a table of contents) are skipped."""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote

from lxml import etree

from storyreel.documents.errors import EncryptedDocument, MalformedDocument
from storyreel.documents.markup import blocks, local
from storyreel.documents.model import Document, assemble
from storyreel.documents.safexml import parse_xml
from storyreel.documents.safezip import open_zip, read_member

_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})
# Font obfuscation (IDPF, Adobe) lists fonts in encryption.xml without locking the text.
_FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
# A document whose text is mostly link text is a table of contents, not a chapter.
_LINK_SHARE = 0.8


def read_epub(raw: bytes, name: str, *, max_unpacked: int) -> Document:
    archive = open_zip(raw, name, max_total=max_unpacked)
    _refuse_drm(archive, name)
    container = parse_xml(read_member(archive, "META-INF/container.xml", name), name, "container")
    rootfile = next(
        (e.get("full-path") for e in container.iter() if local(e.tag) == "rootfile"), None
    )
    if not rootfile:
        raise MalformedDocument(f"{name} names no package document; save it again")
    package = parse_xml(read_member(archive, rootfile, name), name, rootfile)
    base = posixpath.dirname(rootfile)
    manifest = {e.get("id"): e for e in package.iter() if local(e.tag) == "item" and e.get("id")}
    title = next((_text(e) for e in package.iter() if local(e.tag) == "title"), None)
    sections: list[tuple[str, list[str]]] = []
    for itemref in (e for e in package.iter() if local(e.tag) == "itemref"):
        item = manifest.get(itemref.get("idref"))
        if item is None or item.get("media-type") not in _XHTML_TYPES:
            continue
        if "nav" in (item.get("properties") or "").split():
            continue
        href = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        section = _chapter(archive, href, name)
        if section is not None:
            sections.append(section)
    return assemble(title or None, sections, "epub")


def _refuse_drm(archive: zipfile.ZipFile, name: str) -> None:
    names = set(archive.namelist())
    locked = "META-INF/rights.xml" in names
    if "META-INF/encryption.xml" in names:
        encryption = parse_xml(
            read_member(archive, "META-INF/encryption.xml", name), name, "encryption.xml"
        )
        methods = [
            e.get("Algorithm", "") for e in encryption.iter() if local(e.tag) == "encryptionmethod"
        ]
        locked = locked or any(not m.startswith(_FONT_OBFUSCATION) for m in methods)
    if locked:
        raise EncryptedDocument(
            f"{name} is locked by DRM; open it in the app it was bought for and export the text"
        )


def _chapter(archive: zipfile.ZipFile, href: str, name: str) -> tuple[str, list[str]] | None:
    root = parse_xml(read_member(archive, href, name), name, href)
    body = next((e for e in root.iter() if local(e.tag) == "body"), None)
    if body is None or _is_toc(body):
        return None
    found = blocks(body)
    heading = next((b for b in found if b.tag in ("h1", "h2")), None)
    if heading is not None:
        found = [b for b in found if b is not heading]
        title = heading.text
    else:
        title = next((_text(e) for e in root.iter() if local(e.tag) == "title"), "")
    return " ".join(title.split()), [b.text for b in found]


def _is_toc(body: etree._Element) -> bool:
    text = "".join(body.itertext())
    words = len("".join(text.split()))
    if not words:
        return True
    links = (a for a in body.iter() if local(a.tag) == "a")
    linked = sum(len("".join(_text(a).split())) for a in links)
    return linked >= _LINK_SHARE * words


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()
