"""PDF lines back into paragraphs. A PDF stores positioned lines, not paragraphs: lines of one
paragraph are joined (CJK without a space, Latin with one, "exam-/ple" de-hyphenated), a new
paragraph starts at a vertical gap, a first-line indent, a heading, or after a short line that
ends a sentence; running headers, footers and page numbers are dropped."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from storyreel.documents.headings import is_heading


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the page's bottom edge, as PDF coordinates go
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[Line]


@dataclass(frozen=True)
class Paragraph:
    page: int
    text: str


# Headers and footers live in these bands of the page (a share of its height).
_BAND = 0.1
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:page\s+)?\d+(?:\s*(?:/|of)\s*\d+)?(?:\s*[-–—])?$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$",
    re.IGNORECASE,
)
#: What a browser prints in the page margins ("Save as PDF" with headers and footers): the
#: date and time (with the page title after it), the page's address, "1/3".
_BROWSER_MARGIN = re.compile(
    r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"|(?:file|https?|about|chrome|data):\S*$)"
)
_SENTENCE_END = tuple(".!?。！？…\"'”’」』)）")


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms: ，！？
        or 0x20000 <= code <= 0x3FFFF
    )


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph as one: the join depends on the script at the seam."""
    if not first:
        return second
    if not second:
        return first
    if first.endswith("-") and len(first) > 1 and first[-2].isalpha() and second[0].islower():
        return first[:-1] + second  # a word hyphenated at the line end
    if is_cjk(first[-1]) or is_cjk(second[0]):
        return first + second
    return f"{first} {second}"


def _running(pages: list[Page]) -> set[tuple[int, str]]:
    """(page, text) of header and footer lines: page numbers, and text that repeats in the
    top or bottom band on at least half the pages (digits ignored: "Page 3" ~ "Page 4")."""
    banded: list[tuple[Line, str]] = []
    for page in pages:
        for line in page.lines:
            if line.top > page.height * (1 - _BAND) or line.bottom < page.height * _BAND:
                banded.append((line, re.sub(r"\d+", "#", " ".join(line.text.split()))))
    pages_with = Counter(key for _, key in {(line.page, key) for line, key in banded})
    enough = max(2, (len(pages) + 1) // 2)
    repeats = {key for key, n in pages_with.items() if n >= enough}
    return {
        (line.page, line.text)
        for line, key in banded
        if key in repeats
        or _PAGE_NUMBER.match(line.text.strip())
        or _BROWSER_MARGIN.match(line.text.strip())
    }


def paragraphs(pages: list[Page], breaks: frozenset[int] = frozenset()) -> list[Paragraph]:
    """The pages' paragraphs in order; a page in ``breaks`` (where the outline says a chapter
    begins) always starts a new one."""
    dropped = _running(pages)
    lines = [
        line
        for page in pages
        for line in page.lines
        if line.text.strip() and (line.page, line.text) not in dropped
    ]
    if not lines:
        return []
    height = statistics.median(line.height for line in lines)
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    right = sorted(line.x1 for line in lines)[int(len(lines) * 0.9)]
    # The usual space between two lines of a paragraph; a paragraph break adds half a line.
    gaps = [a.bottom - b.top for a, b in itertools.pairwise(lines) if a.page == b.page]
    # Capped: in a short text the median may itself be a paragraph break.
    leading = min(statistics.median([g for g in gaps if g >= 0] or [0.0]), 0.6 * height)
    gap = leading + 0.5 * height
    out: list[Paragraph] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            text = ""
            for line in current:
                text = join_lines(text, " ".join(line.text.split()))
            out.append(Paragraph(current[0].page, text))
            current.clear()

    for line in lines:
        turned = bool(current) and line.page != current[-1].page and line.page in breaks
        if current and (turned or _starts_paragraph(current[-1], line, height, left, right, gap)):
            flush()
        current.append(line)
        if is_heading(line.text):
            flush()
    flush()
    return out


def _starts_paragraph(
    prev: Line, line: Line, height: float, left: float, right: float, gap: float
) -> bool:
    if is_heading(line.text) or is_heading(prev.text):
        return True
    # An indent of more than ~half a character: Latin indents an em, Chinese two characters.
    if line.x0 > left + 0.6 * height:
        return True
    text = prev.text.rstrip()
    ended = text.endswith(_SENTENCE_END) and prev.x1 < right - 2 * height
    if ended:
        return True
    if line.page != prev.page:
        # A paragraph runs on over the page break only from a full line.
        return prev.x1 < right - 2 * height
    # A blank line's worth of space, or a line above the last one (the next column).
    return prev.bottom - line.top > gap or line.top > prev.top
