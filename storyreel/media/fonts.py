"""The font for burned-in text: a real CJK font shipped as a wheel, so Chinese never shows boxes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BUNDLED_FAMILY = "Noto Sans SC"


class FontNotFound(RuntimeError):
    """No font file to draw subtitles with."""


@dataclass(frozen=True)
class FontInfo:
    """A font file and the family name libass should ask for."""

    path: Path
    family: str

    @property
    def directory(self) -> Path:
        return self.path.parent


def _family_name(path: Path) -> str:
    """Read the family name from the font's 'name' table (ID 1), falling back to the file stem."""
    import struct

    data = path.read_bytes()
    if data[:4] == b"ttcf":  # a collection: use the first font
        (offset,) = struct.unpack(">I", data[12:16])
    else:
        offset = 0
    (num_tables,) = struct.unpack(">H", data[offset + 4 : offset + 6])
    for i in range(num_tables):
        rec = offset + 12 + 16 * i
        tag = data[rec : rec + 4]
        if tag != b"name":
            continue
        (table_off,) = struct.unpack(">I", data[rec + 8 : rec + 12])
        _, count, string_off = struct.unpack(">HHH", data[table_off : table_off + 6])
        for j in range(count):
            r = table_off + 6 + 12 * j
            platform, _enc, lang, name_id, length, off = struct.unpack(">HHHHHH", data[r : r + 12])
            if name_id == 1 and platform == 3 and lang == 0x0409:
                start = table_off + string_off + off
                return data[start : start + length].decode("utf-16-be")
    return path.stem


@lru_cache(maxsize=4)
def subtitle_font(configured: Path | None = None) -> FontInfo:
    """The configured font (``STORYREEL_SUBTITLE_FONT_FILE``) or the bundled Noto Sans SC."""
    if configured is not None:
        return FontInfo(configured, _family_name(configured))
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as err:
        raise FontNotFound(
            "the bundled CJK font package pylopdf-fonts-zh-cn is missing; reinstall storyreel "
            "or set STORYREEL_SUBTITLE_FONT_FILE to a .otf/.ttf file"
        ) from err
    path = Path(pylopdf_fonts_zh_cn.__file__).with_name("NotoSansSC-Regular.otf")
    if not path.is_file():
        raise FontNotFound(f"{path} is missing; set STORYREEL_SUBTITLE_FONT_FILE")
    return FontInfo(path, BUNDLED_FAMILY)


@lru_cache(maxsize=1)
def fallback_fonts() -> tuple[Path, ...]:
    """Fonts libass falls back to for characters the subtitle font lacks (emoji, RTL scripts...).

    They come from the manimgx-fonts wheel (Noto, SIL OFL); without it, such characters show
    as boxes but nothing fails.
    """
    try:
        import manimgx_fonts
    except ImportError:
        return ()
    folder = Path(manimgx_fonts.__file__).parent
    return tuple(sorted(p for p in folder.glob("*.ttf") if "Italic" not in p.name))
