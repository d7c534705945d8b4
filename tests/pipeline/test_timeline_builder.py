"""Storyboard + media → timeline: durations from the narration, cues in proportion."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.timeline import Motion
from storyreel.pipeline.timeline import (
    BREATH,
    END_HOLD,
    LEAD_IN,
    ShotMedia,
    build_timeline,
    cue_times,
    split_cues,
)
from storyreel.providers.base import WordTiming


def board(*narrations: str, scenes: list[int] | None = None) -> Storyboard:
    shots = [
        Shot(
            id=f"s{i}",
            scene=(scenes or [0] * len(narrations))[i],
            narration=text,
            visual_prompt=f"prompt {i}",
        )
        for i, text in enumerate(narrations)
    ]
    return Storyboard(title="t", language="en", style="cinematic", shots=shots)


def media(base: Path, seconds: list[float]) -> list[ShotMedia]:
    return [
        ShotMedia(
            image=base / f"i{i}.png",
            voice=base / f"v{i}.wav",
            voice_seconds=s,
            motion=Motion(type="zoom_in"),
        )
        for i, s in enumerate(seconds)
    ]


def test_durations_follow_the_narration(tmp_path: Path) -> None:
    b = board("One.", "Two.", "Three.", scenes=[0, 0, 1])
    tl = build_timeline(b, media(tmp_path, [2.0, 3.0, 1.0]), base_dir=tmp_path, music=None)
    types = [c.transition.type for c in tl.clips]
    assert types == ["cut", "crossfade", "fade"]  # a new scene fades through black
    for clip, seconds in zip(tl.clips, [2.0, 3.0, 1.0], strict=True):
        assert clip.duration >= seconds + LEAD_IN + BREATH
    # Every voice starts after its clip's entry transition and ends before the next begins.
    starts = tl.clip_starts()
    for i, narr in enumerate(tl.narration):
        entry = tl.clips[i].transition.duration
        assert narr.start == pytest.approx(starts[i] + entry + LEAD_IN)
        if i + 1 < len(tl.clips):
            assert narr.start + [2.0, 3.0, 1.0][i] <= starts[i + 1] + 1e-6
    assert tl.duration == pytest.approx(tl.narration[-1].start + 1.0 + END_HOLD, abs=1e-3)
    assert tl.clips[0].source == "i0.png" and tl.narration[0].source == "v0.wav"


def test_cues_split_long_narration_and_cover_the_voice(tmp_path: Path) -> None:
    text = (
        "The storm rolled in from the west. Mara closed the shutters, lit the lamp, "
        "and waited for the knock she knew would come before midnight."
    )
    pieces = split_cues(text)
    assert len(pieces) >= 2 and " ".join(pieces).replace("  ", " ") == text
    tl = build_timeline(board(text), media(tmp_path, [8.0]), base_dir=tmp_path, music=None)
    cues = tl.subtitles
    assert cues[0].start == pytest.approx(tl.narration[0].start)
    assert cues[-1].end == pytest.approx(tl.narration[0].start + 8.0, abs=1e-3)
    for a, b in itertools.pairwise(cues):
        assert a.end == pytest.approx(b.start, abs=1e-3)


def test_chinese_cues_split_at_punctuation() -> None:
    text = (
        "林晓推开门，看见院子里站着一个陌生人。"
        "他穿着灰色的长衫，手里拿着一封信，信封上写着她的名字。"
    )
    pieces = split_cues(text)
    assert "".join(pieces) == text
    assert all(len(p) <= 30 for p in pieces)


def test_word_timings_snap_cue_boundaries() -> None:
    words = (
        WordTiming("One", 0.0, 0.4),
        WordTiming("two", 0.5, 0.9),
        WordTiming("three.", 2.0, 2.6),
        WordTiming("Four", 2.7, 3.0),
    )
    times = cue_times(["One two three.", "Four"], 10.0, 3.0, words)
    assert times[1][0] == pytest.approx(12.7)  # starts exactly when "Four" is spoken


def test_chinese_cues_start_at_the_word_that_opens_them() -> None:
    # Words as Edge's voices give them: the service's own segmentation, no punctuation. The
    # first sentence is said quickly and a long pause follows, so the proportional split (at
    # 6 × 17/20 = 5.1 s) lies nearer 笑了 than 他, the word that really opens the second cue.
    first, second = "林晓推开门，看见院子里站着一个陌生人。", "他笑了。"
    spoken = ["林晓", "推开", "门", "看见", "院子", "里", "站着", "一个", "陌生人"]
    words = tuple(WordTiming(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(spoken))
    words += (WordTiming("他", 4.5, 4.7), WordTiming("笑了", 4.8, 5.3))
    times = cue_times([first, second], 10.0, 6.0, words)
    assert times == [(10.0, pytest.approx(14.5)), (pytest.approx(14.5), 16.0)]

    # Words that do not spell the text: the nearest word to the proportional split.
    garbled = (*words[:-2], WordTiming("ta", 4.5, 4.7), WordTiming("xiao le", 4.8, 5.3))
    times = cue_times([first, second], 10.0, 6.0, garbled)
    assert times[1][0] == pytest.approx(14.8)
    # No words: in proportion to the letters.
    assert cue_times([first, second], 10.0, 6.0, None)[1][0] == pytest.approx(10 + 6 * 17 / 20)
