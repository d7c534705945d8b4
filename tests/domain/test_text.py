"""Language detection, sentence splitting and speech-time estimates on tricky real-world text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyreel.domain.text import (
    EN_WORDS_PER_SECOND,
    ZH_CHARS_PER_SECOND,
    detect_language,
    estimate_speech_seconds,
    fit_sentence,
    join_sentences,
    shorten,
    split_clauses,
    split_paragraphs,
    split_sentences,
)

# --- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("林晓推开门，海风扑面而来。", "zh"),
        ("Mara pushed the door open and the sea wind rushed in.", "en"),
        ("我今天学习了 machine learning 的基础知识。", "zh"),
        ("使用 Kubernetes 和 Docker 部署服务。", "zh"),
        ("Lin Xiao (林晓) smiled at the harbour master and waved goodbye.", "en"),
        ("", "en"),
        ("12345 !!!", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


# --- Chinese sentences -----------------------------------------------------------------------


def test_chinese_ellipsis_and_mixed_terminators_end_sentences() -> None:
    assert split_sentences("他犹豫了……然后点点头。真的吗！？当然；走吧…") == [
        "他犹豫了……",
        "然后点点头。",
        "真的吗！？",
        "当然；",
        "走吧…",
    ]


def test_chinese_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    assert split_sentences("“你好！”她说。「走吧。」他答道。（这是注释。）然后继续。") == [
        "“你好！”",
        "她说。",
        "「走吧。」",
        "他答道。",
        "（这是注释。）",
        "然后继续。",
    ]


def test_a_quotation_with_several_exclamations_is_one_sentence() -> None:
    text = "小雨跳了起来：“我也要去！我们一起去！”林晓笑了。"
    assert split_sentences(text) == ["小雨跳了起来：“我也要去！我们一起去！”", "林晓笑了。"]


def test_a_very_long_quotation_is_still_split() -> None:
    speech = "这是很长的一句话。" * 20
    sentences = split_sentences(f"他说：“{speech}”")
    assert len(sentences) > 1
    assert "".join(sentences) == f"他说：“{speech}”"


# --- English sentences -----------------------------------------------------------------------


def test_english_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Mr. Smith met Dr. Watson on St. James Street. They talked until 9 a.m. on Monday, "
        "e.g. about the U.S. economy, i.e. money, etc. and more. Then Mrs. Hale left."
    )
    assert split_sentences(text) == [
        "Mr. Smith met Dr. Watson on St. James Street.",
        "They talked until 9 a.m. on Monday, e.g. about the U.S. economy, i.e. money, "
        "etc. and more.",
        "Then Mrs. Hale left.",
    ]


def test_abbreviation_that_really_ends_a_sentence() -> None:
    assert split_sentences("We left at 7 a.m. The sun was up.") == [
        "We left at 7 a.m.",
        "The sun was up.",
    ]


def test_decimals_and_initials_are_not_sentence_ends() -> None:
    assert split_sentences("Pi is about 3.14. It cost $2.50 at J. R. Tolkien's shop.") == [
        "Pi is about 3.14.",
        "It cost $2.50 at J. R. Tolkien's shop.",
    ]


def test_ellipses_continue_in_lower_case_and_end_before_a_capital() -> None:
    assert split_sentences("I thought... maybe not. Wait... Who is there?") == [
        "I thought... maybe not.",
        "Wait...",
        "Who is there?",
    ]


def test_quoted_exclamation_stays_with_its_attribution() -> None:
    assert split_sentences('"Stop!" she said. "Why?" he asked. She left.') == [
        '"Stop!" she said.',
        '"Why?" he asked.',
        "She left.",
    ]


def test_a_quotation_that_opens_after_a_sentence_starts_a_new_one() -> None:
    assert split_sentences('He waited. "Come in," she said.') == [
        "He waited.",
        '"Come in," she said.',
    ]


# --- lines, paragraphs, whitespace ------------------------------------------------------------


def test_newlines_end_sentences_and_blank_lines_end_paragraphs() -> None:
    text = "Chapter One\n\nThe road was long.\nNobody spoke\n\n***\n\nAt last, the gate."
    assert split_paragraphs(text) == [
        ["Chapter One"],
        ["The road was long.", "Nobody spoke"],
        ["At last, the gate."],
    ]


def test_without_blank_lines_every_line_is_a_paragraph() -> None:
    assert split_paragraphs("　　第一段。\n　　第二段。") == [["第一段。"], ["第二段。"]]


def test_hard_wrapped_prose_is_rejoined() -> None:
    text = "She walked slowly\ninto the room. It was dark."
    assert split_sentences(text) == ["She walked slowly into the room.", "It was dark."]


def test_whitespace_is_normalised_and_nothing_empty_is_returned() -> None:
    text = "  Hello   world.\t\tBye.  \n\n\n ... \n！！\n\u200b林晓 走了 。"
    assert split_sentences(text) == ["Hello world.", "Bye.", "林晓走了。"]
    assert split_sentences(" \n\t ...\n!!! ") == []


@given(st.text())
def test_sentences_are_never_empty_and_keep_every_letter(text: str) -> None:
    sentences = split_sentences(text)
    for sentence in sentences:
        assert sentence == sentence.strip()
        assert any(ch.isalnum() for ch in sentence)
    kept = "".join(ch for s in sentences for ch in s if ch.isalnum())
    assert kept == "".join(ch for ch in text if ch.isalnum())


# --- speech time, clauses ---------------------------------------------------------------------


def test_speech_estimates_use_the_named_rates() -> None:
    assert estimate_speech_seconds("字" * 45) == pytest.approx(45 / ZH_CHARS_PER_SECOND)
    assert estimate_speech_seconds("word " * 26) == pytest.approx(26 / EN_WORDS_PER_SECOND)
    mixed = estimate_speech_seconds("我们用 Python 写代码")
    assert mixed == pytest.approx(6 / ZH_CHARS_PER_SECOND + 1 / EN_WORDS_PER_SECOND)
    assert estimate_speech_seconds("... !!!") == 0


def test_run_on_text_is_not_timed_as_one_word() -> None:
    assert estimate_speech_seconds("x" * 600) > 10


def test_clauses_keep_their_punctuation_and_thousands() -> None:
    assert split_clauses("他来了，她走了、我们笑了。") == ["他来了，", "她走了、", "我们笑了。"]
    assert split_clauses("It cost 1,000 coins; she paid.") == ["It cost 1,000 coins;", "she paid."]


def test_a_far_too_long_sentence_is_cut_at_clauses_within_the_limit() -> None:
    sentence = (
        "他穿过长长的走廊，推开一扇又一扇沉重的木门，经过挂满旧画像的大厅，"
        "走下吱呀作响的楼梯，终于在地下室的角落里找到了那只落满灰尘的箱子。"
    )
    pieces = fit_sentence(sentence, 8.0, 300)
    assert len(pieces) > 1
    assert "".join(pieces) == sentence
    assert all(estimate_speech_seconds(p) <= 8.0 for p in pieces)
    assert all(p[-1] in "，。" for p in pieces)  # cut after clause marks, not inside a clause


def test_a_clause_without_punctuation_is_cut_between_words() -> None:
    sentence = " ".join(["word"] * 60)
    pieces = fit_sentence(sentence, 8.0, 300)
    assert join_sentences(pieces) == sentence
    assert all(estimate_speech_seconds(p) <= 8.0 for p in pieces)


def test_join_and_shorten() -> None:
    assert join_sentences(["林晓笑了。", "Mara waved.", "Bye."]) == "林晓笑了。Mara waved. Bye."
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("short", 12) == "short"
