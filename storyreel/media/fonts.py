"""The fonts for burned-in text: a real CJK font, so Chinese never shows boxes, plus fallbacks.

The default fonts ship inside the package (``storyreel/media/fontfiles``), taken unmodified from
Debian's ``fonts-noto-cjk`` and ``fonts-noto-core`` packages and, for monochrome emoji (Debian
has only the colour bitmap font, which libass cannot draw), Noto Emoji from npm's
``@expo-google-fonts/noto-emoji``; all SIL OFL 1.1. ``FONTS.sha256`` there pins each file's
digest and source, and every file is checked against it before its first use, so a damaged or
swapped font fails loudly instead of drawing something else.

Where Debian's ``fonts-noto-cjk`` is installed (the Docker image installs it) its
Noto Sans CJK is used instead of the bundled copy: apt verified it and keeps it updated.
``STORYREEL_SUBTITLE_FONT_FILE`` overrides both.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).with_name("fontfiles")
MANIFEST = FONT_DIR / "FONTS.sha256"
#: The bundled CJK collection and the face of it that subtitles use.
CJK_FILE = "NotoSansCJK-Regular.ttc"
BUNDLED_FAMILY = "Noto Sans CJK SC"
#: Where Debian's fonts-noto-cjk puts the same collection (any version of the package).
SYSTEM_CJK_FILES: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


class FontNotFound(RuntimeError):
    """No font file to draw subtitles with."""


@dataclass(frozen=True)
class FontInfo:
    """A font file, the family name libass should ask for and its face in a collection."""

    path: Path
    family: str
    index: int = 0  # the face within a .ttc collection (for Pillow and FFmpeg's drawtext)

    @property
    def directory(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class BundledFont:
    """One line of ``FONTS.sha256``."""

    name: str
    sha256: str
    source: str  # debian:PACKAGE=VERSION or npm:PACKAGE@VERSION
    source_path: str  # the file's path inside that package

    @property
    def path(self) -> Path:
        return FONT_DIR / self.name


def read_manifest(path: Path = MANIFEST) -> tuple[BundledFont, ...]:
    """The pinned fonts, in the manifest's order ('#' lines are comments)."""
    fonts: list[BundledFont] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 4 or len(fields[0]) != 64 or "/" in fields[1]:
            raise ValueError(f"{path}:{number}: expected 'sha256  file  source  path'")
        fonts.append(BundledFont(fields[1], fields[0].lower(), fields[2], fields[3]))
    return tuple(fonts)


@lru_cache(maxsize=1)
def _manifest() -> dict[str, BundledFont]:
    try:
        return {font.name: font for font in read_manifest()}
    except (OSError, ValueError) as err:
        raise FontNotFound(
            f"the bundled font list is unreadable ({err}); reinstall storyreel"
        ) from err


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@lru_cache(maxsize=64)
def bundled_font(name: str) -> Path:
    """The path of a bundled font, once its digest matches the manifest (checked once)."""
    entry = _manifest().get(name)
    if entry is None:
        raise FontNotFound(f"{name} is not a bundled font")
    try:
        digest = _sha256(entry.path)
    except OSError as err:
        raise FontNotFound(
            f"the bundled font {entry.path} is unreadable ({err}); reinstall storyreel "
            "or set STORYREEL_SUBTITLE_FONT_FILE to a .otf/.ttf file"
        ) from err
    if digest != entry.sha256:
        raise FontNotFound(
            f"the bundled font {entry.path} does not match its pinned SHA-256 ({digest} is not "
            f"{entry.sha256}); reinstall storyreel"
        )
    return entry.path


def face_families(path: Path) -> list[str]:
    """The family name (name ID 1) of each face: one for a font, several for a collection."""
    data = path.read_bytes()
    if data[:4] == b"ttcf":
        (count,) = struct.unpack(">I", data[8:12])
        offsets = list(struct.unpack(f">{count}I", data[12 : 12 + 4 * count]))
    else:
        offsets = [0]
    return [_family_at(data, offset) or path.stem for offset in offsets]


def _family_at(data: bytes, offset: int) -> str | None:
    """The Windows English family name of the font whose table directory is at ``offset``."""
    (num_tables,) = struct.unpack(">H", data[offset + 4 : offset + 6])
    for i in range(num_tables):
        rec = offset + 12 + 16 * i
        if data[rec : rec + 4] != b"name":
            continue
        (table_off,) = struct.unpack(">I", data[rec + 8 : rec + 12])
        _, count, string_off = struct.unpack(">HHH", data[table_off : table_off + 6])
        for j in range(count):
            r = table_off + 6 + 12 * j
            platform, _enc, lang, name_id, length, off = struct.unpack(">HHHHHH", data[r : r + 12])
            if name_id == 1 and platform == 3 and lang == 0x0409:
                start = table_off + string_off + off
                return data[start : start + length].decode("utf-16-be")
    return None


def _family_name(path: Path) -> str:
    """The family of the font's first face, falling back to the file stem."""
    return face_families(path)[0]


def _cjk_face(path: Path) -> FontInfo | None:
    """The Noto Sans CJK SC face of a Noto Sans CJK collection, if it has one."""
    try:
        families = face_families(path)
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    if BUNDLED_FAMILY not in families:
        return None
    return FontInfo(path, BUNDLED_FAMILY, families.index(BUNDLED_FAMILY))


@lru_cache(maxsize=4)
def subtitle_font(configured: Path | None = None) -> FontInfo:
    """The configured font (``STORYREEL_SUBTITLE_FONT_FILE``), else Noto Sans CJK SC.

    Noto Sans CJK comes from Debian's fonts-noto-cjk where it is installed, otherwise from the
    bundled copy of the same file.
    """
    if configured is not None:
        return FontInfo(configured, _family_name(configured))
    for system in SYSTEM_CJK_FILES:
        if system.is_file() and (found := _cjk_face(system)) is not None:
            return found
    path = bundled_font(CJK_FILE)
    found = _cjk_face(path)
    if found is None:  # cannot happen while the digest matches; kept for a clear message
        raise FontNotFound(f"{path} has no {BUNDLED_FAMILY} face; reinstall storyreel")
    return found


@lru_cache(maxsize=1)
def fallback_fonts() -> tuple[Path, ...]:
    """Fonts libass falls back to for characters the subtitle font lacks (emoji, RTL and Indic
    scripts...): every bundled font but the CJK collection, in the manifest's order."""
    return tuple(bundled_font(name) for name in _manifest() if name != CJK_FILE)
