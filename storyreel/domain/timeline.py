"""The timeline format, version 1: the public contract between the pipeline and the renderer.

A timeline is JSON. Paths inside it are relative to the timeline file. See docs/timeline.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MAX_DURATION_S = 3600.0
MIN_CANVAS_PX = 64
MAX_CANVAS_PX = 4096

MotionType = Literal["none", "zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down"]
MOTION_TYPES: tuple[str, ...] = MotionType.__args__  # type: ignore[attr-defined]

# Our transition names and the FFmpeg xfade style that draws each ("cut" needs no filter).
XFADE_STYLES: dict[str, str] = {
    "fade": "fadeblack",
    "crossfade": "fade",
    "dissolve": "dissolve",
    "wipe_left": "wipeleft",
    "wipe_right": "wiperight",
    "wipe_up": "wipeup",
    "wipe_down": "wipedown",
    "slide_left": "slideleft",
    "slide_right": "slideright",
    "slide_up": "slideup",
    "slide_down": "slidedown",
    "smooth_left": "smoothleft",
    "smooth_right": "smoothright",
    "circle_open": "circleopen",
    "circle_close": "circleclose",
    "radial": "radial",
    "pixelize": "pixelize",
    "zoom": "zoomin",
}
TransitionType = Literal[
    "cut",
    "fade",
    "crossfade",
    "dissolve",
    "wipe_left",
    "wipe_right",
    "wipe_up",
    "wipe_down",
    "slide_left",
    "slide_right",
    "slide_up",
    "slide_down",
    "smooth_left",
    "smooth_right",
    "circle_open",
    "circle_close",
    "radial",
    "pixelize",
    "zoom",
]
TRANSITION_TYPES: tuple[str, ...] = TransitionType.__args__  # type: ignore[attr-defined]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".m4v", ".mkv"})
AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac"})

Seconds = Annotated[float, Field(gt=0, le=MAX_DURATION_S)]
Volume = Annotated[float, Field(ge=0, le=4)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Canvas(_Strict):
    """The frame every clip is fitted to."""

    width: int = Field(1280, ge=MIN_CANVAS_PX, le=MAX_CANVAS_PX, multiple_of=2)
    height: int = Field(720, ge=MIN_CANVAS_PX, le=MAX_CANVAS_PX, multiple_of=2)
    fps: float = Field(30, ge=1, le=120)
    background: str = Field("#000000", pattern=r"^#[0-9a-fA-F]{6}$")


class Motion(_Strict):
    """A Ken Burns move over the whole clip; strength is the fraction of the frame travelled."""

    type: MotionType = "none"
    strength: float = Field(0.1, ge=0, le=0.5)
    easing: Literal["linear", "ease_in_out"] = "linear"


class Transition(_Strict):
    """How this clip enters: it overlaps the end of the previous clip by ``duration`` seconds."""

    type: TransitionType = "cut"
    duration: float = Field(0.0, ge=0, le=10)

    @model_validator(mode="after")
    def _cut_has_no_duration(self) -> Transition:
        if self.type == "cut" and self.duration != 0:
            raise ValueError("a 'cut' has no duration; set duration to 0 or pick another type")
        if self.type != "cut" and self.duration == 0:
            raise ValueError(f"a '{self.type}' transition needs a duration > 0 seconds")
        return self


class Clip(_Strict):
    """One picture or video clip on the track."""

    source: str = Field(min_length=1, description="Image (PNG/JPEG/WebP) or video (MP4/MOV/WebM).")
    duration: Seconds
    motion: Motion = Motion()
    transition: Transition = Transition()
    source_start: float = Field(
        0.0, ge=0, le=MAX_DURATION_S, description="Video sources: where in the source to start."
    )
    keep_audio: bool = Field(False, description="Video sources: mix the clip's own audio in.")


class Narration(_Strict):
    source: str = Field(min_length=1)
    start: float = Field(ge=0, le=MAX_DURATION_S)
    volume: Volume = 1.0


class Subtitle(_Strict):
    start: float = Field(ge=0, le=MAX_DURATION_S)
    end: float = Field(gt=0, le=MAX_DURATION_S)
    text: str = Field(max_length=2000)
    second: str = Field(
        "",
        max_length=2000,
        description="A second language's line, drawn smaller under the text (bilingual "
        "subtitles); empty: none.",
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> Subtitle:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Music(_Strict):
    source: str = Field(min_length=1)
    volume: Volume = 0.25
    duck: bool = True
    loop: bool = True
    fade_in: float = Field(1.5, ge=0, le=30)
    fade_out: float = Field(2.5, ge=0, le=30)


class Output(_Strict):
    quality: Literal["final", "preview"] = "final"
    loudness: float = Field(-16.0, ge=-40, le=-5, description="Integrated loudness target, LUFS.")
    true_peak: float = Field(-1.0, ge=-9, le=0, description="Ceiling in dBTP.")


class Timeline(_Strict):
    """A whole video: canvas, clip track, narration, subtitles, music and output settings."""

    version: Literal[1] = 1
    canvas: Canvas = Canvas()
    clips: list[Clip] = Field(min_length=1, max_length=2000)
    narration: list[Narration] = Field(default_factory=list, max_length=2000)
    subtitles: list[Subtitle] = Field(default_factory=list, max_length=10000)
    music: Music | None = None
    output: Output = Output()

    @model_validator(mode="after")
    def _check_rules(self) -> Timeline:
        problems = list(timeline_rule_problems(self))
        if problems:
            raise _RuleErrors(problems)
        return self

    @property
    def duration(self) -> float:
        """Seconds the video lasts: clips back to back, minus what transitions overlap."""
        return sum(c.duration for c in self.clips) - sum(c.transition.duration for c in self.clips)

    def clip_starts(self) -> list[float]:
        """Start time of every clip on the output timeline."""
        starts: list[float] = []
        t = 0.0
        for i, clip in enumerate(self.clips):
            if i > 0:
                t += self.clips[i - 1].duration - clip.transition.duration
            starts.append(t)
        return starts


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a timeline, located by its field path (``clips[2].motion.type``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class _RuleErrors(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class TimelineError(ValueError):
    """A timeline that cannot be rendered; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid timeline ({len(problems)} problem(s)):\n{lines}")


def timeline_rule_problems(tl: Timeline) -> Iterable[Problem]:
    """Rules that span fields: transitions against clip lengths, subtitles against the video."""
    first = tl.clips[0].transition
    if first.type != "cut":
        yield Problem(
            "clips[0].transition",
            "the first clip has no previous clip to transition from; use type 'cut'",
        )
    for i, clip in enumerate(tl.clips[1:], start=1):
        t = clip.transition.duration
        prev = tl.clips[i - 1]
        if t > clip.duration:
            yield Problem(
                f"clips[{i}].transition.duration",
                f"{t:g}s is longer than the clip itself ({clip.duration:g}s)",
            )
        # The previous clip must hold both its own entry and this exit transition.
        if t + prev.transition.duration > prev.duration + 1e-9:
            yield Problem(
                f"clips[{i}].transition.duration",
                f"{t:g}s overlaps the previous clip ({prev.duration:g}s) past its own "
                f"entry transition ({prev.transition.duration:g}s)",
            )
    total = tl.duration
    if total > MAX_DURATION_S:
        yield Problem("clips", f"the video would last {total:g}s; the limit is {MAX_DURATION_S:g}s")
    eps = 1e-6
    for i, sub in enumerate(tl.subtitles):
        if sub.end > total + eps:
            yield Problem(
                f"subtitles[{i}].end",
                f"{sub.end:g}s is after the end of the video ({total:g}s)",
            )
    for i, n in enumerate(tl.narration):
        if n.start >= total:
            yield Problem(
                f"narration[{i}].start",
                f"{n.start:g}s is at or after the end of the video ({total:g}s)",
            )


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
    return out


def _problems_from_validation(err: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        ctx_error = (e.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _RuleErrors):
            problems.extend(ctx_error.problems)
            continue
        # Drop pydantic's union/tag noise from the location (e.g. 'function-after[...]').
        loc = tuple(p for p in e["loc"] if isinstance(p, int) or "[" not in str(p))
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "multiple_of" and e["ctx"].get("multiple_of") == 2:
            message = "must be an even number of pixels (H.264 in 4:2:0 needs even sizes)"
        if e["type"] == "literal_error":
            message = f"unknown value {e['input']!r}; {message[0].lower()}{message[1:]}"
        problems.append(Problem(_loc_to_path(loc), message))
    return problems


# Stand-ins for list items that failed their own checks, so the cross-field rules can still run.
_NEUTRAL_ITEMS: dict[str, dict[str, Any]] = {
    "subtitles": {"start": 0, "end": 0.001, "text": ""},
    "narration": {"source": "-", "start": 0},
}


def _rule_problems_despite(data: Any, err: ValidationError) -> list[Problem]:
    """Cross-field problems for a document whose only field errors are in subtitle/narration items.

    Pydantic skips model-level rules once a field fails; swapping the failed items for neutral
    ones (indices kept) lets us still report, say, another subtitle that runs past the end.
    """
    if not isinstance(data, dict):
        return []
    patched = dict(data)
    for e in err.errors():
        loc = e["loc"]
        if len(loc) < 2 or loc[0] not in _NEUTRAL_ITEMS or not isinstance(loc[1], int):
            return []
        name, index = str(loc[0]), loc[1]
        items = list(patched[name])
        items[index] = _NEUTRAL_ITEMS[name]
        patched[name] = items
    try:
        Timeline.model_validate(patched)
    except ValidationError as again:
        return _problems_from_validation(again)
    return []


def parse_timeline(data: Any) -> Timeline:
    """Validate already-decoded JSON; raise ``TimelineError`` listing every problem."""
    try:
        return Timeline.model_validate(data)
    except ValidationError as err:
        problems = _problems_from_validation(err)
        for extra in _rule_problems_despite(data, err):
            if extra not in problems:
                problems.append(extra)
        raise TimelineError(problems) from None


def parse_timeline_json(text: str) -> Timeline:
    """Validate timeline JSON text; invalid JSON is reported with its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise TimelineError(
            [Problem("", f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}")]
        ) from None
    return parse_timeline(data)


def timeline_json_schema() -> dict[str, Any]:
    """The JSON Schema of timeline version 1 (``storyreel timeline schema`` prints it)."""
    schema = Timeline.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://storyreel.dev/schemas/timeline-v1.json",
        **schema,
    }
