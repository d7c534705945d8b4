"""What every export is made from, and the media folder they share.

``RenderFiles`` is a finished render as files on this disk (the pipeline fetches them from the
blob store). ``gather`` copies its pictures, voices and music into a folder under stable,
readable names (``pictures/001-s1.png``, ``voices/001-s1.wav``, ``music/music.wav``) and
rewrites the timeline to point there, so each export only writes its own file beside them.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from storyreel.domain.timeline import Timeline

PICTURES = "pictures"
VOICES = "voices"
MUSIC = "music"

# Already compressed: zipping them again costs time and saves nothing.
_STORED_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".webm", ".png", ".jpg", ".jpeg", ".webp", ".mp3", ".m4a", ".aac"}
)


@dataclass(frozen=True)
class ShotNote:
    """The shot behind one clip: its number (from 1), storyboard id and narration."""

    number: int
    key: str
    narration: str


@dataclass(frozen=True)
class RenderFiles:
    """A finished render: its timeline (paths relative to ``base``), one ``ShotNote`` per clip,
    the video, the storyboard and subtitles as text, and each media file's length in seconds
    (keyed by the timeline's path) where it has one."""

    title: str
    timeline: Timeline
    base: Path
    shots: tuple[ShotNote, ...]
    video: Path
    storyboard_json: str
    srt: str
    ass: str
    seconds: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.shots) != len(self.timeline.clips):
            raise ValueError("one ShotNote per clip is required")


@dataclass(frozen=True)
class Gathered:
    """The render's media copied under ``root``; ``timeline`` points at them relative to it."""

    root: Path
    timeline: Timeline
    source: RenderFiles
    seconds: Mapping[str, float]

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def shots(self) -> tuple[ShotNote, ...]:
        return self.source.shots

    def file(self, rel: str) -> Path:
        return self.root / PurePosixPath(rel)


def gather(files: RenderFiles, root: Path) -> Gathered:
    """Copy the render's media into ``root`` and point a copy of its timeline at them."""
    root.mkdir(parents=True, exist_ok=True)
    placed: dict[str, str] = {}

    def place(source: str, folder: str, stem: str) -> str:
        if source in placed:
            return placed[source]
        src = files.base / PurePosixPath(source)
        rel = f"{folder}/{stem}{src.suffix.lower()}"
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # A copy, never a link: the folder is the user's to edit, the blob store is not.
        shutil.copyfile(src, target)
        placed[source] = rel
        return rel

    tl = files.timeline
    clips = [
        c.model_copy(update={"source": place(c.source, PICTURES, _stem(shot))})
        for c, shot in zip(tl.clips, files.shots, strict=True)
    ]
    narration = []
    for i, n in enumerate(tl.narration):
        stem = _stem(files.shots[i]) if i < len(files.shots) else f"{i + 1:03d}"
        narration.append(n.model_copy(update={"source": place(n.source, VOICES, stem)}))
    music = (
        tl.music.model_copy(update={"source": place(tl.music.source, MUSIC, "music")})
        if tl.music is not None
        else None
    )
    timeline = tl.model_copy(update={"clips": clips, "narration": narration, "music": music})
    seconds = {placed[k]: v for k, v in files.seconds.items() if k in placed}
    return Gathered(root=root, timeline=timeline, source=files, seconds=seconds)


def _stem(shot: ShotNote) -> str:
    return f"{shot.number:03d}-{shot.key}"


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def zip_folder(folder: Path, dest: Path, *, prefix: str | None = None) -> Path:
    """``folder``'s files in a zip at ``dest``, under ``prefix/`` (the folder's name by
    default), so unzipping makes one folder; media that is compressed already is stored."""
    top = folder.name if prefix is None else prefix
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                rel = path.relative_to(folder).as_posix()
                arcname = f"{top}/{rel}" if top else rel
                stored = path.suffix.lower() in _STORED_SUFFIXES
                zf.write(path, arcname, compress_type=zipfile.ZIP_STORED if stored else None)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
