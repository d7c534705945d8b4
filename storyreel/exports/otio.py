"""OpenTimelineIO: the render's edit as an ``.otio`` beside its media, or an ``.otioz`` with the
media inside; the FCP7 XML and EDL exports are written from the same OTIO timeline.

Tracks: ``Pictures`` (one clip per shot, cut to cut, with a dissolve on every storyreel
transition), ``Narration`` and ``Music``. Stills get one second of handle either side (a still
has as many frames as asked for), so an editor can lengthen any transition; moving clips keep
the frames their file has. Each shot is a marker on the timeline named ``Shot N`` whose comment
is its narration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from storyreel.domain.timeline import IMAGE_SUFFIXES, Motion
from storyreel.exports.cuts import Cut, cuts, frames
from storyreel.exports.package import Gathered, RenderFiles, gather, write_text

#: Spare frames either side of a still, in seconds.
STILL_HANDLE_S = 1.0
NAMESPACE = "storyreel"
FCP = "fcp_xml"

# FCP7's own transitions: a dip through black for storyreel's "fade", a dissolve for the rest
# (FCP7 XML has no wipes or slides that Premiere and Resolve both map).
_FCP_DISSOLVE = "Cross Dissolve"
_FCP_DIP = "Dip to Color Dissolve"

#: How a media path of the export folder is written into the timeline file.
UrlFor = Callable[[str], str]


def relative_url(rel: str) -> str:
    """A URL relative to the timeline file (the folder's own layout)."""
    return quote(rel, safe="/")


def file_url(path: Path) -> str:
    return str(otio.url_utils.url_from_filepath(str(path.resolve())))


def media_root_url(root: str) -> UrlFor:
    """URLs under the folder's place on the editing machine (``D:\\Films\\Story`` or
    ``/Users/me/Films/Story``), for editors that want absolute paths."""
    base = root.replace("\\", "/").rstrip("/")
    if not base.startswith("/"):
        base = "/" + base  # a Windows drive: file:///D:/...
    return lambda rel: "file://" + quote(f"{base}/{rel}", safe="/:")


def rt(value: int, fps: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(value, fps)


def span(start: int, duration: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(rt(start, fps), rt(duration, fps))


@dataclass(frozen=True)
class PicturePlacement:
    """Where a clip's visible frames sit in its media (stills: after the head handle)."""

    media_start: int
    available: int


def picture_placement(g: Gathered, cut: Cut) -> PicturePlacement:
    tl = g.timeline
    fps = tl.canvas.fps
    clip = tl.clips[cut.index]
    if PurePosixPath(clip.source).suffix.lower() in IMAGE_SUFFIXES:
        handle = frames(STILL_HANDLE_S, fps)
        return PicturePlacement(handle + cut.head, handle + cut.length + handle)
    offset = frames(clip.source_start, fps)
    known = g.seconds.get(clip.source)
    available = frames(known, fps) if known else offset + cut.length
    return PicturePlacement(offset + cut.head, max(available, offset + cut.length))


def motion_meta(motion: Motion) -> dict[str, Any]:
    return {"type": motion.type, "strength": motion.strength, "easing": motion.easing}


def build_timeline(g: Gathered, url_for: UrlFor = relative_url) -> otio.schema.Timeline:
    """The OTIO timeline of a gathered render, its media named through ``url_for``."""
    tl = g.timeline
    fps = tl.canvas.fps
    total = frames(tl.duration, fps)
    timeline = otio.schema.Timeline(name=g.title, global_start_time=rt(0, fps))
    timeline.metadata[FCP] = _sequence_format(tl.canvas.width, tl.canvas.height)
    timeline.metadata[NAMESPACE] = {
        "version": 1,
        "canvas": {"width": tl.canvas.width, "height": tl.canvas.height, "fps": fps},
        "quality": tl.output.quality,
    }
    pictures = otio.schema.Track(name="Pictures", kind=otio.schema.TrackKind.Video)
    for cut, shot in zip(cuts(tl), g.shots, strict=True):
        clip = tl.clips[cut.index]
        if cut.index > 0 and cut.before + cut.after > 0:
            pictures.append(_transition(cut, fps))
        place = picture_placement(g, cut)
        name = PurePosixPath(clip.source).name
        pictures.append(
            otio.schema.Clip(
                name=name,
                media_reference=otio.schema.ExternalReference(
                    target_url=url_for(clip.source),
                    available_range=span(0, place.available, fps),
                    # Pictures have no sound: without this the FCP7 writer declares audio.
                    metadata={FCP: {"media": {"video": {}}}},
                ),
                source_range=span(place.media_start, cut.visible, fps),
                metadata={
                    NAMESPACE: {
                        "shot": shot.number,
                        "key": shot.key,
                        "narration": shot.narration,
                        "motion": motion_meta(clip.motion),
                        "transition_in": {
                            "type": clip.transition.type,
                            "seconds": clip.transition.duration,
                        },
                    }
                },
            )
        )
        timeline.tracks.markers.append(
            otio.schema.Marker(
                name=f"Shot {shot.number}",
                marked_range=span(cut.cut_in, cut.visible, fps),
                color=otio.schema.MarkerColor.GREEN,
                comment=shot.narration,
                metadata={FCP: {"comment": shot.narration}, NAMESPACE: {"key": shot.key}},
            )
        )
    timeline.tracks.append(pictures)
    timeline.tracks.append(_narration_track(g, fps, total, url_for))
    if tl.music is not None:
        timeline.tracks.append(_music_track(g, fps, total, url_for))
    return timeline


def _transition(cut: Cut, fps: float) -> otio.schema.Transition:
    fcp_name = _FCP_DIP if cut.transition == "fade" else _FCP_DISSOLVE
    effect: dict[str, Any] = {
        "name": fcp_name,
        "effectid": fcp_name,
        "effectcategory": "Dissolve",
        "effecttype": "transition",
        "mediatype": "video",
    }
    return otio.schema.Transition(
        name=cut.transition,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=rt(cut.before, fps),
        out_offset=rt(cut.after, fps),
        metadata={FCP: {"effect": effect}, NAMESPACE: {"type": cut.transition}},
    )


def _audio_clip(
    name: str, url: str, start: int, duration: int, available: int, fps: float, meta: Any
) -> otio.schema.Clip:
    return otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(
            target_url=url, available_range=span(0, max(available, start + duration), fps)
        ),
        source_range=span(start, duration, fps),
        metadata={NAMESPACE: meta},
    )


def _narration_track(g: Gathered, fps: float, total: int, url_for: UrlFor) -> otio.schema.Track:
    tl = g.timeline
    track = otio.schema.Track(name="Narration", kind=otio.schema.TrackKind.Audio)
    at = 0
    starts = [frames(n.start, fps) for n in tl.narration]
    for i, n in enumerate(tl.narration):
        start = max(starts[i], at)
        limit = starts[i + 1] if i + 1 < len(starts) else total
        known = g.seconds.get(n.source)
        length = frames(known, fps) if known else limit - start
        duration = min(length, limit - start, total - start)
        if duration <= 0:
            continue
        if start > at:
            track.append(otio.schema.Gap(source_range=span(0, start - at, fps)))
        track.append(
            _audio_clip(
                PurePosixPath(n.source).name,
                url_for(n.source),
                0,
                duration,
                length,
                fps,
                {"volume": n.volume, "shot": i + 1},
            )
        )
        at = start + duration
    return track


def _music_track(g: Gathered, fps: float, total: int, url_for: UrlFor) -> otio.schema.Track:
    music = g.timeline.music
    assert music is not None
    track = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    known = g.seconds.get(music.source)
    length = frames(known, fps) if known else total
    meta = {
        "volume": music.volume,
        "duck": music.duck,
        "fade_in": music.fade_in,
        "fade_out": music.fade_out,
    }
    at = 0
    while at < total and length > 0:
        duration = min(length, total - at)
        track.append(
            _audio_clip(
                PurePosixPath(music.source).name,
                url_for(music.source),
                0,
                duration,
                length,
                fps,
                meta,
            )
        )
        at += duration
        if not music.loop:
            break
    return track


def _sequence_format(width: int, height: int) -> dict[str, Any]:
    """The sequence's frame size for FCP7 XML (Premiere and Resolve size the timeline by it)."""
    return {
        "media": {
            "video": {
                "format": {
                    "samplecharacteristics": {
                        "width": width,
                        "height": height,
                        "anamorphic": "FALSE",
                        "pixelaspectratio": "square",
                        "fielddominance": "none",
                    }
                }
            }
        }
    }


# --- writing ---------------------------------------------------------------------------------


def readme(g: Gathered, timeline_file: str, how: str) -> str:
    lines = [
        g.title,
        "=" * max(3, len(g.title)),
        "",
        f"{timeline_file}: the film's edit ({len(g.timeline.clips)} shots) for an editor.",
        "pictures/, voices/, music/: the media it uses; keep them beside the timeline file.",
        "subtitles.srt: the subtitles, to import onto a subtitle track.",
        "",
        how,
        "",
    ]
    return "\n".join(lines)


Build = Callable[[Gathered, UrlFor], otio.schema.Timeline]


def write_beside_media(
    files: RenderFiles,
    folder: Path,
    target_name: str,
    how: str,
    *,
    build: Build = build_timeline,
    adapter: str | None = None,
    url_for: UrlFor | None = None,
) -> Path:
    """``folder/target_name`` (an OTIO, FCP7 or EDL timeline, by ``adapter``) beside the media
    it uses, with the subtitles and a README saying how to open it."""
    g = gather(files, folder)
    target = folder / target_name
    timeline = build(g, url_for or relative_url)
    if adapter is None:
        otio.adapters.write_to_file(timeline, str(target))
    else:
        otio.adapters.write_to_file(timeline, str(target), adapter_name=adapter)
    write_text(folder / "subtitles.srt", files.srt)
    write_text(folder / "README.txt", readme(g, target.name, how))
    return target


def write_otio(files: RenderFiles, folder: Path, name: str, url_for: UrlFor | None = None) -> Path:
    """``folder/name.otio`` beside the media (relative URLs unless ``url_for`` says otherwise)."""
    how = (
        "DaVinci Resolve: File > Import > Timeline, pick the .otio file. Other editors: "
        "see docs/exports.md."
    )
    return write_beside_media(files, folder, f"{name}.otio", how, url_for=url_for)


def write_otioz(files: RenderFiles, dest: Path, work: Path) -> Path:
    """One ``.otioz`` file: the timeline and every media file it uses, zipped."""
    g = gather(files, work)
    timeline = build_timeline(g, lambda rel: file_url(g.file(rel)))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.part.otioz")
    tmp.unlink(missing_ok=True)
    try:
        otio.adapters.write_to_file(timeline, str(tmp), adapter_name="otioz")
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
