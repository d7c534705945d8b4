"""Every export of a real finished render, read back with the library that reads that format
(zipfile, OpenTimelineIO and its FCP7 and CMX3600 adapters, pyJianYingDraft) and compared
with the render: clip count and order, durations to the frame, narration and subtitle text."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import opentimelineio as otio
import pyJianYingDraft as jy
import pytest

from storyreel.db.repositories import projects as projects_repo
from storyreel.domain.project import ProjectOptions
from storyreel.domain.timeline import Timeline, parse_timeline_json
from storyreel.exports.jianying import DRAFT_PLACEHOLDER
from storyreel.media.probe import probe
from storyreel.media.subtitles import Cue, build_srt
from storyreel.pipeline.errors import Conflict, InvalidInput
from storyreel.pipeline.exports import export_project, render_files
from storyreel.pipeline.project import create_project
from tests.exports.conftest import Rendered

pytestmark = pytest.mark.slow


def _reference(rendered: Rendered) -> tuple[Timeline, list[str]]:
    files = render_files(rendered.platform, rendered.project_id)
    return files.timeline, [s.narration for s in files.shots]


def _picture_names(rendered: Rendered) -> list[str]:
    """The exported pictures' names: ``001-<shot id>.png`` in shot order."""
    files = render_files(rendered.platform, rendered.project_id)
    return [
        f"{shot.number:03d}-{shot.key}{Path(clip.source).suffix}"
        for shot, clip in zip(files.shots, files.timeline.clips, strict=True)
    ]


def _visible_seconds(tl: Timeline) -> list[float]:
    """Each clip from the middle of its entry transition to the middle of its exit one."""
    starts = tl.clip_starts()
    mids = [0.0] + [
        s + c.transition.duration / 2 for s, c in zip(starts[1:], tl.clips[1:], strict=True)
    ]
    return [b - a for a, b in zip(mids, [*mids[1:], tl.duration], strict=True)]


def _unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        (top,) = {n.split("/")[0] for n in zf.namelist()}
        zf.extractall(into)
    return into / top


def _check_otio(
    read: otio.schema.Timeline, tl: Timeline, narrations: list[str], names: list[str]
) -> None:
    fps = tl.canvas.fps
    (pictures,) = read.video_tracks()
    clips = [c for c in pictures if isinstance(c, otio.schema.Clip)]
    assert [c.name for c in clips] == names
    for clip, seconds in zip(clips, _visible_seconds(tl), strict=True):
        assert abs(clip.duration().to_seconds() - seconds) <= 1 / fps + 1e-9
    assert abs(pictures.duration().to_seconds() - tl.duration) <= 1 / fps + 1e-9
    # Every storyreel transition is an editor's dissolve of the same length, with handles.
    joins = [t for t in pictures if isinstance(t, otio.schema.Transition)]
    expected = [c.transition.duration for c in tl.clips if c.transition.type != "cut"]
    assert len(joins) == len(expected) >= 1
    for join, seconds in zip(joins, expected, strict=True):
        assert abs((join.in_offset + join.out_offset).to_seconds() - seconds) <= 1 / fps
    for clip in clips:
        available, used = clip.available_range(), clip.source_range
        assert available.start_time <= used.start_time - otio.opentime.RationalTime(fps / 2, fps)
        assert used.end_time_exclusive() <= available.end_time_exclusive()
    markers = list(read.tracks.markers)
    assert [m.name for m in markers] == [f"Shot {k}" for k in range(1, len(tl.clips) + 1)]
    comments = [m.comment or m.metadata.get("fcp_xml", {}).get("comment") for m in markers]
    assert comments == narrations
    narration, *music = read.audio_tracks()
    voices = [c for c in narration if isinstance(c, otio.schema.Clip)]
    assert len(voices) == len(tl.narration)
    for voice, n in zip(voices, tl.narration, strict=True):
        assert abs(voice.range_in_parent().start_time.to_seconds() - n.start) <= 1 / fps
    assert len(music) == (1 if tl.music is not None else 0)


def test_the_bundle_holds_the_film_its_subtitles_storyboard_timeline_and_media(
    rendered: Rendered, tmp_path: Path
) -> None:
    tl, narrations = _reference(rendered)
    written = export_project(
        rendered.platform, rendered.project_id, "bundle", tmp_path / "film.zip"
    )
    assert written.filename.endswith(".zip") and written.media_type == "application/zip"
    folder = _unzip(written.path, tmp_path / "out")
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"video.mp4", "subtitles.srt", "subtitles.ass", "storyboard.json", "timeline.json"} <= (
        names
    )
    assert "README.txt" in names
    assert sum(n.startswith("pictures/") for n in names) == len(tl.clips)
    assert sum(n.startswith("voices/") for n in names) == len(tl.narration)
    assert any(n.startswith("music/") for n in names) == (tl.music is not None)

    # The timeline renders again from the folder: every path it names is in it.
    bundled = parse_timeline_json((folder / "timeline.json").read_text(encoding="utf-8"))
    sources = [c.source for c in bundled.clips] + [n.source for n in bundled.narration]
    assert all((folder / s).is_file() for s in sources)
    assert [c.duration for c in bundled.clips] == [c.duration for c in tl.clips]
    assert [c.motion for c in bundled.clips] == [c.motion for c in tl.clips]

    # The video is the render's, and the timeline lasts as long as it does.
    info = probe(folder / "video.mp4")
    assert info.video is not None and info.audio is not None and info.duration is not None
    assert abs(info.duration - bundled.duration) < 0.1
    with rendered.platform.session() as s:
        render = projects_repo.latest_render(s, rendered.project_id)
        assert render is not None
        video = projects_repo.asset(s, render.video_asset_id)
        assert video is not None
    assert (folder / "video.mp4").stat().st_size == video.size

    board = json.loads((folder / "storyboard.json").read_text(encoding="utf-8"))
    assert [s["narration"] for s in board["shots"]] == narrations
    srt = (folder / "subtitles.srt").read_text(encoding="utf-8")
    assert srt == build_srt([Cue(c.start, c.end, c.text, c.second) for c in tl.subtitles])
    ass = (folder / "subtitles.ass").read_text(encoding="utf-8")
    assert ass.startswith("[Script Info]") and ass.count("Dialogue:") >= len(tl.subtitles)
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert all(n in readme for n in narrations)


def test_otio_reads_back_with_its_media_beside_it(rendered: Rendered, tmp_path: Path) -> None:
    tl, narrations = _reference(rendered)
    written = export_project(rendered.platform, rendered.project_id, "otio", tmp_path / "o.zip")
    assert written.filename.endswith(" - otio.zip")
    folder = _unzip(written.path, tmp_path / "out")
    (otio_file,) = folder.glob("*.otio")
    read = otio.adapters.read_from_file(str(otio_file))
    _check_otio(read, tl, narrations, _picture_names(rendered))
    # Media URLs are relative to the .otio file, so the folder can move.
    for clip in read.find_clips():
        url = clip.media_reference.target_url
        assert not url.startswith(("file:", "/")) and (folder / url).is_file(), url
    assert (folder / "subtitles.srt").is_file()


def test_otioz_carries_its_media_inside(rendered: Rendered, tmp_path: Path) -> None:
    tl, narrations = _reference(rendered)
    written = export_project(rendered.platform, rendered.project_id, "otioz", tmp_path / "f.otioz")
    assert written.filename.endswith(".otioz")
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    read = otio.adapters.read_from_file(str(written.path), extract_to_directory=str(unpacked))
    _check_otio(read, tl, narrations, _picture_names(rendered))
    media = sorted(p.name for p in (unpacked / "media").iterdir())
    assert set(_picture_names(rendered)) <= set(media)
    voices = [m for m in media if m.endswith(".wav") and m != "music.wav"]
    assert len(voices) == len(tl.narration)
    assert len(media) == len(tl.clips) + len(voices) + (1 if tl.music is not None else 0)


def test_fcp7_xml_reads_back_with_its_dissolves_and_shot_markers(
    rendered: Rendered, tmp_path: Path
) -> None:
    tl, narrations = _reference(rendered)
    written = export_project(rendered.platform, rendered.project_id, "fcp7", tmp_path / "x.zip")
    folder = _unzip(written.path, tmp_path / "out")
    (xml,) = folder.glob("*.xml")
    read = otio.adapters.read_from_file(str(xml), adapter_name="fcp_xml")
    _check_otio(read, tl, narrations, _picture_names(rendered))
    names = [t.name for t in read.video_tracks()[0] if isinstance(t, otio.schema.Transition)]
    kinds = [c.transition.type for c in tl.clips if c.transition.type != "cut"]
    assert names == [
        "Dip to Color Dissolve" if kind == "fade" else "Cross Dissolve" for kind in kinds
    ]
    text = xml.read_text(encoding="utf-8")
    assert "<width>1280</width>" in text or f"<width>{tl.canvas.width}</width>" in text


def test_fcp7_names_media_under_a_given_media_root(rendered: Rendered, tmp_path: Path) -> None:
    written = export_project(
        rendered.platform,
        rendered.project_id,
        "fcp7",
        tmp_path / "abs",
        zipped=False,
        media_root="D:\\Films\\My story",
    )
    (xml,) = written.path.glob("*.xml")
    read = otio.adapters.read_from_file(str(xml), adapter_name="fcp_xml")
    urls = [c.media_reference.target_url for c in read.find_clips()]
    assert urls and all(u.startswith("file:///D:/Films/My%20story/") for u in urls), urls


def test_the_edl_is_the_picture_cut_with_dissolves_and_narration_locators(
    rendered: Rendered, tmp_path: Path
) -> None:
    tl, narrations = _reference(rendered)
    written = export_project(
        rendered.platform, rendered.project_id, "edl", tmp_path / "e", zipped=False
    )
    (edl,) = written.path.glob("*.edl")
    fps = tl.canvas.fps
    read = otio.adapters.read_from_file(str(edl), adapter_name="cmx_3600", rate=fps)
    (track,) = read.video_tracks()
    clips = [c for c in track if isinstance(c, otio.schema.Clip)]
    assert [c.name for c in clips] == _picture_names(rendered)
    # An EDL dissolve starts at its event's record-in: each clip's event begins where the
    # render starts the clip, and each dissolve lasts as long as the render's overlap.
    starts = tl.clip_starts()
    for clip, start in zip(clips, starts, strict=True):
        assert abs(clip.range_in_parent().start_time.to_seconds() - start) <= 1 / fps + 1e-9
    assert abs(track.duration().to_seconds() - tl.duration) <= 1 / fps + 1e-9
    joins = [t for t in track if isinstance(t, otio.schema.Transition)]
    expected = [c.transition.duration for c in tl.clips if c.transition.type != "cut"]
    assert len(joins) == len(expected) >= 1
    for join, seconds in zip(joins, expected, strict=True):
        assert abs((join.in_offset + join.out_offset).to_seconds() - seconds) <= 1 / fps
    located = " ".join(m.name for c in clips for m in c.markers)
    for number, narration in enumerate(narrations, start=1):
        assert f"SHOT {number}: {narration.upper()}" in located


def test_the_jianying_draft_has_moves_transitions_voices_music_and_subtitles(
    rendered: Rendered, tmp_path: Path
) -> None:
    tl, _ = _reference(rendered)
    drafts = tmp_path / "drafts"
    written = export_project(
        rendered.platform, rendered.project_id, "jianying", drafts / "Story", zipped=False
    )
    assert written.path == drafts / "Story"
    script = jy.DraftFolder(str(drafts)).load_template("Story")
    tracks = {t.name: t for t in script.imported_tracks}
    assert set(tracks) == {"pictures", "narration", "music", "subtitles"}
    content = json.loads((written.path / "draft_content.json").read_text(encoding="utf-8"))
    raw = {t["name"]: t["segments"] for t in content["tracks"]}

    fps = tl.canvas.fps
    pictures = raw["pictures"]
    assert len(pictures) == len(tl.clips)
    at = 0
    for seg, seconds in zip(pictures, _visible_seconds(tl), strict=True):
        span = seg["target_timerange"]
        assert span["start"] == at  # butted end to end, cut to cut
        assert abs(span["duration"] / 1e6 - seconds) <= 1 / fps + 1e-6
        at += span["duration"]
    assert abs(script.duration / 1e6 - tl.duration) <= 1 / fps

    # Ken Burns as keyframes: a zoom grows the scale, a pan moves the picture sideways.
    for seg, clip in zip(pictures, tl.clips, strict=True):
        frames = {k["property_type"]: k["keyframe_list"] for k in seg["common_keyframes"]}
        if clip.motion.type == "none":
            assert not frames
            continue
        scale = [kf["values"][0] for kf in frames["KFTypeScaleX"]]
        x = [kf["values"][0] for kf in frames["KFTypePositionX"]]
        y = [kf["values"][0] for kf in frames["KFTypePositionY"]]
        moved = {
            "zoom_in": scale[-1] > scale[0],
            "zoom_out": scale[-1] < scale[0],
            "pan_left": x[-1] > x[0],
            "pan_right": x[-1] < x[0],
            "pan_up": y[-1] < y[0],
            "pan_down": y[-1] > y[0],
        }
        assert moved[clip.motion.type], (clip.motion, scale, x, y)

    transitions = content["materials"]["transitions"]
    expected = [c.transition for c in tl.clips if c.transition.type != "cut"]
    assert [t["duration"] for t in transitions] == [round(t.duration * 1e6) for t in expected]

    voices = raw["narration"]
    assert [round(v["target_timerange"]["start"] / 1e6, 3) for v in voices] == [
        n.start for n in tl.narration
    ]
    fades = {f["id"]: f for f in content["materials"]["audio_fades"]}
    music = raw["music"]
    assert music and music[0]["target_timerange"]["start"] == 0
    assert sum(m["target_timerange"]["duration"] for m in music) == at
    first_fade = next(fades[r] for r in music[0]["extra_material_refs"] if r in fades)
    assert first_fade["fade_in_duration"] == round(tl.music.fade_in * 1e6)  # type: ignore[union-attr]
    assert any(k["property_type"] == "KFTypeVolume" for k in music[0]["common_keyframes"])

    texts = [json.loads(t["content"])["text"] for t in content["materials"]["texts"]]
    assert texts == [c.text for c in tl.subtitles]
    assert len(raw["subtitles"]) == len(tl.subtitles)

    # Media paths name the draft's own folder through JianYing's placeholder, so the folder
    # works wherever it is copied; the files are inside it.
    paths = [m["path"] for kind in ("videos", "audios") for m in content["materials"][kind]]
    assert paths and all(p.startswith(f"{DRAFT_PLACEHOLDER}/Resources/") for p in paths)
    for p in paths:
        assert (written.path / p.removeprefix(f"{DRAFT_PLACEHOLDER}/")).is_file()
    assert str(tmp_path) not in (written.path / "draft_content.json").read_text(encoding="utf-8")
    meta = json.loads((written.path / "draft_meta_info.json").read_text(encoding="utf-8"))
    assert meta["draft_name"] == "Story"


def test_a_project_without_a_finished_render_is_refused(rendered: Rendered, tmp_path: Path) -> None:
    with rendered.platform.session() as s:
        project, _ = create_project(
            s, rendered.platform.kinds, "A short story.", ProjectOptions(auto=False)
        )
        pid = project.id
    with pytest.raises(Conflict, match="no finished render"):
        export_project(rendered.platform, pid, "bundle", tmp_path / "x.zip")
    with pytest.raises(InvalidInput, match="unknown export format"):
        export_project(rendered.platform, rendered.project_id, "fcpxml", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
