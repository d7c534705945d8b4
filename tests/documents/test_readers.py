"""Every accepted kind, made by the same libraries real editors use, read into chapters in
order — Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.documents import Document, read_document
from tests.documents.makers import PdfLine, PdfPage, PdfSpec, make_docx, make_epub, make_pdf, xhtml

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_chars": 2_000_000}


def read(raw: bytes, name: str) -> Document:
    return read_document(raw, name, **LIMITS)


def titles(document: Document) -> list[str]:
    return [c.title for c in document.chapters]


def test_a_word_document_starts_a_chapter_at_each_heading_1() -> None:
    raw = make_docx(
        [
            ("Title", "灯塔"),
            ("Heading 1", "第一章 雾"),
            ("", "林晓推开窗。"),
            ("Heading 2", "一个小节"),
            ("", "海面上起了雾。"),
            ("Heading 1", "第二章 光"),
            ("", "远处有光。"),
        ]
    )
    document = read(raw, "novel.docx")
    assert document.kind == "docx" and document.title == "灯塔"
    assert titles(document) == ["第一章 雾", "第二章 光"]
    assert document.chapters[0].text == "林晓推开窗。\n\n一个小节\n\n海面上起了雾。"


def test_an_epub_is_read_in_spine_order_and_its_table_of_contents_skipped() -> None:
    nav = xhtml(
        "Contents", '<nav epub:type="toc"><ol><li><a href="b.xhtml">Two</a></li></ol></nav>'
    )
    toc = xhtml("Contents", '<p><a href="a.xhtml">Chapter 1</a></p><p><a href="b.xhtml">2</a></p>')
    raw = make_epub(
        "The Keeper",
        [
            ("b.xhtml", xhtml("Keeper", "<h2>Chapter 2</h2><p>Morning came.</p>")),
            ("toc.xhtml", toc),
            (
                "a.xhtml",
                xhtml("Keeper", "<h1>Chapter 1</h1><p>It was <em>dark</em>.</p><p>Wind.</p>"),
            ),
        ],
        nav=nav,
        spine=["nav", "c1", "c2", "c0"],  # the spine, not the manifest, gives the order
    )
    document = read(raw, "keeper.epub")
    assert document.kind == "epub" and document.title == "The Keeper"
    assert titles(document) == ["Chapter 1", "Chapter 2"]
    assert document.chapters[0].text == "It was dark.\n\nWind."


def test_an_epub_chapter_without_a_heading_is_titled_by_its_title_element() -> None:
    raw = make_epub("书", [("a.xhtml", xhtml("第一章 雾", "<div><p>林晓推开窗。</p></div>"))])
    assert titles(read(raw, "book.epub")) == ["第一章 雾"]


def test_html_drops_scripts_and_styles_and_starts_chapters_at_h1_and_h2() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>灯塔</title><style>p{color:red}</style></head>"
        "<body><script>alert('x')</script><h1>第一章</h1><p>林晓<b>推开</b>窗。</p>"
        "<h3>小节</h3><p>起雾了。</p><h2>第二章</h2><p>远处有光。</p></body></html>"
    )
    document = read(page.encode(), "page.html")
    assert document.kind == "html" and document.title == "灯塔"
    assert titles(document) == ["第一章", "第二章"]
    assert document.chapters[0].text == "林晓推开窗。\n\n小节\n\n起雾了。"
    assert "alert" not in document.story() and "color" not in document.story()


def test_markdown_headings_start_chapters_and_markup_reads_as_prose() -> None:
    text = (
        "# The Keeper\n\n## Chapter 1\n\nIt was **dark** and the [wind](http://x.test) "
        "*howled*.\n![a picture](p.png)\n\n> She waited.\n\n- one lamp\n\n"
        "## Chapter 2\n\nMorning `came`.\n"
    )
    document = read(text.encode(), "keeper.md")
    assert document.kind == "markdown" and document.title == "The Keeper"
    assert titles(document) == ["Chapter 1", "Chapter 2"]
    assert document.chapters[0].text == (
        "It was dark and the wind howled.\n\nShe waited.\n\none lamp"
    )
    assert document.chapters[1].text == "Morning came."


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("gb18030", "第一章 灯塔\n林晓推开窗，海面上起了雾。\n第二章 归来\n船靠岸了。"),
        ("utf-16", "第一章 灯塔\n林晓推开窗，海面上起了雾。\n第二章 归来\n船靠岸了。"),
        ("big5", "第一章 燈塔\n林曉推開窗，海面上起了霧。\n第二章 歸來\n船靠岸了。"),
        ("shift_jis", "第一章 灯台\n林暁は窓を開けた。霧が出ていた。\n第二章 帰還\n船が着いた。"),
        ("utf-8", "Chapter 1\nThe keeper lit the lamp.\nCHAPTER II\nMorning came."),
        ("cp1252", "Chapter 1\nThe café was closed; déjà vu.\nChapter 2\nNaïve façade."),
    ],
)
def test_text_in_common_encodings_is_decoded_and_split_at_chapter_headings(
    encoding: str, text: str
) -> None:
    document = read(text.encode(encoding), "story.txt")
    lines = text.split("\n")
    assert titles(document) == [lines[0], lines[2]]
    assert [c.text for c in document.chapters] == [lines[1], lines[3]]


def test_plain_text_keeps_its_line_breaks_and_a_sentence_about_a_chapter_is_not_a_heading() -> None:
    text = "Chapter 3 was where it all went wrong.\nShe knew it.\n"
    document = read(text.encode(), "story.txt")
    assert titles(document) == [""]
    assert document.story() == "Chapter 3 was where it all went wrong.\nShe knew it."


def _book(cjk: bool) -> PdfSpec:
    if cjk:
        one = [
            PdfLine("第一章 雾"),
            PdfLine("林晓推开窗，海面上起了雾。她看见", gap_before=6, indent=8),
            PdfLine("远处的灯光一闪一闪。"),
            PdfLine("天亮了，雾散了。", indent=8),
        ]
        two = [PdfLine("第二章 光"), PdfLine("船靠岸了，人们都来了。", gap_before=6, indent=8)]
        return PdfSpec(
            cjk=True,
            pages=[
                PdfPage(one, header="灯塔的故事", footer="1"),
                PdfPage(two, header="灯塔的故事", footer="2"),
            ],
        )
    one = [
        PdfLine("Chapter One"),
        PdfLine("It was a dark night and the wind howl-", gap_before=6, indent=5),
        PdfLine("ed over the sea; the keeper climbed"),
        PdfLine("the stairs."),
        PdfLine("Nobody came.", gap_before=6),
    ]
    two = [PdfLine("Chapter Two"), PdfLine("Morning came.", gap_before=6, indent=5)]
    return PdfSpec(
        pages=[
            PdfPage(one, header="The Keeper", footer="Page 1"),
            PdfPage(two, header="The Keeper", footer="Page 2"),
        ]
    )


def test_a_chinese_pdf_joins_lines_without_spaces_and_drops_headers_and_page_numbers(
    tmp_path: Path,
) -> None:
    document = read(make_pdf(_book(cjk=True), tmp_path), "book.pdf")
    assert document.kind == "pdf"
    assert titles(document) == ["第一章 雾", "第二章 光"]
    assert document.chapters[0].text == (
        "林晓推开窗，海面上起了雾。她看见远处的灯光一闪一闪。\n\n天亮了，雾散了。"
    )
    assert "灯塔的故事" not in document.story()


def test_an_english_pdf_joins_hyphenated_words_and_splits_paragraphs_on_gaps(
    tmp_path: Path,
) -> None:
    document = read(make_pdf(_book(cjk=False), tmp_path), "book.pdf")
    assert titles(document) == ["Chapter One", "Chapter Two"]
    assert document.chapters[0].text == (
        "It was a dark night and the wind howled over the sea; the keeper climbed the stairs."
        "\n\nNobody came."
    )
    story = document.story()
    assert "Page 1" not in story and "Page 2" not in story and "The Keeper" not in story


def test_a_pdf_outline_names_the_chapters(tmp_path: Path) -> None:
    spec = PdfSpec(
        pages=[
            PdfPage([PdfLine("The Lighthouse")]),
            PdfPage([PdfLine("Fog"), PdfLine("The sea was white.", gap_before=6)], section="Fog"),
            PdfPage([PdfLine("Light"), PdfLine("A lamp shone.", gap_before=6)], section="Light"),
        ]
    )
    document = read(make_pdf(spec, tmp_path), "outlined.pdf")
    assert document.title == "The Lighthouse"
    assert titles(document) == ["Fog", "Light"]
    assert [c.text for c in document.chapters] == ["The sea was white.", "A lamp shone."]


def test_kangxi_radicals_from_pdf_fonts_become_ordinary_characters_and_commas_stay(
    tmp_path: Path,
) -> None:
    from pdfminer.high_level import extract_text

    radicals = "⼈⺠⼭⽔"  # U+2F08 U+2EA0 U+2F2D U+2F54 as some fonts report 人民山水
    spec = PdfSpec(cjk=True, pages=[PdfPage([PdfLine(f"{radicals}，⺟亲说。")])])
    raw = make_pdf(spec, tmp_path)
    written = tmp_path / "radicals.pdf"
    written.write_bytes(raw)
    assert radicals in extract_text(written)  # the radicals really are in the text layer
    text = read(raw, "radicals.pdf").story()
    # Kangxi radicals by their compatibility mappings, U+2EA0 (a supplement radical, which has
    # none) by the table of look-alikes.
    assert text == "人民山水，母亲说。"


def test_a_page_printed_from_a_browser_loses_its_margins_and_keeps_its_characters(
    tmp_path: Path,
) -> None:
    # What Chromium's "Save as PDF" writes: the date and title on top, the address and page
    # count below, simplified radicals (U+2ED3 U+2EDB U+2EE5) and the fi ligature in the text.
    spec = PdfSpec(
        cjk=True,
        pages=[
            PdfPage(
                [PdfLine("老周爬上⻓⻓的楼梯，暴⻛雨里点亮了灯。"), PdfLine("渔夫送来了⻥。ﬁne")],
                header="12/5/26, 8:31 PM 灯塔",
                footer="file:///home/ada/lighthouse.html",
            )
        ],
    )
    text = read(make_pdf(spec, tmp_path), "printed.pdf").story()
    assert text == "老周爬上长长的楼梯，暴风雨里点亮了灯。渔夫送来了鱼。fine"
