"""Bytes of a text file to str: BOMs and UTF-8 first (nearly every file), then the common
East Asian encodings judged by how ordinary the decoded characters are, then
charset-normalizer for the rest (Western and Cyrillic code pages)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from charset_normalizer import from_bytes

from storyreel.documents.errors import UnsupportedDocument

# Short CJK texts defeat statistical detectors (a GB18030 sentence reads as UTF-16 to them),
# so each candidate is decoded strictly and scored by the share of its non-ASCII characters
# that are common in that encoding's own language: text decoded with the wrong table is
# strewn with rare characters. Ties go to the earlier candidate (GB18030: our users' default).
_MIN_SCORE = 0.8


def _in_range(encoding: str, ranges: tuple[tuple[int, int], ...]) -> Callable[[str], bool]:
    def common(ch: str) -> bool:
        try:
            code = int.from_bytes(ch.encode(encoding), "big")
        except UnicodeEncodeError:
            return False
        return any(low <= code <= high for low, high in ranges)

    return common


def _kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f"


_CANDIDATES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    # GB2312: symbols (rows A1–A9) and the 3,755 level-1 hanzi (B0A1–D7F9).
    ("gb18030", _in_range("gb2312", ((0xA1A1, 0xA9FE), (0xB0A1, 0xD7F9)))),
    # Big5: symbols (A140–A3BF) and the 5,401 frequently used hanzi (A440–C67E).
    ("big5", _in_range("big5", ((0xA140, 0xA3BF), (0xA440, 0xC67E)))),
    # Shift-JIS: kana, symbols (8140–84BE) and JIS level-1 kanji (889F–9872).
    ("cp932", lambda ch: _kana(ch) or _in_range("cp932", ((0x8140, 0x84BE), (0x889F, 0x9872)))(ch)),
)


def _score(text: str, common: Callable[[str], bool]) -> float:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    return sum(1 for ch in wide if common(ch)) / len(wide)


def decode_text(raw: bytes, name: str) -> str:
    """The text, or ``UnsupportedDocument`` when the bytes are not text in any common encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise UnsupportedDocument(f"{name} looks like binary data, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best: tuple[float, str] | None = None
    for encoding, common in _CANDIDATES:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _score(text, common)
        if score >= _MIN_SCORE and (best is None or score > best[0]):
            best = (score, text)
    if best is not None:
        return best[1]
    return _detected(raw, name)


def _detected(raw: bytes, name: str) -> str:
    matches = list(from_bytes(raw))
    if not matches:
        raise UnsupportedDocument(f"{name} is not text in an encoding this recognises")
    best = matches[0]
    # Windows-1252 and its Central European and Baltic cousins often tie on Western text;
    # the Western table is by far the likeliest for a story with accented letters.
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos + 0.1:
        best = western
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(3, len(text) // 100):
        raise UnsupportedDocument(f"{name} looks like binary data, not text")
    return text
