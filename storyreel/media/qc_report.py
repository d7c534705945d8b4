"""The quality check's report (checks, findings, JSON for the renders table) and what its
judges are given: the timeline's layout (``Track``) and the soundtrack's measurements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from storyreel.domain.timeline import Timeline
from storyreel.media import spans as sp
from storyreel.media.audio import MixSpec
from storyreel.media.plan import RenderPlan

Span = sp.Span
CheckName = Literal[
    "av_sync",
    "loudness",
    "true_peak",
    "music_under_speech",
    "black",
    "freeze",
    "narration_silent",
    "unplanned_speech",
    "cue_timing",
    "subtitle_safe_area",
    "subtitle_lines",
]
CHECK_NAMES: tuple[str, ...] = get_args(CheckName)
Status = Literal["pass", "fail", "skipped"]
Outcome = Literal["ok", "attention", "failed"]
Json = float | int | str | bool | None
REPORT_VERSION = 1
#: Levels are kept and compared in blocks of this many seconds.
BLOCK_S = 0.1
# How often to list a problem that recurs before summing up the rest.
_LISTED = 3


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QcFinding:
    """One place where a check failed: when, in which shot, and what is wrong there."""

    message: str
    start: float | None = None
    end: float | None = None
    shot: int | None = None  # 1-based, the clip on screen (shot N of a storyboard)

    def to_dict(self) -> dict[str, Json]:
        return {"message": self.message, "start": self.start, "end": self.end, "shot": self.shot}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QcFinding:
        return cls(
            message=str(data["message"]),
            start=data.get("start"),
            end=data.get("end"),
            shot=data.get("shot"),
        )


@dataclass(frozen=True)
class QcCheck:
    """One check's verdict: what was measured, against which threshold, in plain words."""

    name: CheckName
    status: Status
    message: str
    measured: dict[str, Json] = field(default_factory=dict)
    threshold: dict[str, Json] = field(default_factory=dict)
    findings: tuple[QcFinding, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "measured": dict(self.measured),
            "threshold": dict(self.threshold),
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QcCheck:
        name, status = data["name"], data["status"]
        if name not in CHECK_NAMES or status not in get_args(Status):
            raise ValueError(f"not a quality check: {name!r} ({status!r})")
        return cls(
            name=name,
            status=status,
            message=str(data["message"]),
            measured=dict(data.get("measured", {})),
            threshold=dict(data.get("threshold", {})),
            findings=tuple(QcFinding.from_dict(f) for f in data.get("findings", ())),
        )


@dataclass(frozen=True)
class QcReport:
    """Every check of one render; JSON-able (``to_dict``) for the renders table."""

    checks: tuple[QcCheck, ...]
    elapsed_s: float = 0.0
    version: int = REPORT_VERSION

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[QcCheck]:
        return [c for c in self.checks if c.failed]

    def check(self, name: CheckName) -> QcCheck:
        return next(c for c in self.checks if c.name == name)

    @property
    def summary(self) -> str:
        """The reasons, one sentence per failed check ('' when all passed)."""
        return " ".join(c.message for c in self.failures)

    def outcome(self, on_failure: Literal["attention", "fail"]) -> Outcome:
        """What the render becomes: done, done but needing attention, or failed."""
        if self.ok:
            return "ok"
        return "failed" if on_failure == "fail" else "attention"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ok": self.ok,
            "elapsed_s": round(self.elapsed_s, 3),
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QcReport:
        return cls(
            checks=tuple(QcCheck.from_dict(c) for c in data["checks"]),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            version=int(data.get("version", REPORT_VERSION)),
        )


def passed(
    name: CheckName, message: str, measured: dict[str, Json], threshold: dict[str, Json]
) -> QcCheck:
    return QcCheck(name, "pass", message, measured, threshold)


def skipped(name: CheckName, why: str) -> QcCheck:
    return QcCheck(name, "skipped", why)


def failed(
    name: CheckName,
    findings: Sequence[QcFinding],
    measured: dict[str, Json],
    threshold: dict[str, Json],
) -> QcCheck:
    """A failure whose message lists the first few findings and counts the rest."""
    listed = " ".join(f.message for f in findings[:_LISTED])
    more = len(findings) - _LISTED
    if more > 0:
        listed += f" ({more} more like this.)"
    return QcCheck(name, "fail", listed, measured, threshold, tuple(findings))


# --- what the judges are given --------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """Where things are on the timeline: clips (for naming shots), narration and stills."""

    clip_starts: tuple[float, ...]
    clip_ends: tuple[float, ...]
    narration: tuple[Span, ...]  # planned: each item's start to the end of its audio
    stills: tuple[Span, ...]  # clips asked to stand still (an image with camera motion none)
    duration: float
    fps: float

    def shot(self, t: float) -> int:
        return sp.shot_at(t, self.clip_starts)


def track_of(timeline: Timeline, plan: RenderPlan, spec: MixSpec) -> Track:
    """The judges' view of a timeline. ``spec.voices`` must begin with one layer per narration
    item, in order (as the renderer's ``mix_spec`` builds it): their lengths are the narration
    files' real lengths, which the timeline does not hold."""
    items = timeline.narration
    layers = spec.voices[: len(items)]
    if len(layers) != len(items) or any(
        abs(layer.start - item.start) > 1e-6 for layer, item in zip(layers, items, strict=True)
    ):
        raise ValueError("spec.voices must start with the timeline's narration, in order")
    starts = timeline.clip_starts()
    ends = [s + c.duration for s, c in zip(starts, timeline.clips, strict=True)]
    kinds = {seg.index: seg.layers[-1].source.kind for seg in plan.segments}
    stills = [
        (s, e)
        for i, (s, e, clip) in enumerate(zip(starts, ends, timeline.clips, strict=True))
        if kinds.get(i) == "image" and (clip.motion.type == "none" or clip.motion.strength == 0)
    ]
    return Track(
        clip_starts=tuple(starts),
        clip_ends=tuple(ends),
        narration=tuple((layer.start, layer.start + layer.duration) for layer in layers),
        stills=tuple(stills),
        duration=plan.duration,
        fps=float(plan.fps),
    )


@dataclass(frozen=True)
class AudioMeasurements:
    """What the stems say: where people speak, and how loud voices and music are."""

    speech: tuple[Span, ...]  # in the voices bus (narration and clips' own sound)
    other_speech: tuple[Span, ...]  # in voices + music, away from planned narration
    voice_db: tuple[float, ...]  # K-weighted power per 100 ms block, dB (-120: silence)
    music_db: tuple[float, ...]
    has_music: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "speech": [list(s) for s in self.speech],
            "other_speech": [list(s) for s in self.other_speech],
            "voice_db": [round(v, 2) for v in self.voice_db],
            "music_db": [round(v, 2) for v in self.music_db],
            "has_music": self.has_music,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudioMeasurements:
        return cls(
            speech=tuple((float(a), float(b)) for a, b in data["speech"]),
            other_speech=tuple((float(a), float(b)) for a, b in data["other_speech"]),
            voice_db=tuple(float(v) for v in data["voice_db"]),
            music_db=tuple(float(v) for v in data["music_db"]),
            has_music=bool(data["has_music"]),
        )
