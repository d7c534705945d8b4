"""Documents made the way real editors make them, with the same libraries: Word files by
python-docx, EPUBs by zipfile, PDFs by fpdf2 (with a TrueType face of the bundled Noto CJK)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import docx
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF

import storyreel

CJK_COLLECTION = Path(storyreel.__file__).parent / "media" / "fontfiles" / "NotoSansCJK-Regular.ttc"
LATIN_FONT = Path(storyreel.__file__).parent / "media" / "fontfiles" / "NotoSans-Regular.ttf"
SIMPLIFIED_FACE = 2  # the collection's Simplified Chinese face


def make_docx(blocks: list[tuple[str, str]]) -> bytes:
    """(style, text) paragraphs: style "Title", "Heading 1", "Heading 2" or "" (body)."""
    document = docx.Document()
    for style, text in blocks:
        if style == "Title":
            document.add_heading(text, level=0)
        elif style.startswith("Heading "):
            document.add_heading(text, level=int(style.split()[1]))
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def xhtml(title: str, body: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


def make_epub(
    title: str,
    documents: list[tuple[str, str]],
    *,
    nav: str | None = None,
    extra: dict[str, bytes] | None = None,
    spine: list[str] | None = None,
) -> bytes:
    """An EPUB 3: ``documents`` are (file name, XHTML) in spine order unless ``spine`` reorders
    them; ``nav`` is a navigation document listed in the manifest and the spine."""
    items = [(f"c{i}", href, "") for i, (href, _) in enumerate(documents)]
    if nav is not None:
        items.insert(0, ("nav", "nav.xhtml", ' properties="nav"'))
    manifest = "".join(
        f'<item id="{i}" href="{href}" media-type="application/xhtml+xml"{props}/>'
        for i, href, props in items
    )
    order = spine or [i for i, _, _ in items]
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
        f"</metadata><manifest>{manifest}</manifest><spine>"
        + "".join(f'<itemref idref="{i}"/>' for i in order)
        + "</spine></package>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", _CONTAINER, zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED)
        if nav is not None:
            archive.writestr("OEBPS/nav.xhtml", nav, zipfile.ZIP_DEFLATED)
        for href, content in documents:
            archive.writestr(f"OEBPS/{href}", content, zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@cache
def cjk_truetype(text: str) -> bytes:
    """The Noto CJK face for ``text`` as a TrueType font: fpdf2 writes CFF (PostScript) faces
    with an embedded CMap that pdfminer cannot read, so the glyphs are converted to quadratic
    outlines (fontTools' cu2qu), the way font tools publish TrueType builds of CJK fonts."""
    font = TTFont(CJK_COLLECTION, fontNumber=SIMPLIFIED_FACE)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " 0123456789")
    subsetter.subset(font)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    font["head"].glyphDataFormat = 0
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    maxp.maxZones = 1
    for counter in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, counter, 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass
class PdfLine:
    text: str
    indent: float = 0.0  # mm, a first-line indent
    gap_before: float = 0.0  # mm of extra space above


@dataclass
class PdfPage:
    lines: list[PdfLine]
    header: str | None = None
    footer: str | None = None
    section: str | None = None  # an outline entry pointing at this page
    image_only: bool = False


@dataclass
class PdfSpec:
    pages: list[PdfPage] = field(default_factory=list)
    cjk: bool = False
    size: float = 12
    password: str | None = None


def make_pdf(spec: PdfSpec, folder: Path) -> bytes:
    """A PDF of positioned lines (as a typesetter places them), with optional running
    headers and footers, outline entries, image-only pages and a user password."""
    pdf = FPDF(unit="mm", format=(148, 210))
    pdf.set_auto_page_break(False)
    all_text = "".join(
        line.text + (page.header or "") + (page.footer or "") + (page.section or "")
        for page in spec.pages
        for line in page.lines
    ) + "".join((p.header or "") + (p.footer or "") + (p.section or "") for p in spec.pages)
    font = folder / "face.ttf"
    if spec.cjk:
        font.write_bytes(cjk_truetype(all_text))
        pdf.add_font("body", fname=str(font))
    else:
        pdf.add_font("body", fname=str(LATIN_FONT))
    pdf.set_font("body", size=spec.size)
    line_height = spec.size * 0.5
    for page in spec.pages:
        pdf.add_page()
        if page.section:
            pdf.start_section(page.section)
        if page.image_only:
            picture = folder / "scan.png"
            _scan(picture)
            pdf.image(str(picture), x=10, y=10, w=120)
            continue
        if page.header:
            pdf.set_xy(15, 8)
            pdf.cell(text=page.header)
        y = 20.0
        for line in page.lines:
            y += line.gap_before
            pdf.set_xy(15 + line.indent, y)
            pdf.cell(text=line.text)
            y += line_height
        if page.footer:
            pdf.set_xy(70, 200)
            pdf.cell(text=page.footer)
    if spec.password:
        pdf.set_encryption(owner_password="owner-" + spec.password, user_password=spec.password)
    return bytes(pdf.output())


def _scan(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for row in range(40, 760, 24):
        draw.line((40, row, 560, row), fill=40, width=6)  # lines of "text" as pixels only
    image.save(path)
