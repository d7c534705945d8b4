"""Storyboard + generated media → a render timeline. Pure: no I/O, paths are given.

Shot durations come from the real narration: each clip holds its entry transition, a short
lead-in, the narration, a breath, and the next clip's transition. Subtitles are the narration
split into readable cues, timed in proportion to the audio, or at the words' real times when
the speech provider gives word timings.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from storyreel.domain.storyboard import Aspect, Storyboard
from storyreel.domain.text import detect_language
from storyreel.domain.timeline import (
    Canvas,
    Clip,
    Motion,
    Music,
    Narration,
    Output,
    Subtitle,
    Timeline,
    Transition,
)
from storyreel.providers.base import WordTiming

LEAD_IN = 0.3  # seconds of picture before the voice starts
BREATH = 0.6  # seconds after the voice before the next transition
END_HOLD = 1.2  # the last shot lingers before the music fades
CROSSFADE = 0.5
SCENE_FADE = 0.8  # a new scene fades through black
MIN_CLIP = 1.5

CANVAS_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (1280, 720),
    "9:16": (720, 1280),
    "1:1": (1080, 1080),
}

# Longest cue before we split it: about two subtitle lines.
MAX_CUE_CJK = 30
MAX_CUE_LATIN = 84

_SENTENCE_END = re.compile(r"(?<=[。！？!?…；;])\s*|(?<=[.])\s+")
_CLAUSE_END = re.compile(r"(?<=[，、,：:—])\s*")


@dataclass(frozen=True)
class ShotMedia:
    """What was generated for one shot."""

    image: Path  # a picture, or a video clip when the motion provider animated it
    voice: Path
    voice_seconds: float
    motion: Motion
    words: tuple[WordTiming, ...] | None = None
    #: Bilingual subtitles: the line in the second language (the shot's original narration)
    #: shown under its cues; empty: subtitles in the narration's language only.
    subtitle_second: str = ""


def canvas_for(aspect: Aspect, fps: float = 30) -> Canvas:
    width, height = CANVAS_SIZES[aspect]
    return Canvas(width=width, height=height, fps=fps)


def _is_cjk(text: str) -> bool:
    return detect_language(text, min_share=0.5) == "zh"


def _letters(text: str) -> str:
    """The letters and digits of ``text``, case-folded: what two spellings of it share."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _weight(text: str) -> int:
    """How long a piece takes to say, roughly: its letters and digits."""
    return max(1, sum(1 for ch in text if ch.isalnum()))


def split_cues(text: str) -> list[str]:
    """Narration → readable pieces: sentences, then clauses, then words, each ≤ two lines."""
    limit = MAX_CUE_CJK if _is_cjk(text) else MAX_CUE_LATIN
    pieces: list[str] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(text))):
        pieces.extend(_fit(sentence, limit))
    return pieces or [text.strip()]


def _fit(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    current = ""
    for clause in filter(None, _CLAUSE_END.split(sentence)):
        if current and len(current) + len(clause) > limit:
            out.append(current.strip())
            current = ""
        current += clause if _is_cjk(clause) or not current else f" {clause}".replace("  ", " ")
    if current.strip():
        out.append(current.strip())
    # A clause still too long is left whole: the renderer's layout splits it by time.
    return out


def _join(pieces: list[str]) -> str:
    return "".join(pieces) if all(_is_cjk(p) for p in pieces) else " ".join(pieces)


def _grouped(pieces: list[str], count: int) -> list[list[str]]:
    """``pieces`` in ``count`` consecutive non-empty groups of about equal spoken length."""
    weights = list(itertools.accumulate(_weight(p) for p in pieces))
    total = weights[-1]
    cuts = [0]
    for k in range(1, count):
        lo, hi = cuts[-1] + 1, len(pieces) - (count - k)
        cut = min(range(lo, hi + 1), key=lambda j: abs(weights[j - 1] - total * k / count))
        cuts.append(cut)
    cuts.append(len(pieces))
    return [pieces[a:b] for a, b in itertools.pairwise(cuts)]


def bilingual_cues(text: str, second: str) -> list[tuple[str, str]]:
    """A narration and its second language as cues of both: each side split as ``split_cues``
    does, then the side with more pieces grouped so that both have as many, in order (a
    translation's sentences rarely match one for one)."""
    pieces, others = split_cues(text), split_cues(second)
    count = min(len(pieces), len(others))
    return [
        (_join(a), _join(b))
        for a, b in zip(_grouped(pieces, count), _grouped(others, count), strict=True)
    ]


def cue_times(
    pieces: list[str], start: float, seconds: float, words: tuple[WordTiming, ...] | None
) -> list[tuple[float, float]]:
    """When each piece is on screen: proportional to its length, snapped to word timings."""
    total = sum(_weight(p) for p in pieces)
    times: list[tuple[float, float]] = []
    t = 0.0
    for piece in pieces:
        span = seconds * _weight(piece) / total
        times.append((t, t + span))
        t += span
    if words:
        times = _snap_to_words(pieces, times, words, seconds)
    return [(start + a, start + b) for a, b in times]


def _snap_to_words(
    pieces: list[str],
    times: list[tuple[float, float]],
    words: tuple[WordTiming, ...],
    seconds: float,
) -> list[tuple[float, float]]:
    """Start each cue when its first word is spoken.

    When the provider's words spell the narration (Edge's CJK words, eSpeak's), the word that
    holds each cue's first letter opens it; when they line up with the text's words one for
    one, so does its first word; otherwise snap to the nearest word.
    """
    spelled = list(itertools.accumulate(len(_letters(w.word)) for w in words))
    counts = [len(p.split()) for p in pieces]
    if spelled[-1] and "".join(_letters(w.word) for w in words) == _letters("".join(pieces)):
        firsts, at = [], 0
        for (a, _), piece in zip(times, pieces, strict=True):
            index = bisect.bisect_right(spelled, at)  # the word holding letter `at`
            firsts.append((words[index].start if index < len(words) else a) if at else 0.0)
            at += len(_letters(piece))
    elif sum(counts) == len(words):
        firsts, index = [], 0
        for count in counts:
            firsts.append(words[index].start if index else 0.0)
            index += count
    else:
        boundaries = [w.start for w in words]
        firsts = [min(boundaries, key=lambda x: abs(x - a)) if a > 0 else 0.0 for a, _ in times]
    ends = [*firsts[1:], seconds]
    return [(a, max(a + 0.2, b)) for a, b in zip(firsts, ends, strict=True)]


def transitions_for(board: Storyboard) -> list[Transition]:
    """Cut into the first shot, crossfade within a scene, fade through black between scenes."""
    out = [Transition()]
    for prev, shot in zip(board.shots, board.shots[1:], strict=False):
        if shot.scene != prev.scene:
            out.append(Transition(type="fade", duration=SCENE_FADE))
        else:
            out.append(Transition(type="crossfade", duration=CROSSFADE))
    return out


def clip_durations(board: Storyboard, voice_seconds: list[float]) -> list[float]:
    """Each clip holds its entry transition, a lead-in, the voice, a breath, and its exit."""
    transitions = transitions_for(board)
    out = []
    for i, seconds in enumerate(voice_seconds):
        entry = transitions[i].duration
        exit_ = transitions[i + 1].duration if i + 1 < len(transitions) else 0.0
        tail = END_HOLD if i == len(voice_seconds) - 1 else BREATH
        out.append(round(max(MIN_CLIP, entry + LEAD_IN + seconds + tail + exit_), 3))
    return out


def video_seconds(board: Storyboard, voice_seconds: list[float]) -> float:
    """How long the video of this storyboard lasts, given each shot's narration length."""
    transitions = transitions_for(board)
    return sum(clip_durations(board, voice_seconds)) - sum(t.duration for t in transitions)


def build_timeline(
    board: Storyboard,
    media: list[ShotMedia],
    *,
    base_dir: Path,
    music: Path | None,
    quality: Literal["final", "preview"] = "final",
    fps: float = 30,
) -> Timeline:
    """The render timeline; every path is written relative to ``base_dir``."""
    if len(media) != len(board.shots):
        raise ValueError("one ShotMedia per shot is required")
    transitions = transitions_for(board)
    clips: list[Clip] = []
    narration: list[Narration] = []
    subtitles: list[Subtitle] = []
    start = 0.0
    durations = clip_durations(board, [m.voice_seconds for m in media])
    for i, (shot, m) in enumerate(zip(board.shots, media, strict=True)):
        entry = transitions[i].duration
        exit_ = transitions[i + 1].duration if i + 1 < len(transitions) else 0.0
        duration = durations[i]
        voice_at = start + entry + LEAD_IN
        clips.append(
            Clip(
                source=_rel(m.image, base_dir),
                duration=round(duration, 3),
                motion=m.motion,
                transition=transitions[i],
            )
        )
        narration.append(Narration(source=_rel(m.voice, base_dir), start=round(voice_at, 3)))
        pairs = (
            bilingual_cues(shot.narration, m.subtitle_second)
            if m.subtitle_second.strip()
            else [(piece, "") for piece in split_cues(shot.narration)]
        )
        pieces = [text for text, _ in pairs]
        for (text, second), (a, b) in zip(
            pairs, cue_times(pieces, voice_at, m.voice_seconds, m.words), strict=True
        ):
            subtitles.append(Subtitle(start=round(a, 3), end=round(b, 3), text=text, second=second))
        start += round(duration, 3) - exit_
    music_track = (
        Music(source=_rel(music, base_dir), volume=0.3, duck=True, loop=True)
        if music is not None
        else None
    )
    width, height = CANVAS_SIZES[board.aspect]
    total = sum(c.duration for c in clips) - sum(t.duration for t in transitions)
    return Timeline(
        canvas=Canvas(width=width, height=height, fps=fps),
        clips=clips,
        narration=narration,
        subtitles=_within(subtitles, total),
        music=music_track,
        output=Output(quality=quality),
    )


def _within(subtitles: list[Subtitle], total: float) -> list[Subtitle]:
    """Clamp cues to the video (rounding can push the last one a millisecond past the end)."""
    out = []
    for s in subtitles:
        end = min(s.end, total)
        if end - s.start >= 0.05:
            out.append(s.model_copy(update={"end": round(end, 3)}))
    return out


def _rel(path: Path, base_dir: Path) -> str:
    return path.relative_to(base_dir).as_posix()
