"""What a read document is: an optional title and its chapters in reading order."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chapter:
    title: str  # "" for text before the first heading
    text: str  # paragraphs separated by blank lines

    @property
    def chars(self) -> int:
        return len(self.text)

    def as_story(self) -> str:
        """The chapter as story text: its title as the first line (the storyboard's title)."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class Document:
    title: str | None
    chapters: list[Chapter] = field(default_factory=list)
    kind: str = "text"  # text | markdown | html | docx | pdf | epub

    @property
    def chars(self) -> int:
        return sum(c.chars for c in self.chapters)

    def story(self, chapters: list[Chapter] | None = None) -> str:
        """Story text of ``chapters`` (default: all); the whole document keeps its title."""
        chosen = self.chapters if chapters is None else chapters
        parts = [c.as_story() for c in chosen]
        whole = chapters is None or chosen == self.chapters
        if whole and self.title and (len(chosen) != 1 or chosen[0].title != self.title):
            parts.insert(0, self.title)
        return "\n\n".join(parts)


def assemble(title: str | None, sections: list[tuple[str, list[str]]], kind: str) -> Document:
    """A document from (heading, paragraphs) sections as readers find them: a first heading
    with nothing under it is the document's title (a book's name above its chapters), other
    empty sections (a "Part One" right above "Chapter 1") are dropped, and text before the
    first heading is a chapter with no title."""
    chapters: list[Chapter] = []
    for index, (heading, paragraphs) in enumerate(sections):
        body = "\n\n".join(p.strip() for p in paragraphs if p.strip())
        heading = " ".join(heading.split())
        if index == 0 and not heading and len(sections) > 1 and title is None and _a_name(body):
            title = body  # a book's name on its own line above the first chapter
            continue
        if not body:
            if index == 0 and heading and title is None and len(sections) > 1:
                title = heading
            continue
        chapters.append(Chapter(heading, body))
    if title is not None:
        title = " ".join(title.split()) or None
    return Document(title, chapters, kind)


def _a_name(text: str) -> bool:
    return "\n" not in text and len(text) <= 60
