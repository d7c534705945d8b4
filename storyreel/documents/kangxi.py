"""Kangxi radicals (U+2F00–U+2FDF) and CJK Radicals Supplement (U+2E80–U+2EFF) mapped back to
the ordinary ideographs: some PDF fonts map a shared glyph to the radical's code point, so
"⼈⺠" comes out where "人民" was printed. Only these two blocks are touched: NFKC of the whole
text would also fold full-width punctuation (，→ ,), which Chinese text needs as it is."""

from __future__ import annotations

import unicodedata


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0x2E80, 0x2F00), *range(0x2F00, 0x2FE0)):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        # Most supplement radicals have no compatibility mapping: they stay as they are.
        if folded != ch and len(folded) == 1:
            table[code] = folded
    return table


_RADICALS = _table()


def unradical(text: str) -> str:
    return text.translate(_RADICALS)
