"""How an inspected document looks through the API: its chapters, so a studio can offer a
chapter picker before a project is made from one of them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyreel.documents import Document

PREVIEW_CHARS = 200


class ChapterOut(BaseModel):
    number: int = Field(ge=1, description="What the upload's `chapter` field takes (1-based).")
    title: str = Field(description='"" for text before the first heading.')
    characters: int
    preview: str = Field(description=f"The chapter's first ~{PREVIEW_CHARS} characters.")


class DocumentOut(BaseModel):
    kind: str = Field(
        examples=["epub"], description="text, markdown, html, docx, pdf or epub (by content)."
    )
    title: str | None
    characters: int = Field(description="The whole document's text.")
    max_story_chars: int = Field(description="The most one story (the chapters chosen) may be.")
    fits_whole: bool = Field(description="Whether the whole document fits one story.")
    chapters: list[ChapterOut]


def document_out(document: Document, max_story_chars: int) -> DocumentOut:
    return DocumentOut(
        kind=document.kind,
        title=document.title,
        characters=document.chars,
        max_story_chars=max_story_chars,
        fits_whole=len(document.story()) <= max_story_chars,
        chapters=[
            ChapterOut(
                number=n,
                title=c.title,
                characters=c.chars,
                preview=" ".join(c.text.split())[:PREVIEW_CHARS],
            )
            for n, c in enumerate(document.chapters, 1)
        ],
    )
