"""The API's shapes the app uses, as small typed records read from its JSON.

Written by hand from ``web/openapi.json`` (``ProjectSummary``, ``ProjectOut``, ``ShotOut``,
``RenderOut``, ``AssetOut``…), keeping only the fields a window shows. ``tests/desktop/
test_models.py`` checks every field read here is one the OpenAPI document declares, so a
renamed field fails a test instead of a window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Json = Mapping[str, Any]

# The schema each record is read from, for the test that holds them to web/openapi.json.
SCHEMAS: dict[str, str] = {}


def _schema(name: str) -> Any:
    def mark(cls: Any) -> Any:
        SCHEMAS[cls.__name__] = name
        return cls

    return mark


def _opt_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@_schema("TokenOut")
@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int

    @classmethod
    def from_json(cls, data: Json) -> Tokens:
        return cls(str(data["access_token"]), str(data["refresh_token"]), int(data["expires_in"]))


@_schema("UserOut")
@dataclass(frozen=True)
class User:
    id: str
    email: str
    display_name: str

    @classmethod
    def from_json(cls, data: Json) -> User:
        return cls(str(data["id"]), str(data["email"]), str(data["display_name"]))


@_schema("AssetOut")
@dataclass(frozen=True)
class Asset:
    """A stored file; ``url`` is a signed link relative to the server, valid a few minutes."""

    id: str
    kind: str
    mime: str
    size: int
    url: str

    @classmethod
    def from_json(cls, data: Json) -> Asset:
        return cls(
            str(data["id"]), str(data["kind"]), str(data["mime"]), int(data["size"]), data["url"]
        )

    @classmethod
    def maybe(cls, data: Json | None) -> Asset | None:
        return cls.from_json(data) if data else None


@_schema("TaskState")
@dataclass(frozen=True)
class TaskState:
    id: str
    status: str
    progress: float

    @classmethod
    def from_json(cls, data: Json) -> TaskState:
        return cls(str(data["id"]), str(data["status"]), float(data["progress"]))

    @property
    def active(self) -> bool:
        return self.status in ("blocked", "queued", "running")


def _task_states(data: Json | None) -> dict[str, TaskState]:
    return {kind: TaskState.from_json(t) for kind, t in (data or {}).items()}


ProjectStatus = Literal["draft", "running", "failed", "done"]


@_schema("ProjectSummary")
@dataclass(frozen=True)
class ProjectSummary:
    id: str
    title: str
    status: ProjectStatus
    style: str
    aspect: str
    shot_count: int
    duration: float | None
    poster: Asset | None

    @classmethod
    def from_json(cls, data: Json) -> ProjectSummary:
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            status=data["status"],
            style=str(data["style"]),
            aspect=str(data["aspect"]),
            shot_count=int(data["shot_count"]),
            duration=_opt_float(data["duration"]),
            poster=Asset.maybe(data["poster"]),
        )


@_schema("ShotOut")
@dataclass(frozen=True)
class Shot:
    id: str
    position: int
    narration: str
    visual_prompt: str
    image: Asset | None
    voice: Asset | None
    voice_seconds: float | None
    tasks: dict[str, TaskState]

    @classmethod
    def from_json(cls, data: Json) -> Shot:
        return cls(
            id=str(data["id"]),
            position=int(data["position"]),
            narration=str(data["narration"]),
            visual_prompt=str(data["visual_prompt"]),
            image=Asset.maybe(data["image"]),
            voice=Asset.maybe(data["voice"]),
            voice_seconds=_opt_float(data["voice_seconds"]),
            tasks=_task_states(data["tasks"]),
        )


@_schema("RenderOut")
@dataclass(frozen=True)
class Render:
    id: str
    quality: str
    duration: float
    width: int
    height: int
    video: Asset | None
    poster: Asset | None
    srt: Asset | None

    @classmethod
    def from_json(cls, data: Json) -> Render:
        return cls(
            id=str(data["id"]),
            quality=str(data["quality"]),
            duration=float(data["duration"]),
            width=int(data["width"]),
            height=int(data["height"]),
            video=Asset.maybe(data["video"]),
            poster=Asset.maybe(data["poster"]),
            srt=Asset.maybe(data["srt"]),
        )


@_schema("ProjectOut")
@dataclass(frozen=True)
class Project:
    id: str
    title: str
    status: ProjectStatus
    access: str
    quality: str
    duration: float | None
    shots: tuple[Shot, ...]
    latest_render: Render | None
    tasks: dict[str, TaskState]

    @classmethod
    def from_json(cls, data: Json) -> Project:
        render = data["latest_render"]
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            status=data["status"],
            access=str(data["access"]),
            quality=str(data["quality"]),
            duration=_opt_float(data["duration"]),
            shots=tuple(
                sorted((Shot.from_json(s) for s in data["shots"]), key=lambda s: s.position)
            ),
            latest_render=Render.from_json(render) if render else None,
            tasks=_task_states(data["tasks"]),
        )

    @property
    def writable(self) -> bool:
        return self.access == "write"


@_schema("StyleOut")
@dataclass(frozen=True)
class Style:
    id: str
    label: str
    label_zh: str
    default: bool

    @classmethod
    def from_json(cls, data: Json) -> Style:
        return cls(
            str(data["id"]), str(data["label"]), str(data["label_zh"]), bool(data["default"])
        )


@_schema("VoiceOut")
@dataclass(frozen=True)
class Voice:
    id: str
    label: str
    language: str

    @classmethod
    def from_json(cls, data: Json) -> Voice:
        return cls(str(data["id"]), str(data["label"]), str(data["language"]))


@_schema("TaskOut")
@dataclass(frozen=True)
class Task:
    id: str
    kind: str
    status: str
    progress: float

    @classmethod
    def from_json(cls, data: Json) -> Task:
        return cls(str(data["id"]), str(data["kind"]), str(data["status"]), float(data["progress"]))


@dataclass(frozen=True)
class TaskEvent:
    """A ``{"type": "task", …}`` frame of the WebSocket (see ``api/routes/events.py``)."""

    seq: int | None
    task_id: str
    kind: str
    project_id: str | None
    shot_id: str | None
    status: str
    progress: float

    @classmethod
    def from_json(cls, data: Json) -> TaskEvent:
        seq = data.get("seq")
        return cls(
            seq=int(seq) if isinstance(seq, int) else None,
            task_id=str(data["task_id"]),
            kind=str(data["kind"]),
            project_id=data.get("project_id"),
            shot_id=data.get("shot_id"),
            status=str(data["status"]),
            progress=float(data.get("progress") or 0.0),
        )


Aspect = Literal["16:9", "9:16", "1:1"]
Quality = Literal["preview", "final"]


@dataclass(frozen=True)
class NewProject:
    """What the new-project dialog asks for: pasted text or a document, and the options."""

    story: str = ""
    document: Path | None = None
    title: str = ""
    style: str = "cinematic"
    aspect: Aspect = "16:9"
    voice: str = "auto"
    target_seconds: float | None = None
    quality: Quality = "final"
    max_shots: int | None = None
    music: str = "auto"

    def fields(self) -> dict[str, Any]:
        """The ``ProjectIn`` / ``ProjectUpload`` fields besides the story itself."""
        out: dict[str, Any] = {
            "style": self.style,
            "aspect": self.aspect,
            "voice": self.voice,
            "quality": self.quality,
            "music": self.music,
        }
        if self.title.strip():
            out["title"] = self.title.strip()
        if self.target_seconds:
            out["target_seconds"] = self.target_seconds
        if self.max_shots:
            out["max_shots"] = self.max_shots
        return out
