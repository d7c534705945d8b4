"""Subtitle wrapping, cue layout, ASS escaping and the ASS/SRT writers: pure, no FFmpeg."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyreel.media.subtitles import (
    Cue,
    _clusters,
    _line_units,
    _text_width,
    build_ass,
    build_srt,
    escape_ass_text,
    font_size,
    layout_cues,
    wrap_lines,
)

CLOSING = set("，。、！？；：”’）》」』】〕…—%,.!?;:)]")
OPENING = set("“‘（《「『【〔([")

ENGLISH = (
    "The quick brown fox jumps over the lazy dog while the cat watches from a sunny "
    "windowsill, wondering why anyone would ever run that fast."
)
CHINESE = (
    "他说：“你好，世界！”然后我们用Python写了一个程序，运行得很好。"
    "这是第二句（比较长一些），看看会不会换行——以及《标点》是否正确……"
    "最后一句：百分之百，100%完成。"
)
JAPANESE = (
    "これは日本語のテキストです。「カギカッコ」もちゃんと処理できますか？ちょっと待ってね、ー。"
)
HOSTILE = [
    r"{\fs200}X",
    r"\N",
    r"a\nb\hc",
    "%{pts}",
    "it's",
    "a:b,c;d[e]",
    "\\",
    "trailing\\",
    r"\{not an escape\}",
    "😀 👨‍👩‍👧 🇯🇵",
    "مرحبا بالعالم",
    "שלום עולם",
    "{}}{{",
]


def _no_space(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _libass_draws(dialogue_text: str) -> str:
    """What libass draws for a Dialogue text under WrapStyle 2 (its get_next_char rules).

    An override block is '{' up to the next '}'; backslash escapes \\N, \\n, \\h, \\{, \\}.
    The invisible WORD JOINER is removed so the result compares with the user's text.
    """
    out: list[str] = []
    i = 0
    while i < len(dialogue_text):
        ch = dialogue_text[i]
        if ch == "{" and "}" in dialogue_text[i:]:
            i = dialogue_text.index("}", i) + 1
            continue
        if ch == "\\" and i + 1 < len(dialogue_text):
            after = dialogue_text[i + 1]
            replacement = {"N": "\n", "n": "\n", "h": "\u00a0", "{": "{", "}": "}"}.get(after)
            if replacement is not None:
                out.append(replacement)
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out).replace("\u2060", "")


# --- wrap_lines: Latin ----------------------------------------------------------------------------


@pytest.mark.parametrize("max_units", [6, 8, 10, 14, 20, 28, 40])
def test_english_is_never_broken_inside_a_word(max_units: float) -> None:
    lines = wrap_lines(ENGLISH, max_units)
    assert " ".join(lines).split() == ENGLISH.split()
    assert all(_text_width(line) <= max_units for line in lines)


def test_two_lines_are_balanced_instead_of_leaving_one_word_alone() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    lines = wrap_lines(text, _text_width(text) * 0.9)
    assert len(lines) == 2
    short, long = sorted(_text_width(line) for line in lines)
    assert short / long > 0.75, lines


def test_a_word_longer_than_a_line_is_broken_as_a_last_resort() -> None:
    word = "supercalifragilisticexpialidocious"
    lines = wrap_lines(f"a {word} b", 8)
    assert "".join(lines).replace(" ", "") == f"a{word}b"
    assert all(_text_width(line) <= 8 for line in lines)
    assert len(lines) > 2


def test_explicit_newlines_break_and_edge_whitespace_is_stripped() -> None:
    assert wrap_lines("  First line  \r\n\n   second\tline \n", 40) == [
        "First line",
        "second line",
    ]


def test_a_line_that_fits_stays_one_line() -> None:
    assert wrap_lines("Hello, world.", 40) == ["Hello, world."]


def test_non_breaking_spaces_do_not_break() -> None:
    lines = wrap_lines("aaaa 100\u00a0km bbbb", 4)
    assert "100\u00a0km" in lines


def test_emoji_sequences_and_flags_are_not_split() -> None:
    family = "👨\u200d👩\u200d👧"
    lines = wrap_lines(family * 3 + "🇯🇵🇫🇷", 1)
    assert lines == [family, family, family, "🇯🇵", "🇫🇷"]


def test_combining_accents_stay_with_their_letter() -> None:
    lines = wrap_lines("e\u0301" * 20, 2)
    assert all(not line.startswith("\u0301") for line in lines)
    assert "".join(lines) == "e\u0301" * 20


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_wrap_rejects_a_meaningless_width(bad: float) -> None:
    with pytest.raises(ValueError):
        wrap_lines("text", bad)


# --- wrap_lines: CJK ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [CHINESE, JAPANESE])
@pytest.mark.parametrize("max_units", range(4, 24))
def test_cjk_lines_obey_kinsoku(text: str, max_units: int) -> None:
    lines = wrap_lines(text, max_units)
    assert "".join(lines) == text  # CJK has no spaces to drop: nothing may change
    assert all(_text_width(line) <= max_units for line in lines)
    for line in lines[1:]:
        assert line[0] not in CLOSING, lines
    for line in lines[:-1]:
        assert line[-1] not in OPENING, lines


def test_closing_punctuation_pulls_the_previous_character_down() -> None:
    # Greedy filling would start line two with "，"; kinsoku moves "五" down with it.
    lines = wrap_lines("一二三四五，六七八九十。", 5)
    assert lines[0] == "一二三四"
    assert all(line[0] not in CLOSING for line in lines[1:])


@pytest.mark.parametrize("max_units", [3, 3.5, 4])
def test_kinsoku_holds_across_a_space(max_units: float) -> None:
    lines = wrap_lines("你好 ，世界 （注）", max_units)
    assert len(lines) > 1
    assert all(line[0] not in CLOSING for line in lines[1:]), lines
    assert all(line[-1] not in OPENING for line in lines[:-1]), lines


def test_mixed_chinese_and_english_keeps_words_whole() -> None:
    text = "我们用Python和JavaScript写了一个程序"
    for max_units in range(6, 20):
        lines = wrap_lines(text, max_units)
        assert "".join(lines) == text
        joined = "|".join(lines)
        assert "Python" in joined and "JavaScript" in joined, lines


def test_korean_wraps_at_spaces() -> None:
    lines = wrap_lines("안녕하세요 반갑습니다 좋은 하루", 6)
    assert " ".join(lines).split() == ["안녕하세요", "반갑습니다", "좋은", "하루"]


# --- font_size and layout_cues --------------------------------------------------------------------


def test_font_size_follows_the_short_side() -> None:
    assert font_size(720) == 49
    assert font_size(1080) == 73
    assert font_size(1920, 1080) == font_size(1080, 1920) == 73
    assert font_size(64) == 12


def test_short_cue_is_one_laid_out_cue() -> None:
    cue = Cue(1.0, 3.0, "Hello there.")
    assert layout_cues([cue], width=1280, height=720) == [(cue, ["Hello there."])]


def _assert_split_covers(cue: Cue, parts: list[tuple[Cue, list[str]]]) -> None:
    assert parts[0][0].start == cue.start
    assert parts[-1][0].end == cue.end
    for (a, _), (b, _) in itertools.pairwise(parts):
        assert a.end == b.start
        assert a.start <= a.end
    assert all(1 <= len(lines) <= 2 for _, lines in parts)
    assert _no_space("".join("".join(lines) for _, lines in parts)) == _no_space(cue.text)


@pytest.mark.parametrize("text", [ENGLISH * 4, CHINESE * 3, JAPANESE * 3])
def test_long_cue_is_split_into_consecutive_two_line_cues(text: str) -> None:
    cue = Cue(10.0, 40.0, text)
    parts = layout_cues([cue], width=640, height=360)
    assert len(parts) > 1
    _assert_split_covers(cue, parts)
    units = _line_units(640, 360)
    assert all(_text_width(line) <= units for _, lines in parts for line in lines)
    for part, lines in parts:
        assert part.text == "\n".join(lines)


def test_split_time_follows_text_length() -> None:
    sentence = "这是一个用来测试字幕拆分的句子，长度大约二十个字。"
    cue = Cue(0.0, 12.0, sentence * 6)
    parts = layout_cues([cue], width=640, height=360)
    total = len(_no_space(cue.text))
    for part, lines in parts:
        share = len(_no_space("".join(lines))) / total
        assert part.end - part.start == pytest.approx(12.0 * share)


def test_split_falls_between_sentences_when_they_fit() -> None:
    sentences = [f"Sentence number {n} is short and sweet." for n in range(12)]
    cue = Cue(0.0, 30.0, " ".join(sentences))
    parts = layout_cues([cue], width=640, height=360)
    assert len(parts) > 1
    for part, _ in parts:
        assert part.text.endswith(".")


def test_explicit_lines_beyond_two_become_more_cues() -> None:
    cue = Cue(0.0, 3.0, "one\ntwo\nthree")
    parts = layout_cues([cue], width=1280, height=720)
    assert [lines for _, lines in parts] == [["one", "two"], ["three"]]
    _assert_split_covers(cue, parts)


def test_layout_skips_blank_cues_and_sorts_by_start() -> None:
    cues = [Cue(5.0, 6.0, "later"), Cue(1.0, 2.0, "  \n\t "), Cue(0.0, 1.0, "first")]
    laid = layout_cues(cues, width=1280, height=720)
    assert [lines for _, lines in laid] == [["first"], ["later"]]


def test_cue_rejects_impossible_times() -> None:
    with pytest.raises(ValueError):
        Cue(2.0, 1.0, "backwards")
    with pytest.raises(ValueError):
        Cue(float("nan"), 1.0, "nan")


# --- escape_ass_text ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_drawn_literally(text: str) -> None:
    escaped = escape_ass_text(text)
    assert all(escaped[i - 1] == "\\" for i, ch in enumerate(escaped) if ch == "{")
    assert re.search(r"\\[Nnh]", escaped) is None
    assert _libass_draws(escaped) == text


def test_harmless_text_passes_unchanged() -> None:
    for text in ["it's", "a:b,c;d[e]", "😀 👨‍👩‍👧", "مرحبا بالعالم", "שלום עולם", "100% 中文"]:
        assert escape_ass_text(text) == text
    assert escape_ass_text("%{pts}") == "%\\{pts\\}"


def test_line_breaks_tabs_and_controls_cannot_pass() -> None:
    escaped = escape_ass_text("a\nb\rc\td\x00e\u2028f")
    assert escaped == "a b c de f"


# --- build_ass ------------------------------------------------------------------------------------


def _sections(ass: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in ass.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif line and not line.startswith(";"):
            sections[current].append(line)
    return sections


def _fields(section: list[str], kind: str) -> list[dict[str, str]]:
    """Rows of ``kind`` ('Style', 'Dialogue') keyed by the section's Format line."""
    names = [n.strip() for n in section[0].removeprefix("Format:").split(",")]
    rows = []
    for line in section[1:]:
        key, _, value = line.partition(": ")
        if key == kind:
            rows.append(dict(zip(names, value.split(",", len(names) - 1), strict=True)))
    return rows


def test_ass_has_the_sections_and_style_the_renderer_needs() -> None:
    ass = build_ass([Cue(0, 1, "hi")], width=1280, height=720, font_family="Noto Sans CJK SC")
    sections = _sections(ass)
    assert list(sections) == ["Script Info", "V4+ Styles", "Events"]
    info = dict(line.split(": ", 1) for line in sections["Script Info"])
    assert info["PlayResX"] == "1280" and info["PlayResY"] == "720"
    assert info["ScaledBorderAndShadow"] == "yes"
    assert info["WrapStyle"] == "2"
    assert info["YCbCr Matrix"] == "TV.709"
    [style] = _fields(sections["V4+ Styles"], "Style")
    assert style["Name"] == "Default"
    assert style["Fontname"] == "Noto Sans CJK SC"
    assert style["Fontsize"] == str(font_size(720))
    assert style["PrimaryColour"] == "&H00FFFFFF"
    assert style["Bold"] == "0"
    assert style["Alignment"] == "2"
    assert float(style["Outline"]) == pytest.approx(font_size(720) / 14, abs=0.1)
    assert float(style["Shadow"]) > 0
    assert int(style["MarginV"]) == round(720 * 0.06)
    assert int(style["MarginL"]) == int(style["MarginR"]) == round(1280 * 0.06)


def test_ass_has_one_dialogue_per_laid_out_cue_in_time_order() -> None:
    cues = [Cue(4.0, 6.5, "second"), Cue(0.5, 2.0, "first, with a comma"), Cue(7, 8, "   ")]
    cues.append(Cue(10.0, 40.0, ENGLISH * 3))
    ass = build_ass(cues, width=1280, height=720, font_family="Noto Sans CJK SC")
    dialogues = _fields(_sections(ass)["Events"], "Dialogue")
    laid = layout_cues(cues, width=1280, height=720)
    assert len(dialogues) == len(laid) > 3
    assert [d["Text"] for d in dialogues] == ["\\N".join(lines) for _, lines in laid]
    assert dialogues[0]["Start"] == "0:00:00.50" and dialogues[0]["End"] == "0:00:02.00"
    assert dialogues[0]["Text"] == "first, with a comma"
    assert all(d["Style"] == "Default" for d in dialogues)
    starts = [d["Start"] for d in dialogues]
    assert starts == sorted(starts)
    assert all(d["Text"].count("\\N") <= 1 for d in dialogues)


def test_ass_times_apply_the_offset_clip_at_zero_and_drop_past_cues() -> None:
    cues = [
        Cue(1.0, 5.0, "long gone"),
        Cue(8.0, 10.0, "ends at the segment start"),
        Cue(9.5, 11.0, "straddles"),
        Cue(12.341, 13.0, "later"),
        Cue(3735.5, 3736.0, "an hour on"),
    ]
    ass = build_ass(cues, width=1280, height=720, font_family="Noto Sans CJK SC", offset=10.0)
    rows = [
        (d["Start"], d["End"], d["Text"]) for d in _fields(_sections(ass)["Events"], "Dialogue")
    ]
    assert rows == [
        ("0:00:00.00", "0:00:01.00", "straddles"),
        ("0:00:02.35", "0:00:03.00", "later"),  # 2.341 rounds up, never early
        ("1:02:05.50", "1:02:06.00", "an hour on"),
    ]


def test_ass_times_are_not_pushed_late_by_float_noise() -> None:
    ass = build_ass([Cue(1.23, 2.07, "x")], width=1280, height=720, font_family="Noto Sans CJK SC")
    [dialogue] = _fields(_sections(ass)["Events"], "Dialogue")
    assert (dialogue["Start"], dialogue["End"]) == ("0:00:01.23", "0:00:02.07")


def test_ass_escapes_hostile_text_and_keeps_one_line_per_dialogue() -> None:
    cues = [Cue(float(k), k + 1.0, text) for k, text in enumerate(HOSTILE)]
    cues.append(Cue(20.0, 21.0, "line one\nline two"))
    ass = build_ass(cues, width=1280, height=720, font_family="Noto Sans CJK SC")
    dialogues = _fields(_sections(ass)["Events"], "Dialogue")
    assert len(dialogues) == len(cues)
    for cue, dialogue in zip(cues, dialogues, strict=True):
        drawn = _libass_draws(dialogue["Text"])
        assert _no_space(drawn) == _no_space(cue.text)


def test_ass_refuses_a_family_that_would_break_the_style_line() -> None:
    with pytest.raises(ValueError):
        build_ass([], width=1280, height=720, font_family="Evil, Font")


# --- build_srt ------------------------------------------------------------------------------------


def test_srt_numbers_sorts_and_times_cues() -> None:
    cues = [
        Cue(3725.5, 3726.0, "an hour on"),
        Cue(0.0, 1.5, "first {literal} <i>text</i>"),
        Cue(2.0, 3.0, "  "),
        Cue(1.5, 2.25, "line one\r\n\r\nline two\r"),
    ]
    assert build_srt(cues) == (
        "1\n00:00:00,000 --> 00:00:01,500\nfirst {literal} <i>text</i>\n"
        "\n"
        "2\n00:00:01,500 --> 00:00:02,250\nline one\nline two\n"
        "\n"
        "3\n01:02:05,500 --> 01:02:06,000\nan hour on\n"
    )


def test_srt_of_nothing_is_empty() -> None:
    assert build_srt([Cue(0, 1, " \n ")]) == ""


# --- properties -----------------------------------------------------------------------------------

INTERESTING = st.text(
    alphabet=st.sampled_from(
        list("ab Zz一二，。“”（）「」…—、!?.,\n\t\u00a0\u200b😀\u200d🇯🇵e\u0301{}\\")
    ),
    max_size=200,
)
ANY_TEXT = st.one_of(st.text(max_size=200), INTERESTING)


@settings(deadline=None)
@given(text=ANY_TEXT, max_units=st.floats(min_value=0.5, max_value=60))
def test_wrap_never_loses_text_or_overflows(text: str, max_units: float) -> None:
    lines = wrap_lines(text, max_units)
    assert _no_space("".join(lines)) == _no_space(text)
    for line in lines:
        assert line and line == line.strip()
        assert _text_width(line) <= max_units + 1e-9 or len(_clusters(line)) == 1


@settings(deadline=None)
@given(text=ANY_TEXT, width=st.integers(64, 1920), height=st.integers(64, 1920))
def test_layout_never_loses_text_and_keeps_two_lines(text: str, width: int, height: int) -> None:
    cue = Cue(1.0, 9.0, text)
    parts = layout_cues([cue], width=width, height=height)
    if _no_space(text):
        _assert_split_covers(cue, parts)
    else:
        assert parts == []


def _drawable(text: str) -> str:
    """The user's text as it should appear: breaks and tabs as spaces, control codes gone."""
    out = []
    for ch in text:
        if ch in "\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(ch) != "Cc" and ch != "\u2060":
            out.append(ch)
    return "".join(out)


@settings(deadline=None)
@given(text=ANY_TEXT)
def test_escaped_text_draws_as_typed(text: str) -> None:
    escaped = escape_ass_text(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert re.search(r"\\[Nnh]", escaped) is None
    assert _libass_draws(escaped) == _drawable(text)
