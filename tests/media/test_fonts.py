"""The bundled fonts: pinned by checksum, licensed, found in the right order, checked before use."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyreel.media import fonts

FONT_SUFFIXES = {".ttf", ".otf", ".ttc"}
LICENCES = {
    "debian:fonts-noto-cjk=": "fonts-noto-cjk.copyright.txt",
    "debian:fonts-noto-core=": "fonts-noto-core.copyright.txt",
    "npm:@expo-google-fonts/noto-emoji@": "noto-emoji.LICENSE.txt",
}


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    def clear() -> None:
        for cached in (fonts.subtitle_font, fonts.fallback_fonts, fonts.bundled_font):
            cached.cache_clear()
        fonts._manifest.cache_clear()

    clear()
    yield
    clear()


def test_the_manifest_pins_every_bundled_font_file() -> None:
    entries = fonts.read_manifest()
    on_disk = {p.name for p in fonts.FONT_DIR.iterdir() if p.suffix.lower() in FONT_SUFFIXES}
    assert {e.name for e in entries} == on_disk
    assert len({e.name for e in entries}) == len(entries)
    for entry in entries:
        digest = hashlib.sha256(entry.path.read_bytes()).hexdigest()
        assert digest == entry.sha256, entry.name


def test_every_font_names_a_well_kept_source_and_ships_its_licence() -> None:
    for entry in fonts.read_manifest():
        licence = next((lic for src, lic in LICENCES.items() if entry.source.startswith(src)), None)
        assert licence is not None, f"{entry.name}: unexpected source {entry.source}"
        text = (fonts.FONT_DIR / licence).read_text(encoding="utf-8")
        assert "Open Font License" in text or "OFL-1.1" in text or "SIL-1.1" in text
        assert entry.source_path.endswith(entry.name)


def test_the_bundled_fonts_stay_a_reasonable_size() -> None:
    total = sum(e.path.stat().st_size for e in fonts.read_manifest())
    assert total < 25_000_000, total


def test_the_bundled_cjk_face_is_simplified_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FILES", ())
    font = fonts.subtitle_font()
    assert font.path == fonts.FONT_DIR / fonts.CJK_FILE
    assert font.family == "Noto Sans CJK SC"
    assert fonts.face_families(font.path)[font.index] == "Noto Sans CJK SC"


def test_debians_noto_cjk_is_preferred_where_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    system = tmp_path / "NotoSansCJK-Regular.ttc"
    system.symlink_to(fonts.FONT_DIR / fonts.CJK_FILE)
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FILES", (tmp_path / "absent.ttc", system))
    assert fonts.subtitle_font() == fonts.FontInfo(system, "Noto Sans CJK SC", 2)


def test_a_system_file_without_the_sc_face_is_passed_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "NotoSansCJK-Regular.ttc"
    other.symlink_to(fonts.FONT_DIR / "NotoSansHebrew-Regular.ttf")
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FILES", (other,))
    assert fonts.subtitle_font().path == fonts.FONT_DIR / fonts.CJK_FILE


def test_a_configured_font_file_wins() -> None:
    hebrew = fonts.FONT_DIR / "NotoSansHebrew-Regular.ttf"
    assert fonts.subtitle_font(hebrew) == fonts.FontInfo(hebrew, "Noto Sans Hebrew", 0)


def test_fallbacks_cover_emoji_and_other_scripts_in_manifest_order() -> None:
    fallbacks = fonts.fallback_fonts()
    names = [p.name for p in fallbacks]
    assert fonts.CJK_FILE not in names
    assert names == [e.name for e in fonts.read_manifest() if e.name != fonts.CJK_FILE]
    families = {fonts.face_families(p)[0] for p in fallbacks}
    for script in ("Arabic", "Hebrew", "Thai", "Devanagari", "Bengali", "Tamil", "Khmer"):
        assert f"Noto Sans {script}" in families
    assert "Noto Emoji" in families  # monochrome outlines: libass cannot draw colour bitmaps


def _copy_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "fontfiles"
    folder.mkdir()
    for entry in fonts.read_manifest():
        (folder / entry.name).symlink_to(entry.path)
    shutil.copy(fonts.MANIFEST, folder / fonts.MANIFEST.name)
    monkeypatch.setattr(fonts, "FONT_DIR", folder)
    monkeypatch.setattr(fonts, "MANIFEST", folder / fonts.MANIFEST.name)
    monkeypatch.setattr(fonts, "SYSTEM_CJK_FILES", ())
    return folder


def test_a_tampered_font_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_bundle(tmp_path, monkeypatch)
    emoji = folder / "NotoEmoji_400Regular.ttf"
    data = bytearray(emoji.read_bytes())
    data[-1] ^= 0xFF
    emoji.unlink()
    emoji.write_bytes(bytes(data))
    assert fonts.subtitle_font().path == folder / fonts.CJK_FILE  # the others are still fine
    with pytest.raises(fonts.FontNotFound, match="does not match its pinned SHA-256"):
        fonts.fallback_fonts()


def test_a_missing_cjk_font_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_bundle(tmp_path, monkeypatch)
    (folder / fonts.CJK_FILE).unlink()
    with pytest.raises(fonts.FontNotFound, match="STORYREEL_SUBTITLE_FONT_FILE"):
        fonts.subtitle_font()


def test_a_malformed_manifest_line_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "FONTS.sha256"
    bad.write_text("# comment\n\nabc  Font.ttf\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":3:"):
        fonts.read_manifest(bad)


def test_the_old_font_wheels_are_not_used() -> None:
    # The fonts once came from two obscure wheels; nothing may import them any more.
    code = (
        "import sys\n"
        "from storyreel.media import fonts\n"
        "fonts.subtitle_font(); fonts.fallback_fonts()\n"
        "import storyreel.media.render, storyreel.providers.image.sketch\n"
        "bad = [m for m in sys.modules if m.startswith(('pylopdf', 'manimgx'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
