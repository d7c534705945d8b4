"""(X)HTML to paragraphs: block elements become paragraphs, inline text is joined, ``<br>`` is
a line break, and scripts, styles and other non-prose elements are dropped."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

BLOCKS = frozenset(
    {
        *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote"),
        *("pre", "section", "article", "header", "footer", "aside", "figcaption", "caption"),
        *("td", "th", "tr", "table", "ul", "ol", "dl", "hr", "body", "main", "center"),
        "address",
    }
)
SKIPPED = frozenset(
    {
        *("script", "style", "noscript", "template", "head", "svg", "math", "object", "embed"),
        *("iframe", "button", "select", "textarea", "canvas", "audio", "video", "nav"),
    }
)


@dataclass
class Block:
    tag: str  # the block element the text came from: p, h1, li...
    text: str


def local(tag: object) -> str:
    """An element's tag without its namespace, lower-case; "" for comments and PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def blocks(root: etree._Element) -> list[Block]:
    """The text of ``root`` as blocks in reading order (empty ones left out)."""
    out: list[Block] = []
    parts: list[str] = []
    tags = ["p"]

    def flush() -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n")).strip()
        if text:
            out.append(Block(tags[-1], text))
        parts.clear()

    def walk(element: etree._Element) -> None:
        tag = local(element.tag)
        if tag in SKIPPED:
            if element.tail:
                parts.append(element.tail)
            return
        block = tag in BLOCKS
        if block:
            flush()
            tags.append(tag)
        if tag == "br":
            parts.append("\n")
        if tag and element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
        if block:
            flush()
            tags.pop()
        if element.tail:
            parts.append(element.tail)

    walk(root)
    flush()
    return out
