"""Which lines of plain text (a .txt file, a PDF without an outline) start a chapter:
"第三章 …", "第12回", "Chapter 3", "CHAPTER III", "Prologue" — short lines of their own."""

from __future__ import annotations

import re

_CN_NUMBER = r"[0-9０-９一二三四五六七八九十百千万零〇两壹贰叁肆伍陆柒捌玖拾佰]+"
_ZH = re.compile(
    rf"^(?:第{_CN_NUMBER}[章回节卷部篇集幕]|序章|序言|楔子|引子|尾声|后记|番外{_CN_NUMBER}?)"
    r"(?:[\s:：·、.．—-]+\S.*)?$"
)
_EN_NUMBER = (
    r"(?:\d+|[IVXLCDM]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)"
)
_EN = re.compile(
    rf"^(?:(?:chapter|part|book)\s+{_EN_NUMBER}\b|prologue\b|epilogue\b)"
    r"(?:\s*[.:—-]?\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_MAX_CHARS = 60
_SENTENCE_END = tuple(".。!！?？…,，;；")


def is_heading(line: str) -> bool:
    """True for a line that starts a chapter; a sentence that merely begins with "Chapter"
    is not one (too long, or ending like a sentence)."""
    text = " ".join(line.split())
    if not text or len(text) > _MAX_CHARS:
        return False
    if _ZH.match(text):
        return not text.endswith(_SENTENCE_END)
    match = _EN.match(text)
    if match is None:
        return False
    rest = match.group("rest") or ""
    # "Chapter 3." is a heading; "Chapter 3 was where it all went wrong." is prose.
    return not rest.endswith(_SENTENCE_END) or len(rest) <= 1


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
