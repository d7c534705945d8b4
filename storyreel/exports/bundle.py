"""The bundle: the whole film in one zip — the video, its subtitles (SRT and ASS), the storyboard,
the timeline and every picture, voice and music file it names, with a README of the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from storyreel.exports.package import (
    MUSIC,
    PICTURES,
    VOICES,
    Gathered,
    RenderFiles,
    gather,
    write_text,
    zip_folder,
)

VIDEO = "video.mp4"
SRT = "subtitles.srt"
ASS = "subtitles.ass"
STORYBOARD = "storyboard.json"
TIMELINE = "timeline.json"
README = "README.txt"


def write_bundle(files: RenderFiles, dest: Path, work: Path, name: str) -> Path:
    """Write the bundle zip to ``dest`` (its files under ``name/``), building it in ``work``."""
    folder = work / name
    gathered = gather(files, folder)
    shutil.copyfile(files.video, folder / VIDEO)
    write_text(folder / SRT, files.srt)
    write_text(folder / ASS, files.ass)
    write_text(folder / STORYBOARD, files.storyboard_json.rstrip() + "\n")
    write_text(folder / TIMELINE, gathered.timeline.model_dump_json(indent=2) + "\n")
    write_text(folder / README, readme(gathered))
    return zip_folder(folder, dest, prefix=name)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:05.2f}"


def readme(g: Gathered) -> str:
    tl = g.timeline
    lines = [
        g.title,
        "=" * max(3, len(g.title)),
        "",
        f"A storyreel film: {len(tl.clips)} shots, {_clock(tl.duration)} "
        f"({tl.canvas.width}x{tl.canvas.height} at {tl.canvas.fps:g} fps in the timeline).",
        "",
        "What is in this folder",
        "----------------------",
        f"{VIDEO:<18} the rendered film (H.264 video, AAC audio)",
        f"{SRT:<18} the subtitles as SRT (most players and editors import it)",
        f"{ASS:<18} the same subtitles as ASS, styled as they are burnt into the video",
        f"{STORYBOARD:<18} the storyboard: title, characters and every shot's narration and prompt",
        f"{TIMELINE:<18} the edit (storyreel timeline format v1); its paths are relative to",
        f"{'':<18} this folder, so `storyreel render timeline.json -o again.mp4` renders it again",
        f"{PICTURES + '/':<18} one picture (or moving clip) per shot, numbered in order",
        f"{VOICES + '/':<18} one narration recording per shot",
    ]
    if tl.music is not None:
        lines.append(f"{MUSIC + '/':<18} the music bed under the whole film")
    lines += ["", "Shots", "-----"]
    starts = tl.clip_starts()
    for shot, clip, start in zip(g.shots, tl.clips, starts, strict=True):
        lines.append(
            f"{shot.number:>3}. {_clock(start)}  {clip.duration:5.2f} s  {clip.source}  "
            f"[{clip.motion.type}, in: {clip.transition.type}]"
        )
        lines.append(f"     {shot.narration}")
    lines += [
        "",
        "To edit the film in JianYing/CapCut, DaVinci Resolve or Premiere, export it in their",
        "formats instead (storyreel export PROJECT --format jianying|otio|fcp7|edl).",
        "",
    ]
    return "\n".join(lines)
