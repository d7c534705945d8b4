"""The encoder choice: NVENC where it really works, x264 otherwise, never a GPU required."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import pytest

from storyreel.media import encoders
from storyreel.media.encoders import choose_codec, nvenc_works
from storyreel.media.plan import build_plan, encoding_for
from storyreel.media.render import check_timeline
from tests.mediatools import make_image


def _fake_ffmpeg(folder: Path, *, lists_nvenc: bool, encodes: bool) -> str:
    """An 'ffmpeg' that lists (or not) h264_nvenc and whose encodes succeed (or fail as
    NVENC does on a machine without a GPU)."""
    script = folder / "ffmpeg"
    listing = " V....D h264_nvenc  NVIDIA NVENC H.264 encoder" if lists_nvenc else " V..... libx264"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *-encoders*) echo "'
        + listing
        + '"; exit 0;; esac\n'
        + ("exit 0\n" if encodes else 'echo "Cannot load libcuda.so.1" >&2; exit 1\n')
    )
    script.chmod(0o755)
    return str(script)


@pytest.fixture(autouse=True)
def _fresh_probe() -> None:
    nvenc_works.cache_clear()


def test_nvenc_is_used_only_where_a_trial_encode_works(tmp_path: Path) -> None:
    works = _fake_ffmpeg(tmp_path, lists_nvenc=True, encodes=True)
    assert nvenc_works(works) and choose_codec(works, "auto") == "nvenc"
    assert choose_codec(works, "x264") == "x264"


@pytest.mark.parametrize("lists", [True, False])
def test_without_a_gpu_nvenc_falls_back_to_x264_and_says_which_setting(
    tmp_path: Path, lists: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # FFmpeg builds list NVENC on machines without a GPU; only the trial encode tells.
    ffmpeg = _fake_ffmpeg(tmp_path, lists_nvenc=lists, encodes=False)
    assert choose_codec(ffmpeg, "auto") == "x264"
    with caplog.at_level(logging.WARNING, logger=encoders.__name__):
        assert choose_codec(ffmpeg, "nvenc") == "x264"
    assert "STORYREEL_RENDER_ENCODER=nvenc" in caplog.text


def test_a_missing_binary_is_no_gpu(tmp_path: Path) -> None:
    assert not nvenc_works(str(tmp_path / "no-ffmpeg"))


def test_nvenc_segments_have_the_stream_shape_x264_segments_have() -> None:
    x264 = encoding_for("final", Fraction(30), threads=1).argv()
    nvenc = encoding_for("final", Fraction(30), codec="nvenc").argv()
    assert nvenc[nvenc.index("-c:v") + 1] == "h264_nvenc"
    for option in ("-profile:v", "-pix_fmt", "-g", "-colorspace", "-color_trc", "-color_range"):
        assert nvenc[nvenc.index(option) + 1] == x264[x264.index(option) + 1], option
    assert "-cq" in nvenc and "-crf" not in nvenc


def test_x264_segment_keys_are_unchanged_and_nvenc_ones_differ(tmp_path: Path) -> None:
    make_image(tmp_path / "a.png", 320, 180)
    data = {
        "canvas": {"width": 320, "height": 180, "fps": 30},
        "clips": [{"source": "a.png", "duration": 1.0}],
    }
    timeline, sources = check_timeline(data, tmp_path)
    default = build_plan(timeline, sources)
    x264 = build_plan(timeline, sources, codec="x264")
    nvenc = build_plan(timeline, sources, codec="nvenc")
    assert [s.key for s in default.segments] == [s.key for s in x264.segments]
    assert [s.key for s in nvenc.segments] != [s.key for s in x264.segments]
