"""A CMX3600 edit decision list through the ``otio-cmx3600-adapter`` (the cmx_3600 adapter that
``opentimelineio-plugins`` 0.18 ships): the picture track only, as EDLs are, with a dissolve
event for every transition and a ``* LOC`` locator per shot carrying its narration."""

from __future__ import annotations

import copy
from pathlib import Path

import opentimelineio as otio

from storyreel.exports.otio import UrlFor, build_timeline, relative_url, write_beside_media
from storyreel.exports.package import Gathered, RenderFiles

ADAPTER = "cmx_3600"

HOW = (
    "An EDL holds only the picture cut. DaVinci Resolve: import the pictures folder into the "
    "Media Pool, then File > Import > Timeline and pick the .edl; Premiere Pro: File > Import. "
    "Add voices/ and music/ by hand, or use the FCP7 XML export, which carries them."
)


def edl_timeline(g: Gathered, url_for: UrlFor = relative_url) -> otio.schema.Timeline:
    """The picture track alone, each shot's marker moved onto its clip (EDL locators belong
    to events) and named with its narration."""
    full = build_timeline(g, url_for)
    pictures = copy.deepcopy(full.video_tracks()[0])
    timeline = otio.schema.Timeline(name=full.name, global_start_time=full.global_start_time)
    clips = [c for c in pictures if isinstance(c, otio.schema.Clip)]
    for clip, marker, shot in zip(clips, full.tracks.markers, g.shots, strict=True):
        source = clip.source_range
        assert source is not None
        clip.markers.append(
            otio.schema.Marker(
                name=f"SHOT {shot.number}: {shot.narration}",
                marked_range=otio.opentime.TimeRange(
                    source.start_time, otio.opentime.RationalTime(0, source.start_time.rate)
                ),
                color=marker.color,
            )
        )
    timeline.tracks.append(pictures)
    return timeline


def write_edl(files: RenderFiles, folder: Path, name: str, url_for: UrlFor | None = None) -> Path:
    """``folder/name.edl`` beside the media."""
    return write_beside_media(
        files, folder, f"{name}.edl", HOW, build=edl_timeline, adapter=ADAPTER, url_for=url_for
    )
