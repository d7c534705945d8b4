"""Kangxi radicals (U+2F00–U+2FDF) and CJK Radicals Supplement (U+2E80–U+2EFF) mapped back to
the ordinary ideographs: some PDF fonts map a shared glyph to the radical's code point, so
"⼈⺠" comes out where "人民" was printed (and Chromium's "Save as PDF" writes "⻓⻛⻥" for
"长风鱼"). Only these two blocks, and the Latin ligatures (ﬁ → fi), are touched: NFKC of the
whole text would also fold full-width punctuation (，→ ,), which Chinese text needs as it is."""

from __future__ import annotations

import unicodedata

#: Supplement radicals that look exactly like a whole character (Unicode's
#: EquivalentUnifiedIdeograph data, the ones that are characters in running text); they have
#: no compatibility mapping, so NFKC leaves them.
_SUPPLEMENT = {
    0x2E81: "厂", 0x2E8A: "卜", 0x2E8C: "小", 0x2E8E: "兀", 0x2E90: "尢", 0x2E92: "巳",
    0x2E93: "幺", 0x2E9D: "月", 0x2EA0: "民", 0x2EA9: "王", 0x2EAA: "疋", 0x2EAC: "示",
    0x2EAE: "竹", 0x2EAF: "糸", 0x2EB6: "羊", 0x2EC1: "虎", 0x2EC4: "西", 0x2EC5: "见",
    0x2EC6: "角", 0x2EC9: "贝", 0x2ECB: "车", 0x2ED1: "長", 0x2ED3: "长", 0x2ED4: "门",
    0x2ED7: "雨", 0x2ED8: "青", 0x2ED9: "韦", 0x2EDA: "页", 0x2EDB: "风", 0x2EDC: "飞",
    0x2EDD: "食", 0x2EE2: "马", 0x2EE3: "骨", 0x2EE4: "鬼", 0x2EE5: "鱼", 0x2EE6: "鸟",
    0x2EE7: "卤", 0x2EE8: "麦", 0x2EE9: "黄", 0x2EEA: "黾", 0x2EEB: "斉", 0x2EEC: "齐",
    0x2EED: "歯", 0x2EEE: "齿", 0x2EEF: "竜", 0x2EF0: "龙", 0x2EF1: "龜", 0x2EF2: "亀",
}  # fmt: skip


def _table() -> dict[int, str]:
    table: dict[int, str] = dict(_SUPPLEMENT)
    for code in (*range(0x2E80, 0x2F00), *range(0x2F00, 0x2FE0), *range(0xFB00, 0xFB07)):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and (len(folded) == 1 or code >= 0xFB00):
            table[code] = folded
    return table


_RADICALS = _table()


def unradical(text: str) -> str:
    return text.translate(_RADICALS)
