"""Resolve, check and fingerprint the files a timeline names; nothing outside them is ever read."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from storyreel.domain.timeline import (
    AUDIO_SUFFIXES,
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    Problem,
)
from storyreel.media.probe import ProbeError, probe

Kind = Literal["image", "video", "audio"]
Role = Literal["clip", "audio"]
SourceKey = tuple[str, str]  # (role, name as written in the timeline)

# Demuxers forced on FFmpeg per container, so a file is never sniffed into something else.
_IMAGE_DEMUXERS = {
    ".png": "png_pipe",
    ".jpg": "jpeg_pipe",
    ".jpeg": "jpeg_pipe",
    ".webp": "webp_pipe",
}
_ALPHA_PIX_FMTS = ("rgba", "bgra", "argb", "abgr", "ya8", "ya16", "yuva", "gbrap", "pal8")


@dataclass(frozen=True)
class Source:
    """A checked input file: where it is, what it is, and a digest of its bytes."""

    path: Path
    kind: Kind
    demuxer: str
    digest: str
    duration: float | None
    has_alpha: bool = False
    has_audio: bool = False


_digest_cache: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, remembered per (path, size, mtime) for this process."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    cached = _digest_cache.get(key)
    if cached is not None:
        return cached
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    _digest_cache[key] = digest
    return digest


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _allowed_suffixes(role: str) -> frozenset[str]:
    if role == "clip":
        return IMAGE_SUFFIXES | VIDEO_SUFFIXES
    return AUDIO_SUFFIXES | VIDEO_SUFFIXES  # a narration or music track may come in an MP4


def resolve_source(
    name: str, role: str, base_dir: Path, allowed_roots: Iterable[Path] = ()
) -> tuple[Source | None, str | None]:
    """Check one named file; return (source, None) or (None, reason)."""
    raw = Path(name)
    base = base_dir.resolve()
    candidate = raw if raw.is_absolute() else base / raw
    try:
        path = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None, f"file not found: {name}"
    except OSError as err:
        return None, f"cannot read {name}: {err.strerror}"
    roots = [base, *(Path(r).resolve() for r in allowed_roots)]
    if not any(_inside(path, root) for root in roots):
        return None, (
            f"{name} is outside the timeline's folder; move it next to the timeline "
            "or allow its folder explicitly"
        )
    if not path.is_file():
        return None, f"{name} is not a regular file"
    if not os.access(path, os.R_OK):
        return None, f"{name} is not readable (check its permissions)"
    suffix = path.suffix.lower()
    allowed = _allowed_suffixes(role)
    if suffix not in allowed:
        return None, f"unsupported file type {suffix or '(none)'}; use one of {sorted(allowed)}"
    try:
        info = probe(path, decode=True)
    except ProbeError as err:
        return None, str(err)
    if role == "clip":
        if info.video is None:
            return None, f"{name} has no picture"
        if suffix in IMAGE_SUFFIXES:
            kind: Kind = "image"
            demuxer = _IMAGE_DEMUXERS[suffix]
        else:
            kind = "video"
            demuxer = info.format_name.split(",")[0]
        pix = info.video.pix_fmt or ""
        has_alpha = pix.startswith(_ALPHA_PIX_FMTS)
    else:
        if info.audio is None:
            return None, f"{name} has no sound"
        kind, demuxer, has_alpha = "audio", info.format_name.split(",")[0], False
    return (
        Source(
            path=path,
            kind=kind,
            demuxer=demuxer,
            digest=file_digest(path),
            duration=info.duration,
            has_alpha=has_alpha,
            has_audio=info.audio is not None,
        ),
        None,
    )


def named_files(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field path, role, name) of every file a timeline document names, valid or not."""
    found: list[tuple[str, str, str]] = []
    clips = data.get("clips")
    if isinstance(clips, list):
        for i, clip in enumerate(clips):
            if isinstance(clip, dict) and isinstance(clip.get("source"), str):
                found.append((f"clips[{i}].source", "clip", clip["source"]))
    narration = data.get("narration")
    if isinstance(narration, list):
        for i, item in enumerate(narration):
            if isinstance(item, dict) and isinstance(item.get("source"), str):
                found.append((f"narration[{i}].source", "audio", item["source"]))
    music = data.get("music")
    if isinstance(music, dict) and isinstance(music.get("source"), str):
        found.append(("music.source", "audio", music["source"]))
    return found


def resolve_sources(
    data: Mapping[str, Any], base_dir: Path, allowed_roots: Iterable[Path] = ()
) -> tuple[dict[SourceKey, Source], list[Problem]]:
    """Check every file a timeline names; sources are keyed by (role, name in the timeline)."""
    roots = list(allowed_roots)
    sources: dict[SourceKey, Source] = {}
    problems: list[Problem] = []
    checked: dict[tuple[str, str], tuple[Source | None, str | None]] = {}
    for field, role, name in named_files(data):
        key = (role, name)
        if key not in checked:
            checked[key] = resolve_source(name, role, base_dir, roots)
        source, reason = checked[key]
        if source is None:
            problems.append(Problem(field, reason or "unusable file"))
        else:
            sources[key] = source
    return sources, problems
