"""On-frame text: the caption band at the top, the shot-type tag, name labels and the border.

The caption sits at the top because the final video puts subtitles at the bottom. Text is
drawn at the output size (FreeType anti-aliases it) with a font that covers Chinese and Latin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from storyreel.media.fonts import FontInfo
from storyreel.providers.image.sketching.colour import RGB, luminance, mix, with_alpha
from storyreel.providers.image.sketching.look import Look

ELLIPSIS = "…"
_CJK = "\u2e80-\u9fff\u3000-\u303f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# A token is a run of spaces, one CJK character (breakable anywhere) or a Latin word.
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")

Font = ImageFont.FreeTypeFont


@lru_cache(maxsize=32)
def font(info: FontInfo, size: int) -> Font:
    # The face ``info.index`` of a collection (Noto Sans CJK SC is face 2 of the .ttc, face 0
    # is JP). The basic layout engine: the same glyph positions on every machine, and faster.
    return ImageFont.truetype(
        str(info.path), size, index=info.index, layout_engine=ImageFont.Layout.BASIC
    )


def _split_long(word: str, face: Font, width: float) -> list[str]:
    """A word wider than the line is broken by characters rather than overflowing."""
    parts, cur = [], ""
    for ch in word:
        if cur and face.getlength(cur + ch) > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    return [*parts, cur] if cur else parts


def _ellipsise(line: str, face: Font, width: float) -> str:
    while line and face.getlength(line.rstrip() + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def _tokens(text: str, face: Font, width: float) -> list[str]:
    out: list[str] = []
    for tok in _TOKENS.findall(" ".join(text.split())):
        if not tok.isspace() and face.getlength(tok) > width:
            out.extend(_split_long(tok, face, width))
        else:
            out.append(tok)
    return out


def wrap(text: str, face: Font, width: float, max_lines: int) -> list[str]:
    """Greedy line filling by words (and by characters for CJK); overflow ends in '…'."""
    lines: list[str] = []
    cur = ""
    for tok in _tokens(text, face, width):
        if not cur and tok.isspace():
            continue
        if not cur or face.getlength(cur + tok) <= width:
            cur += tok
            continue
        lines.append(cur.rstrip())
        if len(lines) == max_lines:
            lines[-1] = _ellipsise(lines[-1], face, width)
            return lines
        cur = "" if tok.isspace() else tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


@dataclass(frozen=True)
class Caption:
    """How the caption band is laid out; computed first, so figures can stay clear of it."""

    lines: tuple[str, ...]
    size: int
    line_height: int
    pad: int
    tag: str
    tag_size: int
    tag_box: tuple[int, int, int, int]
    text_x: int
    inset_y: int = 0

    @property
    def height(self) -> int:
        return self.inset_y + self.pad * 2 + self.line_height * max(1, len(self.lines))


MOTION_SAFE = 0.09


def layout(text: str, tag: str, width: int, height: int, font_info: FontInfo) -> Caption:
    """Size the text to the frame (height for landscape, width for portrait) and wrap it."""
    size = max(7, min(96, round(min(height * 0.042, width * 0.036))))
    pad = max(2, round(size * 0.5))
    line_height = round(size * 1.32)
    tag_size = max(6, round(size * 0.62))
    tag_face = font(font_info, tag_size)
    tag_w = round(tag_face.getlength(tag)) + tag_size
    tag_h = round(tag_size * 1.5)
    # Ken Burns moves crop up to ~9 % off an edge; keep the text inside that safe area.
    inset_x, inset_y = round(width * MOTION_SAFE), round(height * MOTION_SAFE)
    top = inset_y + pad + (line_height - tag_h) // 2
    tag_box = (inset_x + pad, top, inset_x + pad + tag_w, top + tag_h)
    text_x = tag_box[2] + pad
    # Tall frames can afford a third line; the band never takes more than a third of the frame.
    max_lines = 3 if height > width else 2
    max_lines = max(1, min(max_lines, (height // 3 - 2 * pad) // max(1, line_height)))
    room = width - text_x - pad - inset_x
    lines = wrap(text, font(font_info, size), room, max_lines) if room > size * 2 else []
    return Caption(tuple(lines), size, line_height, pad, tag, tag_size, tag_box, text_x, inset_y)


def draw_caption(image: Image.Image, cap: Caption, look: Look, font_info: FontInfo) -> None:
    draw = ImageDraw.Draw(image, "RGBA")
    band = look.palette[0]
    draw.rectangle((0, 0, image.width, cap.height), fill=with_alpha(band, 172))
    # A hairline in the accent colour under the band, like the edge of a title card.
    accent = look.accent
    draw.line([(0, cap.height), (image.width, cap.height)], fill=with_alpha(accent, 200), width=1)
    dark = luminance(accent) > 0.5
    draw.rounded_rectangle(cap.tag_box, radius=cap.tag_size // 3, fill=accent)
    tx = (cap.tag_box[0] + cap.tag_box[2]) / 2
    ty = (cap.tag_box[1] + cap.tag_box[3]) / 2
    tag_ink = band if dark else (250, 248, 240)
    draw.text((tx, ty), cap.tag, fill=tag_ink, font=font(font_info, cap.tag_size), anchor="mm")
    face = font(font_info, cap.size)
    text_colour = mix(look.palette[-1], (255, 255, 255), 0.6)
    for i, line in enumerate(cap.lines):
        y = cap.inset_y + cap.pad + i * cap.line_height + cap.line_height / 2
        draw.text((cap.text_x, y), line, fill=text_colour, font=face, anchor="lm")


def draw_label(
    image: Image.Image,
    name: str,
    colour: RGB,
    at: tuple[float, float],
    size: int,
    font_info: FontInfo,
) -> None:
    """A character's name in a small dark pill with a swatch of their colour, kept in frame."""
    face = font(font_info, size)
    text_w = face.getlength(name)
    h = size * 1.5
    w = text_w + size * 1.9
    x = min(max(at[0] - w / 2, 2), image.width - w - 2)
    y = min(max(at[1] - h / 2, 2), image.height - h - 2)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rounded_rectangle((x, y, x + w, y + h), radius=h / 2, fill=(20, 18, 16, 170))
    r = size * 0.32
    cx, cy = x + size * 0.75, y + h / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(250, 248, 240))
    draw.text((x + size * 1.3, cy), name, fill=(250, 248, 240), font=face, anchor="lm")


def draw_border(image: Image.Image, look: Look) -> None:
    """A thin panel border, as on a storyboard sheet."""
    width = max(1, round(min(image.size) * 0.004))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width - 1, image.height - 1), outline=look.ink, width=width)
