"""Bilingual subtitles in the timeline: a shot's narration and its original paired into cues."""

from __future__ import annotations

from storyreel.pipeline.timeline import bilingual_cues, split_cues


def test_both_languages_get_as_many_cues_in_order() -> None:
    zh = "守塔人爬上了楼梯。一场风暴从海上袭来。他点亮了灯。"
    en = "The keeper climbed the stairs. A storm rolled in from the sea, and he lit the lamp."
    pairs = bilingual_cues(zh, en)
    assert len(pairs) == min(len(split_cues(zh)), len(split_cues(en))) == 2
    assert "".join(text for text, _ in pairs) == zh.replace(" ", "")
    assert " ".join(second for _, second in pairs) == en
    assert pairs[0][0].startswith("守塔人") and pairs[0][1].startswith("The keeper")


def test_a_one_sentence_original_goes_under_every_piece_as_one_cue() -> None:
    pairs = bilingual_cues("He climbed. He waited. He slept.", "他睡了。")
    assert pairs == [("He climbed. He waited. He slept.", "他睡了。")]
