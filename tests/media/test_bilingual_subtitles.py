"""Bilingual subtitles: the narration's language and, smaller, a second one under it — laid out
so both fit the title-safe area, burned by the real renderer, and both in the SRT sidecar."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyreel.media.render import Renderer, RenderResult
from storyreel.media.subtitles import (
    Cue,
    build_ass,
    build_srt,
    font_size,
    layout_cues,
    second_font_size,
)
from storyreel.settings import Settings
from tests.mediatools import gray_frames, make_image, write_timeline

EN = "The lighthouse keeper climbed the stairs one last time, counting every step aloud."
ZH = "守塔人最后一次爬上楼梯，一边走一边大声数着每一级台阶。"


def test_a_bilingual_cue_keeps_at_most_two_lines_of_each_language() -> None:
    long_en = " ".join([EN] * 3)
    long_zh = ZH * 3
    laid = layout_cues([Cue(0.0, 9.0, long_zh, long_en)], width=640, height=360)
    assert len(laid) > 1  # too much for one cue: split in time
    for cue, lines in laid:
        assert 1 <= len(lines) <= 2
        assert 1 <= len(cue.second.splitlines()) <= 2
    # Nothing is lost and the parts tile the cue's time.
    assert "".join("".join(lines) for _, lines in laid) == long_zh
    assert " ".join(c.second.replace("\n", " ") for c, _ in laid) == long_en
    assert laid[0][0].start == 0.0 and laid[-1][0].end == 9.0
    assert all(a[0].end == b[0].start for a, b in itertools.pairwise(laid))


def test_the_second_language_is_smaller_and_wrapped_for_its_own_size() -> None:
    assert second_font_size(360, 640) < font_size(360, 640)
    ass = build_ass([Cue(0.0, 2.0, ZH, EN)], width=640, height=360, font_family="Noto Sans SC")
    dialogue = next(line for line in ass.splitlines() if line.startswith("Dialogue:"))
    assert f"{{\\fs{second_font_size(360, 640)}\\bord" in dialogue
    zh_part, en_part = dialogue.split(f"{{\\fs{second_font_size(360, 640)}")
    assert "守塔人" in zh_part and "lighthouse" in en_part


def test_a_user_brace_in_the_second_line_stays_literal() -> None:
    ass = build_ass(
        [Cue(0.0, 2.0, "你好", r"{\fs200}big")], width=640, height=360, font_family="Noto Sans SC"
    )
    dialogue = next(line for line in ass.splitlines() if line.startswith("Dialogue:"))
    assert "\\{\\" in dialogue and "{\\fs200}" not in dialogue


def test_the_srt_sidecar_has_both_lines() -> None:
    srt = build_srt([Cue(0.0, 2.0, "你好，世界。", "Hello, world.")])
    assert srt.splitlines()[2:4] == ["你好，世界。", "Hello, world."]
    assert "Hello" not in build_srt([Cue(0.0, 2.0, "你好，世界。")])


def _text_rows(frame: np.ndarray) -> np.ndarray:
    """Rows (of the whole frame) with subtitle-bright pixels over a mid-grey picture."""
    return np.nonzero((frame > 200).sum(axis=1) > 0)[0]


def _render(
    settings: Settings, folder: Path, subtitles: list[dict[str, Any]], w: int, h: int
) -> RenderResult:
    make_image(folder / "grey.png", w, h, "color=c=0x606060")
    data = {
        "canvas": {"width": w, "height": h, "fps": 10},
        "clips": [{"source": "grey.png", "duration": 2.0}],
        "subtitles": subtitles,
    }
    return Renderer(settings).render_file(write_timeline(folder, data), folder / "out" / "o.mp4")


@pytest.mark.slow
@pytest.mark.parametrize(("w", "h"), [(640, 360), (360, 640)], ids=["landscape", "portrait"])
def test_both_languages_are_drawn_inside_the_safe_area(
    settings: Settings, tmp_path: Path, w: int, h: int
) -> None:
    short_zh = "守塔人爬上楼梯。"
    result = _render(
        settings,
        tmp_path,
        [
            {"start": 0.0, "end": 1.0, "text": short_zh},
            {"start": 1.0, "end": 2.0, "text": short_zh, "second": EN},
        ],
        w,
        h,
    )
    frames = gray_frames(result.video)
    one, two = _text_rows(frames[5]), _text_rows(frames[15])
    margin = round(h * 0.06)
    assert len(one) and len(two)
    # The narration keeps its place above; the second language is drawn under it, and nothing
    # reaches into the bottom margin (a pixel or two of outline anti-aliasing allowed).
    assert two.max() <= h - margin + 2, (two.max(), h - margin)
    assert one.max() <= h - margin + 2
    # The same narration line moves up to make room for the second language under it.
    assert two.min() < one.min() - second_font_size(h, w) // 2, (two.min(), one.min())
    assert two.min() >= margin  # and stay below the top margin
    # Both lines stay between the side margins too.
    cols = np.nonzero((frames[15] > 200).sum(axis=0) > 0)[0]
    side = round(w * 0.06)
    assert cols.min() >= side - 2 and cols.max() <= w - side + 2
    srt = result.srt.read_text(encoding="utf-8")
    assert f"{short_zh}\n{EN}" in srt
