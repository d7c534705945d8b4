"""XML parsed without any entity expansion, DTD or network access: no XXE, no billion laughs,
no giant trees (lxml's ``huge_tree`` stays off)."""

from __future__ import annotations

import re

from lxml import etree

from storyreel.documents.errors import MalformedDocument

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
# Story XML (OPF, XHTML, Word parts) never needs its own entities; refusing any declaration
# outright is simpler to trust than reasoning about which expansions a parser still does.
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def refuse_entities(data: bytes, name: str, part: str) -> None:
    if _ENTITY.search(data):
        raise MalformedDocument(
            f"{name} declares XML entities in {part}, which are refused for safety; "
            "save it again from its editor"
        )


def parse_xml(data: bytes, name: str, part: str) -> etree._Element:
    refuse_entities(data, name, part)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(
            f"{name} has malformed XML in {part} ({exc}); save it again from its editor"
        ) from exc
