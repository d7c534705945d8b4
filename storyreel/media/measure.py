"""Measurements of rendered media for the quality check: black and frozen stretches, loudness
and true peak, stream lengths, and where burned-in subtitles land. Command builders are pure;
the runners around them are thin, like the renderer's.

Detector output is read from a metadata file FFmpeg writes (``metadata=mode=print:file=``),
not from its log, whose tail is all ``run_ffmpeg`` keeps.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from storyreel.domain.cancel import CancelToken
from storyreel.media.ffmpeg import run_ffmpeg
from storyreel.media.subtitles import Cue, build_ass

Span = tuple[float, float]

# Black and frozen pictures are judged on small frames: a 160-pixel-wide picture shows a
# black frame or a frozen one as well as 1280 pixels do, and scaling to it costs little.
# Non-reference frames are not decoded (about a third less decoding); every frame left is a
# real, whole frame, which freezedetect needs (a keyframes-only decode would not do: two
# seconds apart, it would call every still stretch frozen and miss short black ones).
ANALYSIS_WIDTH = 160
_PIXEL_BLACK = 0.10  # blackdetect's default: a pixel under 10 % of the luma range is black
# Freezes shorter than this are not recorded at all (a threshold below it is clamped to it).
_MIN_FREEZE_RECORDED_S = 0.5
# The fill of subtitle text is white; drawn over mid grey, only the fill is brighter than this
# (the outline and shadow are dark), so its extent is the text's.
_SUBTITLE_BACKGROUND = "0x808080"
_FILL_LUMA = 180


@dataclass(frozen=True)
class PictureEvents:
    """Black and frozen stretches of one video, in seconds from its start."""

    black: tuple[Span, ...]
    frozen: tuple[Span, ...]

    def shifted(self, offset: float) -> PictureEvents:
        return PictureEvents(
            black=tuple((a + offset, b + offset) for a, b in self.black),
            frozen=tuple((a + offset, b + offset) for a, b in self.frozen),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"black": [list(s) for s in self.black], "frozen": [list(s) for s in self.frozen]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PictureEvents:
        return cls(
            black=tuple((float(a), float(b)) for a, b in data["black"]),
            frozen=tuple((float(a), float(b)) for a, b in data["frozen"]),
        )


@dataclass(frozen=True)
class PictureParams:
    """What the picture detectors are tuned to (cached results are only reused for the same)."""

    black_ratio: float
    freeze_noise_db: float
    freeze_min_s: float

    def to_dict(self) -> dict[str, float]:
        return {
            "black_ratio": self.black_ratio,
            "freeze_noise_db": self.freeze_noise_db,
            "freeze_min_s": self.freeze_min_s,
            "width": ANALYSIS_WIDTH,
        }


def picture_command(ffmpeg: str, video: Path, params: PictureParams, meta_file: str) -> list[str]:
    """Decode ``video`` small and write blackdetect's and freezedetect's events to
    ``meta_file`` (a plain name relative to the working folder)."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", meta_file):
        raise ValueError(f"unsafe metadata file name: {meta_file!r}")
    freeze_d = min(_MIN_FREEZE_RECORDED_S, params.freeze_min_s)
    graph = (
        f"scale={ANALYSIS_WIDTH}:-2:flags=fast_bilinear,"
        f"blackdetect=d=0:pic_th={params.black_ratio:.4f}:pix_th={_PIXEL_BLACK},"
        f"freezedetect=n={params.freeze_noise_db:.2f}dB:d={freeze_d:.3f},"
        f"metadata=mode=print:file={meta_file}"
    )
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y",
        "-skip_frame:v", "noref", "-skip_loop_filter:v", "all", "-threads", "1",
        "-protocol_whitelist", "file", "-f", "mov", "-i", f"file:{video}",
        "-an", "-sn", "-vf", graph, "-f", "null", "-",
    ]  # fmt: skip


_META_LINE = re.compile(
    r"^lavfi\.(black_start|black_end|freezedetect\.freeze_start|"
    r"freezedetect\.freeze_end)=(-?[\d.]+)$"
)


def parse_picture_metadata(text: str, duration: float) -> PictureEvents:
    """Pair the detectors' start and end events; a stretch still open at the end of the
    stream (they report none then) ends with it."""
    black: list[Span] = []
    frozen: list[Span] = []
    open_black: float | None = None
    open_freeze: float | None = None
    for line in text.splitlines():
        match = _META_LINE.match(line.strip())
        if match is None:
            continue
        key, value = match.group(1), float(match.group(2))
        if key == "black_start":
            open_black = value
        elif key == "black_end" and open_black is not None:
            black.append((open_black, value))
            open_black = None
        elif key.endswith("freeze_start"):
            open_freeze = value
        elif key.endswith("freeze_end") and open_freeze is not None:
            frozen.append((open_freeze, value))
            open_freeze = None
    if open_black is not None and duration > open_black:
        black.append((open_black, duration))
    if open_freeze is not None and duration > open_freeze:
        frozen.append((open_freeze, duration))
    return PictureEvents(tuple(black), tuple(frozen))


def measure_picture(
    ffmpeg: str,
    video: Path,
    duration: float,
    params: PictureParams,
    *,
    work_dir: Path,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> PictureEvents:
    """Black and frozen stretches of ``video`` (``duration`` seconds long)."""
    meta = work_dir / f"qc-picture-{secrets.token_hex(6)}.txt"
    try:
        run_ffmpeg(
            picture_command(ffmpeg, video.resolve(), params, meta.name),
            timeout=timeout,
            cancel=cancel,
            cwd=work_dir,
        )
        text = meta.read_text(encoding="utf-8") if meta.exists() else ""
    finally:
        meta.unlink(missing_ok=True)
    return parse_picture_metadata(text, duration)


# --- loudness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS (-inf for silence)
    true_peak: float  # dBTP (-inf for silence)


def loudness_command(ffmpeg: str, media: Path) -> list[str]:
    """ebur128's integrated loudness and true peak of the first audio stream of ``media``."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
        "-protocol_whitelist", "file", "-f", "mov", "-i", f"file:{media}",
        "-vn", "-sn", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip


_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def parse_ebur128(log: str) -> Loudness:
    """The summary ebur128 prints when the stream ends."""
    at = log.rfind("Summary:")
    summary = log[at:] if at >= 0 else ""
    integrated, peak = _INTEGRATED.search(summary), _PEAK.search(summary)
    if integrated is None or peak is None:
        raise ValueError("no ebur128 summary in FFmpeg's output")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


def measure_loudness(
    ffmpeg: str, media: Path, *, timeout: float | None = None, cancel: CancelToken | None = None
) -> Loudness:
    argv = loudness_command(ffmpeg, media.resolve())
    return parse_ebur128(run_ffmpeg(argv, timeout=timeout, cancel=cancel))


# --- stream lengths -------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamLengths:
    video: float | None
    audio: float | None


def _stream_seconds(stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def stream_lengths(video: Path) -> StreamLengths:
    """How long the first video and audio streams of ``video`` last, from the container."""
    with av.open(str(video)) as container:
        v = container.streams.video[0] if container.streams.video else None
        a = container.streams.audio[0] if container.streams.audio else None
        return StreamLengths(
            video=_stream_seconds(v) if v is not None else None,
            audio=_stream_seconds(a) if a is not None else None,
        )


# --- where subtitles land -------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle of pixels, right and bottom edges exclusive."""

    left: int
    top: int
    right: int
    bottom: int


def subtitle_raster_command(
    ffmpeg: str, *, count: int, width: int, height: int, ass: str, out: str
) -> list[str]:
    """Draw cue k of ``ass`` on frame k (one frame a second) over grey, as grey bytes."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", ass):
        raise ValueError(f"unsafe subtitle file name: {ass!r}")
    source = f"color=c={_SUBTITLE_BACKGROUND}:s={width}x{height}:r=1:d={count}"
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", source,
        "-vf", f"ass=filename={ass},format=gray", "-frames:v", str(count),
        "-f", "rawvideo", out,
    ]  # fmt: skip


def subtitle_boxes(
    ffmpeg: str,
    cues: Sequence[Cue],
    *,
    width: int,
    height: int,
    font_family: str,
    env: Mapping[str, str],
    work_dir: Path,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> list[Box | None]:
    """Where each cue's text is drawn by libass (the renderer's own ASS, fonts and wrapping):
    the box of its fill pixels, None when nothing was drawn."""
    if not cues:
        return []
    # One cue per second, each alone on its frame; the text and its layout are the cue's own.
    timed = [Cue(float(k), k + 1.0, c.text, c.second) for k, c in enumerate(cues)]
    tag = secrets.token_hex(6)
    ass = work_dir / f"qc-subtitles-{tag}.ass"
    raw = work_dir / f"qc-subtitles-{tag}.gray"
    try:
        ass.write_text(
            build_ass(timed, width=width, height=height, font_family=font_family),
            encoding="utf-8",
        )
        argv = subtitle_raster_command(
            ffmpeg, count=len(timed), width=width, height=height, ass=ass.name, out=f"file:{raw}"
        )
        run_ffmpeg(argv, timeout=timeout, cancel=cancel, cwd=work_dir, env=env)
        frames = np.memmap(raw, dtype=np.uint8, mode="r").reshape(-1, height, width)
        return [_fill_box(frame) for frame in frames[: len(timed)]]
    finally:
        ass.unlink(missing_ok=True)
        raw.unlink(missing_ok=True)


def _fill_box(frame: np.ndarray[Any, np.dtype[np.uint8]]) -> Box | None:
    mask = frame > _FILL_LUMA
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return Box(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def finite(value: float) -> float | None:
    """``value``, or None for -inf/nan (JSON has no infinities)."""
    return value if math.isfinite(value) else None
