"""A JianYing (剪映) / CapCut draft, written with ``pyJianYingDraft`` 0.3.

Tracks: ``pictures`` (one segment per shot, cut to cut, its Ken Burns move as scale and position
keyframes and its transition into the next shot), ``narration`` (the voices, with short fades),
``music`` (the bed, faded in and out, ducked under the voices by volume keyframes) and
``subtitles`` (a text segment per cue).

The media is copied into the draft's own ``Resources/`` folder and every path in
``draft_content.json`` is written as JianYing's draft-folder placeholder
(``##_draftpath_placeholder_<uuid>_##/Resources/...``), which JianYing resolves to wherever the
draft folder is, so the folder can be copied to any Windows or macOS machine's drafts folder.
"""

from __future__ import annotations

import json
import math
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pyJianYingDraft as jy
from pyJianYingDraft import assets as jy_assets

from storyreel.domain.timeline import IMAGE_SUFFIXES, Motion
from storyreel.exports.cuts import Cut, cuts
from storyreel.exports.package import Gathered, RenderFiles, gather, write_text

#: JianYing replaces this prefix with the draft's own folder when it opens the draft.
DRAFT_PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
RESOURCES = "Resources"
CONTENT = "draft_content.json"
META = "draft_meta_info.json"

PICTURES_TRACK = "pictures"
NARRATION_TRACK = "narration"
MUSIC_TRACK = "music"
SUBTITLES_TRACK = "subtitles"

_T = jy.TransitionType
# storyreel transition → JianYing's nearest built-in (free) transition.
TRANSITIONS: dict[str, Any] = {
    "fade": _T.闪黑,
    "crossfade": _T.叠化,
    "dissolve": _T.叠化,
    "wipe_left": _T.向左擦除,
    "wipe_right": _T.向右擦除,
    "wipe_up": _T.向上擦除,
    "wipe_down": _T.向下擦除,
    "slide_left": _T.左移,
    "slide_right": _T.右移,
    "slide_up": _T.上移,
    "slide_down": _T.下移,
    "smooth_left": _T.左移,
    "smooth_right": _T.右移,
    "circle_open": _T.圆形遮罩,
    "circle_close": _T.圆形遮罩,
    "radial": _T.圆形扫描,
    "pixelize": _T.马赛克,
    "zoom": _T.推近,
}

NARRATION_FADE_IN_S = 0.03
NARRATION_FADE_OUT_S = 0.08
# The music dips under the voices as the render's sidechain ducking does (about -10 dB),
# drawn with volume keyframes: JianYing has no ducking of its own.
DUCK_GAIN = 0.3
DUCK_ATTACK_S = 0.1
DUCK_RELEASE_S = 0.4
# Eased moves are drawn with this many linear keyframe steps (JianYing keyframes are linear).
EASE_STEPS = 8
SUBTITLE_Y = -0.8  # half-canvas heights from the centre: JianYing's own subtitle position


@dataclass(frozen=True)
class Frame:
    """A picture's framing: scale (1 = fitted inside the canvas) and position in half-canvas
    units (x right, y up), as JianYing's keyframes take them."""

    scale: float
    x: float
    y: float


def motion_frame(motion: Motion, progress: float, cover: float) -> Frame:
    """The framing at ``progress`` (0..1) of a move, matching the renderer's Ken Burns
    (``media.plan``): the visible window zooms or slides over the picture fitted to cover."""
    p = min(1.0, max(0.0, progress))
    if motion.easing == "ease_in_out":
        p = 0.5 - 0.5 * math.cos(math.pi * p)
    s = motion.strength
    if motion.type == "none" or s == 0:
        return Frame(cover, 0.0, 0.0)
    if motion.type in ("zoom_in", "zoom_out"):
        zoom = 1 + s * (p if motion.type == "zoom_in" else 1 - p)
        return Frame(cover * zoom, 0.0, 0.0)
    zoom = 1 + s
    # The window's centre, as a fraction of the frame from its centre: a pan travels the free
    # margin (1 - 1/zoom) from one side to the other.
    free = 1 - 1 / zoom
    along = {
        "pan_left": free * (0.5 - p),
        "pan_right": free * (p - 0.5),
        "pan_up": free * (0.5 - p),
        "pan_down": free * (p - 0.5),
    }[motion.type]
    # Showing the window centred means moving the picture the other way, scaled by the zoom.
    shift = -2 * zoom * along
    if motion.type in ("pan_left", "pan_right"):
        return Frame(cover * zoom, shift, 0.0)
    return Frame(cover * zoom, 0.0, -shift)  # JianYing's y points up, the picture's down


def _us(frame: int, fps: float) -> int:
    return round(frame * 1_000_000 / fps)


def _sec_us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def cover_scale(width: int, height: int, canvas_w: int, canvas_h: int) -> float:
    """JianYing fits a picture inside the canvas; the render fills the canvas with it."""
    fit = min(canvas_w / width, canvas_h / height)
    fill = max(canvas_w / width, canvas_h / height)
    return fill / fit


def build_draft(g: Gathered) -> Any:
    """The draft's script (a ``pyJianYingDraft.ScriptFile``) of a gathered render."""
    tl = g.timeline
    fps = tl.canvas.fps
    w, h = tl.canvas.width, tl.canvas.height
    script = jy.ScriptFile(w, h, round(fps), False)
    pictures = script.append_track(jy.TrackSpec(jy.TrackType.video, PICTURES_TRACK))
    narration = script.append_track(jy.TrackSpec(jy.TrackType.audio, NARRATION_TRACK))
    music_track = script.append_track(jy.TrackSpec(jy.TrackType.audio, MUSIC_TRACK))
    subtitles = script.append_track(jy.TrackSpec(jy.TrackType.text, SUBTITLES_TRACK))

    all_cuts = cuts(tl)
    segments = [_picture(g, cut, fps, w, h) for cut in all_cuts]
    for cut, prev in zip(all_cuts[1:], segments, strict=False):
        if cut.before + cut.after > 0:
            kind = TRANSITIONS.get(cut.transition, _T.叠化)
            prev.add_transition(kind, duration=_us(cut.before + cut.after, fps))
    for seg in segments:
        script.add_segment(seg, pictures)

    voice_spans: list[tuple[int, int]] = []
    total_us = _us(all_cuts[-1].cut_out, fps)
    starts = [_sec_us(n.start) for n in tl.narration]
    for i, n in enumerate(tl.narration):
        material = jy.AudioMaterial(str(g.file(n.source)))
        limit = min(starts[i + 1] if i + 1 < len(starts) else total_us, total_us)
        duration = min(material.duration, limit - starts[i])
        if duration <= 0:
            continue
        seg = jy.AudioSegment(material, jy.Timerange(starts[i], duration), volume=n.volume)
        seg.add_fade(_sec_us(NARRATION_FADE_IN_S), _sec_us(NARRATION_FADE_OUT_S))
        script.add_segment(seg, narration)
        voice_spans.append((starts[i], starts[i] + duration))

    if tl.music is not None:
        for seg in _music(g, total_us, voice_spans):
            script.add_segment(seg, music_track)

    style = jy.TextStyle(size=6.0, align=1, auto_wrapping=True, max_line_width=0.82)
    border = jy.TextBorder(width=40.0)
    for cue in tl.subtitles:
        start, end = _sec_us(cue.start), min(_sec_us(cue.end), total_us)
        if end <= start:
            continue
        text = f"{cue.text}\n{cue.second}" if cue.second.strip() else cue.text
        script.add_segment(
            jy.TextSegment(
                text,
                jy.Timerange(start, end - start),
                style=style,
                border=border,
                clip_settings=jy.ClipSettings(transform_y=SUBTITLE_Y),
            ),
            subtitles,
        )
    return script


def _picture(g: Gathered, cut: Cut, fps: float, w: int, h: int) -> Any:
    clip = g.timeline.clips[cut.index]
    material = jy.VideoMaterial(str(g.file(clip.source)))
    start, end = _us(cut.cut_in, fps), _us(cut.cut_out, fps)
    duration = end - start
    still = PurePosixPath(clip.source).suffix.lower() in IMAGE_SUFFIXES
    source_at = 0 if still else _sec_us(clip.source_start) + _us(cut.head, fps)
    source_at = max(0, min(source_at, material.duration - duration))
    seg = jy.VideoSegment(
        material,
        jy.Timerange(start, duration),
        source_timerange=jy.Timerange(source_at, duration),
    )
    if clip.motion.type == "none" or clip.motion.strength == 0:
        if still:
            cover = cover_scale(material.width, material.height, w, h)
            seg.clip_settings = jy.ClipSettings(scale_x=cover, scale_y=cover)
        return seg
    cover = cover_scale(material.width, material.height, w, h)
    steps = EASE_STEPS if clip.motion.easing == "ease_in_out" else 1
    last = max(1, cut.length - 1)
    for k in range(steps + 1):
        frame = round(cut.visible * k / steps)
        at = motion_frame(clip.motion, (cut.head + frame) / last, cover)
        offset = min(_us(frame, fps), duration)
        seg.add_keyframe(jy.KeyframeProperty.uniform_scale, offset, at.scale)
        seg.add_keyframe(jy.KeyframeProperty.position_x, offset, at.x)
        seg.add_keyframe(jy.KeyframeProperty.position_y, offset, at.y)
    return seg


def _music(g: Gathered, total_us: int, voices: list[tuple[int, int]]) -> list[Any]:
    music = g.timeline.music
    assert music is not None
    material = jy.AudioMaterial(str(g.file(music.source)))
    segments: list[Any] = []
    at = 0
    while at < total_us and material.duration > 0:
        duration = min(material.duration, total_us - at)
        segments.append(jy.AudioSegment(material, jy.Timerange(at, duration), volume=music.volume))
        at += duration
        if not music.loop:
            break
    for i, seg in enumerate(segments):
        fade_in = _sec_us(music.fade_in) if i == 0 else 0
        fade_out = _sec_us(music.fade_out) if i == len(segments) - 1 else 0
        if fade_in or fade_out:
            seg.add_fade(min(fade_in, seg.duration), min(fade_out, seg.duration))
        if music.duck:
            _duck(seg, music.volume, voices)
    return segments


def _duck(seg: Any, volume: float, voices: list[tuple[int, int]]) -> None:
    """Volume keyframes that dip the music while a voice speaks within ``seg``."""
    start, length = seg.start, seg.duration
    low = volume * DUCK_GAIN
    points: dict[int, float] = {}
    for a, b in voices:
        if b <= start or a >= start + length:
            continue
        down, up = a - _sec_us(DUCK_ATTACK_S), b + _sec_us(DUCK_RELEASE_S)
        for t, v in ((down, volume), (a, low), (b, low), (up, volume)):
            offset = min(max(t - start, 0), length)
            # Where a release meets the next attack, the quieter level wins.
            points[offset] = min(points.get(offset, v), v)
    if not points:
        return
    points.setdefault(0, volume)
    points.setdefault(length, volume)
    for offset in sorted(points):
        seg.add_keyframe(offset, points[offset])


def _placeholder_paths(content: dict[str, Any], draft_dir: Path) -> None:
    """Every material path under the draft folder rewritten as JianYing's placeholder."""
    prefix = str(draft_dir.resolve())
    for kind in ("videos", "audios"):
        for material in content.get("materials", {}).get(kind, []):
            path = str(material.get("path", ""))
            if path.startswith(prefix):
                rel = Path(path).resolve().relative_to(draft_dir.resolve()).as_posix()
                material["path"] = f"{DRAFT_PLACEHOLDER}/{rel}"


def _meta(draft_dir: Path, script: Any) -> None:
    path = draft_dir / META
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(
        {
            "draft_id": str(uuid.uuid4()).upper(),
            "draft_name": draft_dir.name,
            "draft_fold_path": "",
            "draft_root_path": "",
            "tm_duration": script.duration,
            "draft_timeline_materials_size_": 0,
        }
    )
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=4), encoding="utf-8")


README = """{title}
{rule}

A JianYing (剪映) / CapCut draft of this storyreel film: {shots} shots, {seconds:.1f} s.

Open it: copy this whole folder into JianYing's drafts folder and restart JianYing (or go back
to its home screen); the draft "{name}" appears in the drafts list.

  JianYing, Windows: %LOCALAPPDATA%\\JianyingPro\\User Data\\Projects\\com.lveditor.draft
  JianYing, macOS:   ~/Movies/JianyingPro/User Data/Projects/com.lveditor.draft
  CapCut, Windows:   %LOCALAPPDATA%\\CapCut\\User Data\\Projects\\com.lveditor.draft
  CapCut, macOS:     ~/Movies/CapCut/User Data/Projects/com.lveditor.draft

(JianYing shows the folder it uses under Settings > Draft location / 设置 > 草稿位置.)

The media is in {resources}/ inside this folder and the draft names it relative to the folder,
so keep the folder whole. If JianYing still reports missing media, use 链接媒体 / Relink media
and pick any file in {resources}/: the others are found beside it. See docs/exports.md.
"""


def write_jianying(files: RenderFiles, draft_dir: Path) -> Path:
    """The draft folder ``draft_dir`` (its name is the draft's name in JianYing)."""
    if draft_dir.exists() and any(draft_dir.iterdir()):
        raise FileExistsError(f"{draft_dir} exists and is not empty")
    g = gather(files, draft_dir / RESOURCES)
    script = build_draft(g)
    content = json.loads(script.dumps())
    _placeholder_paths(content, draft_dir)
    write_text(draft_dir / CONTENT, json.dumps(content, ensure_ascii=False, indent=4))
    shutil.copyfile(jy_assets.get_asset_path("DRAFT_META_TEMPLATE"), draft_dir / META)
    _meta(draft_dir, script)
    tl = g.timeline
    write_text(
        draft_dir / "README.txt",
        README.format(
            title=files.title,
            rule="=" * max(3, len(files.title)),
            shots=len(tl.clips),
            seconds=tl.duration,
            name=draft_dir.name,
            resources=RESOURCES,
        ),
    )
    return draft_dir
