"""The quality check of a finished render: measure the video, judge each measurement against
its threshold (``QcSettings``), and say what is wrong in words a creator understands, naming
the shot. See docs/quality-checks.md.

``check_render`` measures (FFmpeg, the voice-activity detector) and then judges; the judges are
pure functions of the measurements, the plan and the timeline. Measurements that are costly
are cached beside what they measure in the render cache — each segment's black and frozen
stretches as ``segments/{key}.qc.json``, the soundtrack's speech and levels as
``audio/{key}.qc.json`` — so a re-render after an edit analyses only what changed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storyreel.domain.cancel import CancelToken
from storyreel.domain.timeline import Timeline
from storyreel.media import spans as sp
from storyreel.media.audio import STEM_RATE, MixSpec, StemFiles, render_stems
from storyreel.media.measure import (
    Loudness,
    PictureEvents,
    PictureParams,
    measure_loudness,
    measure_picture,
    stream_lengths,
    subtitle_boxes,
)
from storyreel.media.plan import RenderPlan
from storyreel.media.qc_judges import (
    judge_av_sync,
    judge_black,
    judge_cue_timing,
    judge_freeze,
    judge_loudness,
    judge_music_under_speech,
    judge_narration_silent,
    judge_safe_area,
    judge_subtitle_lines,
    judge_true_peak,
    judge_unplanned_speech,
)
from storyreel.media.qc_report import (
    BLOCK_S,
    CHECK_NAMES,
    AudioMeasurements,
    CheckName,
    QcCheck,
    QcFinding,
    QcReport,
    Track,
    track_of,
)
from storyreel.media.vad import detect_speech, read_s16le, refine_onsets
from storyreel.settings import QcSettings

__all__ = [
    "CHECK_NAMES",
    "AudioMeasurements",
    "CheckName",
    "QcCheck",
    "QcFinding",
    "QcReport",
    "Track",
    "check_render",
    "picture_params",
    "segment_picture_events",
    "track_of",
]

Span = sp.Span

# Bump when a measurement changes, so cached measurements are taken again.
MEASURE_VERSION = 1
_SILENT_DB = -120.0
# Speech can run past its planned end by the detector's hangover, and start a little early
# by a model's lead-in breath: unplanned speech is looked for this far away from narration.
_PLANNED_SLACK_S = 0.3


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_cache(path: Path, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """A cached measurement taken with the same ``params`` by this version, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("v") != MEASURE_VERSION:
        return None
    if data.get("params") != json.loads(json.dumps(params)):
        return None
    return data


def segment_picture_events(
    ffmpeg: str,
    segment: Path,
    duration: float,
    params: PictureParams,
    *,
    work_dir: Path,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> PictureEvents:
    """One cached segment's black and frozen stretches, from ``{key}.qc.json`` beside it when
    an earlier check measured it with the same settings. The renderer may call this right
    after encoding a segment, so the check after the join finds it done."""
    cache = segment.with_name(f"{segment.stem}.qc.json")
    cached = _read_cache(cache, params.to_dict())
    if cached is not None:
        return PictureEvents.from_dict(cached["events"])
    events = measure_picture(
        ffmpeg, segment, duration, params, work_dir=work_dir, timeout=timeout, cancel=cancel
    )
    with contextlib.suppress(OSError):  # a read-only cache costs the next check a decode
        _write_json(
            cache, {"v": MEASURE_VERSION, "params": params.to_dict(), "events": events.to_dict()}
        )
    return events


def _block_db(path: Path, total: float) -> tuple[float, ...]:
    """K-weighted power per 100 ms block of an interleaved stereo float32 stem, in dB."""
    samples = np.memmap(path, dtype="<f4", mode="r").reshape(-1, 2)
    block = round(BLOCK_S * STEM_RATE)
    count = min(len(samples) // block, math.ceil(total / BLOCK_S))
    squares = np.square(samples[: count * block].astype(np.float64))
    # BS.1770 sums the channels' mean squares.
    power = squares.reshape(count, block, 2).mean(axis=1).sum(axis=1)
    db = 10 * np.log10(np.maximum(power, 10 ** (_SILENT_DB / 10)))
    return tuple(float(x) for x in db)


def _pcm(path: Path) -> npt.NDArray[np.float32]:
    return read_s16le(path.read_bytes())


def measure_audio(
    ffmpeg: str,
    spec: MixSpec,
    planned: Sequence[Span],
    *,
    work_dir: Path,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> AudioMeasurements:
    """Render the stems of ``spec`` and measure them: speech in the voices, speech anywhere
    away from the ``planned`` narration, and each bus's level in 100 ms blocks."""
    tag = secrets.token_hex(6)
    stems = StemFiles(
        voice_speech=work_dir / f"qc-{tag}-voice.s16",
        music_speech=work_dir / f"qc-{tag}-music.s16",
        voice_weighted=work_dir / f"qc-{tag}-voice.f32",
        music_weighted=work_dir / f"qc-{tag}-music.f32",
    )
    try:
        render_stems(spec, stems, ffmpeg=ffmpeg, timeout=timeout, cancel=cancel)
        voice = _pcm(stems.voice_speech)
        speech = refine_onsets(detect_speech(voice, cancel=cancel).spans(), voice)
        away = sp.subtract((0.0, spec.total), sp.grow(planned, _PLANNED_SLACK_S))
        everything = voice + _pcm(stems.music_speech)
        del voice
        other = detect_speech(everything, within=away, cancel=cancel).spans()
        return AudioMeasurements(
            speech=tuple((round(a, 3), round(b, 3)) for a, b in speech),
            other_speech=tuple((round(a, 3), round(b, 3)) for a, b in other),
            voice_db=_block_db(stems.voice_weighted, spec.total),
            music_db=_block_db(stems.music_weighted, spec.total),
            has_music=spec.music is not None,
        )
    finally:
        for path in (
            stems.voice_speech,
            stems.music_speech,
            stems.voice_weighted,
            stems.music_weighted,
        ):
            path.unlink(missing_ok=True)


def cached_audio_measurements(
    ffmpeg: str,
    spec: MixSpec,
    planned: Sequence[Span],
    *,
    work_dir: Path,
    soundtrack: Path | None,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> AudioMeasurements:
    """``measure_audio``, cached as ``{key}.qc.json`` beside the soundtrack it describes (the
    soundtrack's name is the hash of the same spec and files)."""
    params = {"planned": [list(s) for s in planned], "total": spec.total}
    cache = soundtrack.with_name(f"{soundtrack.stem}.qc.json") if soundtrack else None
    cached = _read_cache(cache, params) if cache is not None else None
    if cached is not None:
        return AudioMeasurements.from_dict(cached["audio"])
    audio = measure_audio(ffmpeg, spec, planned, work_dir=work_dir, timeout=timeout, cancel=cancel)
    if cache is not None:
        with contextlib.suppress(OSError):
            _write_json(cache, {"v": MEASURE_VERSION, "params": params, "audio": audio.to_dict()})
    return audio


def picture_params(thresholds: QcSettings) -> PictureParams:
    return PictureParams(
        black_ratio=thresholds.black_picture_ratio,
        freeze_noise_db=thresholds.freeze_noise_db,
        freeze_min_s=thresholds.freeze_min_s,
    )


def _picture_jobs(
    ffmpeg: str,
    plan: RenderPlan,
    video: Path,
    segment_files: Mapping[str, Path] | None,
    params: PictureParams,
    work_dir: Path,
    timeout: float | None,
    token: CancelToken,
) -> list[tuple[float, Callable[[], PictureEvents]]]:
    """(offset, measurement) for each part of the picture: every distinct segment when the
    segment files are at hand, else the whole video in one decode."""
    fps = plan.fps
    if segment_files is None:
        return [
            (
                0.0,
                lambda: measure_picture(
                    ffmpeg,
                    video,
                    plan.duration,
                    params,
                    work_dir=work_dir,
                    timeout=timeout,
                    cancel=token,
                ),
            )
        ]
    jobs: list[tuple[float, Callable[[], PictureEvents]]] = []
    for seg in plan.segments:
        path = segment_files[seg.key]
        seconds = seg.frames / float(fps)

        def job(path: Path = path, seconds: float = seconds) -> PictureEvents:
            return segment_picture_events(
                ffmpeg, path, seconds, params, work_dir=work_dir, timeout=timeout, cancel=token
            )

        jobs.append((float(seg.start_frame / fps), job))
    return jobs


def check_render(
    *,
    ffmpeg: str,
    env: Mapping[str, str],
    work_dir: Path,
    plan: RenderPlan,
    timeline: Timeline,
    spec: MixSpec,
    video: Path,
    thresholds: QcSettings,
    font_family: str,
    segment_files: Mapping[str, Path] | None = None,
    soundtrack: Path | None = None,
    jobs: int = 2,
    timeout: float | None = None,
    cancel: CancelToken | None = None,
) -> QcReport:
    """Measure the rendered ``video`` and judge every check.

    ``plan``, ``timeline`` and ``spec`` are what the renderer rendered it from (``spec`` as
    ``mix_spec`` builds it), ``env`` the renderer's FFmpeg environment (its fontconfig) and
    ``font_family`` its subtitle font. With ``segment_files`` (key → cached segment file),
    the picture is analysed segment by segment and each result cached beside its segment;
    with ``soundtrack`` (the cached soundtrack file), the audio measurements are cached beside
    it. ``jobs`` measurements run at once. Raises what ``run_ffmpeg`` raises.
    """
    started = time.monotonic()
    track = track_of(timeline, plan, spec)
    params = picture_params(thresholds)
    token = CancelToken()
    unlink = cancel.on_cancel(token.cancel) if cancel is not None else None
    cues = list(plan.cues)
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="qc") as pool:
            # The longest measurements first, so the pool never waits on one started last.
            audio_f = pool.submit(
                cached_audio_measurements,
                ffmpeg,
                spec,
                track.narration,
                work_dir=work_dir,
                soundtrack=soundtrack,
                timeout=timeout,
                cancel=token,
            )
            picture_fs = [
                (offset, pool.submit(job))
                for offset, job in _picture_jobs(
                    ffmpeg, plan, video, segment_files, params, work_dir, timeout, token
                )
            ]
            loud_f = pool.submit(measure_loudness, ffmpeg, video, timeout=timeout, cancel=token)
            boxes_f = pool.submit(
                subtitle_boxes,
                ffmpeg,
                cues,
                width=plan.width,
                height=plan.height,
                font_family=font_family,
                env=env,
                work_dir=work_dir,
                timeout=timeout,
                cancel=token,
            )
            lengths_f = pool.submit(stream_lengths, video)
            everything: list[Future[Any]] = [
                audio_f,
                loud_f,
                boxes_f,
                lengths_f,
                *(f for _, f in picture_fs),
            ]
            done, pending = wait(everything, return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                token.cancel()
                wait(pending)
                raise failed[0].exception()  # type: ignore[misc]
    finally:
        if unlink is not None:
            unlink()
    events = [f.result().shifted(offset) for offset, f in picture_fs]
    black = [s for e in events for s in e.black]
    frozen = [s for e in events for s in e.frozen]
    audio: AudioMeasurements = audio_f.result()
    loud: Loudness = loud_f.result()
    checks = (
        judge_av_sync(lengths_f.result(), track.fps, thresholds.av_sync_frames),
        judge_loudness(loud, spec.loudness, thresholds.loudness_tolerance_lu),
        judge_true_peak(loud, spec.true_peak, thresholds.true_peak_margin_db),
        judge_music_under_speech(audio, track, thresholds.music_under_speech_db),
        judge_black(black, track, thresholds.black_min_s),
        judge_freeze(frozen, black, track, thresholds.freeze_min_s),
        judge_narration_silent(audio.speech, track, thresholds.narration_silence_s),
        judge_unplanned_speech(audio, track, thresholds.unplanned_speech_s),
        judge_cue_timing(cues, audio.speech, track, thresholds.cue_offset_ms),
        judge_safe_area(
            boxes_f.result(),
            cues,
            track,
            width=plan.width,
            height=plan.height,
            fraction=thresholds.safe_area,
        ),
        judge_subtitle_lines(cues, track, thresholds.max_subtitle_lines),
    )
    return QcReport(checks=checks, elapsed_s=time.monotonic() - started)
