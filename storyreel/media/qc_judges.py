"""The quality check's judges: pure functions from measurements to a verdict in plain words,
naming the shot (see docs/quality-checks.md for what each check means)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from storyreel.media import spans as sp
from storyreel.media.measure import Box, Loudness, StreamLengths, finite
from storyreel.media.qc_report import (
    BLOCK_S,
    AudioMeasurements,
    Json,
    QcCheck,
    QcFinding,
    Track,
    failed,
    passed,
    skipped,
)
from storyreel.media.subtitles import Cue

Span = sp.Span

# Levels are compared over one-second windows of 100 ms blocks (between momentary, 400 ms,
# and short-term, 3 s, loudness: long enough to ride over the gaps between words, short
# enough to point at the moment it happens).
_WINDOW_BLOCKS = 10
_HOP_BLOCKS = 5
# The compressor needs its attack (20 ms) and a syllable to duck; the first 0.2 s of each
# utterance is not judged.
_DUCK_SETTLE_S = 0.2


def judge_av_sync(lengths: StreamLengths, fps: float, limit_frames: float) -> QcCheck:
    threshold: dict[str, Json] = {"max_frames": limit_frames}
    if lengths.video is None or lengths.audio is None:
        missing = "picture" if lengths.video is None else "sound"
        return failed(
            "av_sync",
            [QcFinding(f"The video file has no {missing} stream (or it has no length).")],
            {"video_s": lengths.video, "audio_s": lengths.audio},
            threshold,
        )
    off = lengths.audio - lengths.video
    frames = abs(off) * fps
    measured: dict[str, Json] = {
        "video_s": round(lengths.video, 4),
        "audio_s": round(lengths.audio, 4),
        "difference_frames": round(frames, 2),
    }
    if frames <= limit_frames + 1e-6:
        return passed("av_sync", "Picture and sound are the same length.", measured, threshold)
    longer = "sound" if off > 0 else "picture"
    return failed(
        "av_sync",
        [
            QcFinding(
                f"The {longer} runs {abs(off):.2f} s ({frames:.1f} frames) longer than the "
                f"{'picture' if longer == 'sound' else 'sound'} (at most {limit_frames:g} "
                "allowed).",
                start=min(lengths.video, lengths.audio),
                end=max(lengths.video, lengths.audio),
            )
        ],
        measured,
        threshold,
    )


def judge_loudness(loud: Loudness, target: float, tolerance: float) -> QcCheck:
    threshold: dict[str, Json] = {"target_lufs": target, "tolerance_lu": tolerance}
    measured: dict[str, Json] = {"integrated_lufs": finite(round(loud.integrated, 2))}
    if not math.isfinite(loud.integrated):
        finding = QcFinding(f"The soundtrack is silent (the target is {target:g} LUFS).")
        return failed("loudness", [finding], measured, threshold)
    off = loud.integrated - target
    if abs(off) <= tolerance:
        return passed("loudness", f"Loudness is {loud.integrated:.1f} LUFS.", measured, threshold)
    word = "loud" if off > 0 else "quiet"
    finding = QcFinding(
        f"The film is too {word}: {loud.integrated:.1f} LUFS, {abs(off):.1f} LU from the "
        f"{target:g} LUFS target (±{tolerance:g} allowed)."
    )
    return failed("loudness", [finding], measured, threshold)


def judge_true_peak(loud: Loudness, ceiling: float, margin: float) -> QcCheck:
    limit = ceiling + margin
    threshold: dict[str, Json] = {"max_dbtp": limit}
    measured: dict[str, Json] = {"true_peak_dbtp": finite(round(loud.true_peak, 2))}
    if not math.isfinite(loud.true_peak) or loud.true_peak <= limit:
        peak = "no peaks" if not math.isfinite(loud.true_peak) else f"{loud.true_peak:.1f} dBTP"
        return passed("true_peak", f"Peaks stay under the ceiling ({peak}).", measured, threshold)
    finding = QcFinding(
        f"The loudest peak reaches {loud.true_peak:.1f} dBTP, over the {limit:g} dBTP ceiling: "
        "it may distort on phones and after re-encoding."
    )
    return failed("true_peak", [finding], measured, threshold)


def _power(db: Sequence[float], first: int, last: int) -> float:
    return float(np.mean(np.power(10.0, np.asarray(db[first:last]) / 10.0)))


def _windows(span: Span, blocks: int) -> list[tuple[int, int]]:
    """One-second windows (in blocks) inside ``span``, half overlapping; one for a short span."""
    first = math.ceil((span[0] + _DUCK_SETTLE_S) / BLOCK_S)
    last = min(blocks, math.floor(span[1] / BLOCK_S))
    if last - first < 3:  # under 0.3 s: too short to judge a level on
        return []
    if last - first <= _WINDOW_BLOCKS:
        return [(first, last)]
    starts = range(first, last - _WINDOW_BLOCKS + 1, _HOP_BLOCKS)
    return [(a, a + _WINDOW_BLOCKS) for a in starts]


def judge_music_under_speech(audio: AudioMeasurements, track: Track, min_db: float) -> QcCheck:
    threshold: dict[str, Json] = {"min_db": min_db}
    if not audio.has_music:
        return skipped("music_under_speech", "There is no music.")
    spoken = [s for n in track.narration for s in sp.intersect(audio.speech, n)]
    if not spoken:
        spoken = list(audio.speech)
    if not spoken:
        return skipped("music_under_speech", "No one speaks over the music.")
    blocks = min(len(audio.voice_db), len(audio.music_db))
    margins: list[tuple[float, int, int]] = []
    for span in spoken:
        for a, b in _windows(span, blocks):
            music = _power(audio.music_db, a, b)
            voice = _power(audio.voice_db, a, b)
            margin = math.inf if music <= 0 else 10 * math.log10(max(voice, 1e-30) / music)
            margins.append((margin, a, b))
    if not margins:
        return skipped("music_under_speech", "No stretch of speech is long enough to judge.")
    worst = min(m for m, _, _ in margins)
    measured: dict[str, Json] = {"min_margin_db": finite(round(worst, 2)), "windows": len(margins)}
    bad = sp.merge(((a * BLOCK_S, b * BLOCK_S) for m, a, b in margins if m < min_db))
    if not bad:
        return passed(
            "music_under_speech",
            f"The music stays at least {worst:.1f} dB under the voices.",
            measured,
            threshold,
        )
    findings = []
    for start, end in bad:
        low = min(m for m, wa, wb in margins if wa * BLOCK_S >= start and wb * BLOCK_S <= end)
        findings.append(
            QcFinding(
                f"The music is only {low:.1f} dB under the narration at {sp.clock(start)} "
                f"(shot {track.shot(start)}; needs {min_db:g} dB).",
                start=start,
                end=end,
                shot=track.shot(start),
            )
        )
    return failed("music_under_speech", findings, measured, threshold)


def judge_black(black: Sequence[Span], track: Track, min_s: float) -> QcCheck:
    threshold: dict[str, Json] = {"min_s": min_s}
    stretches = [s for s in sp.merge(black, gap=1.5 / track.fps) if s[1] - s[0] >= min_s]
    measured: dict[str, Json] = {
        "longest_s": round(max((b - a for a, b in sp.merge(black)), default=0.0), 3),
        "stretches": len(stretches),
    }
    if not stretches:
        return passed("black", "No black stretches.", measured, threshold)
    findings = [
        QcFinding(
            f"The picture is black from {sp.clock(a)} to {sp.clock(b)} ({b - a:.1f} s, "
            f"{_shots(track, a, b)}).",
            start=a,
            end=b,
            shot=track.shot(a),
        )
        for a, b in stretches
    ]
    return failed("black", findings, measured, threshold)


def judge_freeze(
    frozen: Sequence[Span], black: Sequence[Span], track: Track, min_s: float
) -> QcCheck:
    """Frozen stretches the timeline did not ask for: planned stills and black are left out
    (a black stretch is the black check's to report)."""
    threshold: dict[str, Json] = {"min_s": min_s}
    excused = [*track.stills, *black]
    unplanned = [
        piece for span in frozen for piece in sp.subtract(span, excused) if piece[1] - piece[0]
    ]
    stretches = [s for s in unplanned if s[1] - s[0] >= min_s - 1e-6]
    measured: dict[str, Json] = {
        "longest_unplanned_s": round(max((b - a for a, b in unplanned), default=0.0), 3),
        "planned_stills": len(track.stills),
    }
    if not stretches:
        return passed(
            "freeze", "The picture only stands still where asked to.", measured, threshold
        )
    findings = [
        QcFinding(
            f"Shot {track.shot(a)} stands still from {sp.clock(a)} to {sp.clock(b)} "
            f"({b - a:.1f} s) though it should move.",
            start=a,
            end=b,
            shot=track.shot(a),
        )
        for a, b in stretches
    ]
    return failed("freeze", findings, measured, threshold)


def judge_narration_silent(speech: Sequence[Span], track: Track, min_s: float) -> QcCheck:
    threshold: dict[str, Json] = {"max_silence_s": min_s}
    if not track.narration:
        return skipped("narration_silent", "No narration is planned.")
    findings: list[QcFinding] = []
    longest = 0.0
    for planned in track.narration:
        for a, b in sp.subtract(planned, speech):
            longest = max(longest, b - a)
            if b - a >= min_s:
                shot = track.shot(planned[0])
                findings.append(
                    QcFinding(
                        f"Shot {shot}'s narration is silent from {sp.clock(a)} to "
                        f"{sp.clock(b)} ({b - a:.1f} s).",
                        start=a,
                        end=b,
                        shot=shot,
                    )
                )
    measured: dict[str, Json] = {"longest_silence_s": round(longest, 3)}
    if not findings:
        return passed("narration_silent", "Every planned narration is heard.", measured, threshold)
    return failed("narration_silent", findings, measured, threshold)


def judge_unplanned_speech(audio: AudioMeasurements, track: Track, min_s: float) -> QcCheck:
    threshold: dict[str, Json] = {"max_s": min_s}
    stretches = [s for s in sp.merge(audio.other_speech, gap=0.3) if s[1] - s[0] >= min_s]
    measured: dict[str, Json] = {
        "speech_s": round(sp.total(audio.other_speech), 3),
        "stretches": len(stretches),
    }
    if not stretches:
        return passed(
            "unplanned_speech", "No one speaks where no narration is planned.", measured, threshold
        )
    findings = []
    for a, b in stretches:
        first, last = int(a / BLOCK_S), max(int(a / BLOCK_S) + 1, int(b / BLOCK_S))
        in_music = _power(audio.music_db, first, last) > _power(audio.voice_db, first, last)
        where = "in the music" if in_music else f"in shot {track.shot(a)}'s own sound"
        findings.append(
            QcFinding(
                f"Someone speaks {where} from {sp.clock(a)} to {sp.clock(b)}, where no "
                "narration is planned.",
                start=a,
                end=b,
                shot=track.shot(a),
            )
        )
    return failed("unplanned_speech", findings, measured, threshold)


def cue_offset(cue: Cue, earlier: Sequence[Cue], speech: Sequence[Span]) -> float | None:
    """Seconds between ``cue``'s start and the speech it carries (None: it carries none).

    The speech it carries is the first stretch of speech while it shows. If that started
    before the cue and an earlier cue was up at its start, this cue continues a sentence the
    earlier one began: it is on time (0). Otherwise the offset is from that stretch's onset.
    """
    heard = sp.intersect(speech, (cue.start, cue.end))
    if not heard:
        return None
    onset = next(a for a, b in speech if b > cue.start and a < cue.end)
    if onset >= cue.start:
        return onset - cue.start
    if any(c.start <= onset + 1e-3 and c.end >= onset - 1e-3 for c in earlier):
        return 0.0
    return cue.start - onset


def judge_cue_timing(
    cues: Sequence[Cue], speech: Sequence[Span], track: Track, max_ms: float
) -> QcCheck:
    threshold: dict[str, Json] = {"max_ms": max_ms}
    if not cues:
        return skipped("cue_timing", "There are no subtitles.")
    findings: list[QcFinding] = []
    worst = 0.0
    ordered = sorted(cues, key=lambda c: c.start)
    for index, cue in enumerate(ordered):
        offset = cue_offset(cue, ordered[:index], speech)
        shot = track.shot(cue.start)
        text = _quote(cue.text)
        if offset is None:
            findings.append(
                QcFinding(
                    f"The subtitle {text} in shot {shot} ({sp.clock(cue.start)}) shows while "
                    "no one speaks.",
                    start=cue.start,
                    end=cue.end,
                    shot=shot,
                )
            )
            continue
        worst = max(worst, offset)
        if offset * 1000 > max_ms:
            onset = _onset(cue, speech)
            when = "before" if onset >= cue.start else "after"
            findings.append(
                QcFinding(
                    f"The subtitle {text} in shot {shot} appears {offset:.2f} s {when} its "
                    f"words are spoken ({sp.clock(cue.start)}; within {max_ms / 1000:g} s "
                    "needed).",
                    start=cue.start,
                    end=cue.end,
                    shot=shot,
                )
            )
    measured: dict[str, Json] = {"worst_offset_ms": round(worst * 1000, 1), "cues": len(cues)}
    if not findings:
        return passed("cue_timing", "Every subtitle appears with its words.", measured, threshold)
    return failed("cue_timing", findings, measured, threshold)


def _onset(cue: Cue, speech: Sequence[Span]) -> float:
    return next(a for a, b in speech if b > cue.start and a < cue.end)


def safe_box(width: int, height: int, fraction: float) -> Box:
    """The title-safe area: the centred ``fraction`` of the frame each way."""
    mx, my = width * (1 - fraction) / 2, height * (1 - fraction) / 2
    return Box(round(mx), round(my), round(width - mx), round(height - my))


def judge_safe_area(
    boxes: Sequence[Box | None],
    cues: Sequence[Cue],
    track: Track,
    *,
    width: int,
    height: int,
    fraction: float,
) -> QcCheck:
    threshold: dict[str, Json] = {"safe_area": fraction}
    if not cues:
        return skipped("subtitle_safe_area", "There are no subtitles.")
    safe = safe_box(width, height, fraction)
    findings: list[QcFinding] = []
    worst = 0
    for cue, box in zip(cues, boxes, strict=True):
        if box is None:
            continue
        over = max(
            safe.left - box.left,
            box.right - safe.right,
            safe.top - box.top,
            box.bottom - safe.bottom,
        )
        worst = max(worst, over)
        if over > 0:
            shot = track.shot(cue.start)
            findings.append(
                QcFinding(
                    f"The subtitle {_quote(cue.text)} in shot {shot} ({sp.clock(cue.start)}) "
                    f"reaches {over} px past the title-safe area ({fraction:.0%} of the frame).",
                    start=cue.start,
                    end=cue.end,
                    shot=shot,
                )
            )
    measured: dict[str, Json] = {"worst_overflow_px": worst, "cues": len(cues)}
    if not findings:
        return passed(
            "subtitle_safe_area", "Subtitles stay inside the title-safe area.", measured, threshold
        )
    return failed("subtitle_safe_area", findings, measured, threshold)


def _lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def judge_subtitle_lines(cues: Sequence[Cue], track: Track, max_lines: int) -> QcCheck:
    """At most ``max_lines`` lines per cue. A bilingual cue's second language is counted on
    its own: the layout gives each language up to two lines (the second smaller, under the
    first), so "at most two lines" holds per language, which is what a reader reads at once."""
    threshold: dict[str, Json] = {"max_lines": max_lines}
    if not cues:
        return skipped("subtitle_lines", "There are no subtitles.")
    findings: list[QcFinding] = []
    most = 0
    for cue in cues:
        lines, second = _lines(cue.text), _lines(cue.second)
        most = max(most, lines, second)
        if lines > max_lines or second > max_lines:
            shot = track.shot(cue.start)
            which = f"{lines} lines" if lines > max_lines else f"{second} lines of translation"
            findings.append(
                QcFinding(
                    f"The subtitle {_quote(cue.text)} in shot {shot} ({sp.clock(cue.start)}) "
                    f"has {which} (at most {max_lines}).",
                    start=cue.start,
                    end=cue.end,
                    shot=shot,
                )
            )
    measured: dict[str, Json] = {"most_lines": most, "cues": len(cues)}
    if not findings:
        return passed(
            "subtitle_lines", f"No subtitle has more than {max_lines} lines.", measured, threshold
        )
    return failed("subtitle_lines", findings, measured, threshold)


def _quote(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"


def _shots(track: Track, a: float, b: float) -> str:
    first, last = track.shot(a), track.shot(max(a, b - 1e-3))
    return f"shot {first}" if first == last else f"shots {first}–{last}"
