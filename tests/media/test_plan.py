"""The FFmpeg command builder at the argv level: exact argument lists and filter graphs, no FFmpeg.

As kkroening/ffmpeg-python tests its builders, every test compares a whole list or a whole
string, so a changed option, order or value fails here before it reaches a render.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from storyreel.domain.timeline import Canvas, Clip, Motion, Output, Subtitle, Timeline, Transition
from storyreel.media.plan import (
    RenderPlan,
    Segment,
    build_plan,
    concat_list,
    contact_sheet_command,
    encoding_for,
    frame_grab_command,
    motion_filter,
    mux_command,
    output_size,
    segment_command,
)
from storyreel.media.sources import Source, SourceKey

HEAD = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
TAIL = ["-an", "-progress", "pipe:1", "-nostats", "-f", "mp4", "tmp/out.mp4"]
FIT_1280x720 = (
    "crop=w='min(iw,ih*1280/720)':h='min(ih,iw*720/1280)',"
    "scale=1280:720:flags=lanczos:out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p"
)
TAG = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv[tagged]"
COLOUR_TAGS = [
    "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    "-color_range", "tv",
]  # fmt: skip
# Final quality at 30 fps: a keyframe every 2 s, x264 "medium" at CRF 20.
FINAL_X264_30FPS = [
    "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-profile:v", "high",
    "-pix_fmt", "yuv420p", "-g", "60", "-threads", "0", "-rc-lookahead", "10", *COLOUR_TAGS,
]  # fmt: skip


def still(name: str) -> Source:
    return Source(
        path=Path(f"/media/{name}"),
        kind="image",
        demuxer="png_pipe",
        digest=f"digest-of-{name}",
        duration=None,
    )


def still_input(name: str, fps: str = "30") -> list[str]:
    return [
        "-protocol_whitelist", "file", "-framerate", fps, "-f", "png_pipe",
        "-i", f"file:/media/{name}",
    ]  # fmt: skip


def plan_for(clips: list[Clip], **timeline: Any) -> RenderPlan:
    """The plan of a timeline whose clips are PNG stills under /media (nothing is read)."""
    tl = Timeline(clips=clips, **timeline)
    sources: dict[SourceKey, Source] = {("clip", c.source): still(c.source) for c in clips}
    return build_plan(tl, sources)


def argv(plan: RenderPlan, seg: Segment, ass: str | None = None) -> list[str]:
    return segment_command("ffmpeg", plan, seg, out="tmp/out.mp4", ass=ass)


def graph(command: list[str]) -> str:
    return command[command.index("-filter_complex") + 1]


# --- transitions ------------------------------------------------------------------------------


def test_a_crossfade_blends_the_outgoing_clips_tail_into_the_incoming_clip() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0),
            Clip(
                source="b.png", duration=2.0, transition=Transition(type="crossfade", duration=0.5)
            ),
        ]
    )
    # 3.5 s at 30 fps: a.png alone for 45 frames, then 15 shared frames, then b.png alone.
    assert plan.total_frames == 105
    first, second = plan.segments
    assert (first.start_frame, first.frames, first.entry_frames) == (0, 45, 0)
    assert (second.start_frame, second.frames, second.entry_frames) == (45, 60, 15)

    assert argv(plan, second) == [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-framerate", "30", "-f", "png_pipe",
        "-i", "file:/media/a.png",
        "-protocol_whitelist", "file", "-framerate", "30", "-f", "png_pipe",
        "-i", "file:/media/b.png",
        "-filter_complex",
        # The outgoing still is repeated for the 15 shared frames only, the incoming one for all 60.
        f"[0:v]{FIT_1280x720},loop=loop=14:size=1:start=0,settb=1/30,setpts=N[l0];"
        f"[1:v]{FIT_1280x720},loop=loop=59:size=1:start=0,settb=1/30,setpts=N[l1];"
        "[l0][l1]xfade=transition=fade:duration=0.5:offset=0[mix];"
        f"[mix]{TAG}",
        "-map", "[tagged]",
        "-frames:v", "60", "-r", "30",
        "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", "60", "-threads", "0", "-rc-lookahead", "10",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv",
        "-an", "-progress", "pipe:1", "-nostats", "-f", "mp4", "tmp/out.mp4",
    ]  # fmt: skip


def test_the_segment_before_a_transition_stops_where_the_transition_begins() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0),
            Clip(
                source="b.png", duration=2.0, transition=Transition(type="crossfade", duration=0.5)
            ),
        ]
    )
    assert argv(plan, plan.segments[0]) == [
        *HEAD,
        *still_input("a.png"),
        "-filter_complex",
        f"[0:v]{FIT_1280x720},loop=loop=44:size=1:start=0,settb=1/30,setpts=N[l0];[l0]{TAG}",
        "-map", "[tagged]", "-frames:v", "45", "-r", "30", *FINAL_X264_30FPS, *TAIL,
    ]  # fmt: skip


def test_a_hard_cut_renders_each_clip_alone_without_xfade() -> None:
    plan = plan_for([Clip(source="a.png", duration=2.0), Clip(source="b.png", duration=1.0)])
    first, second = plan.segments
    assert (first.start_frame, first.frames, first.entry_frames) == (0, 60, 0)
    assert (second.start_frame, second.frames, second.entry_frames) == (60, 30, 0)
    assert second.transition is None
    assert [layer.source.path for layer in second.layers] == [Path("/media/b.png")]

    assert argv(plan, second) == [
        *HEAD,
        *still_input("b.png"),
        "-filter_complex",
        f"[0:v]{FIT_1280x720},loop=loop=29:size=1:start=0,settb=1/30,setpts=N[l0];[l0]{TAG}",
        "-map", "[tagged]", "-frames:v", "30", "-r", "30", *FINAL_X264_30FPS, *TAIL,
    ]  # fmt: skip


def test_a_fade_goes_through_black_with_xfades_fadeblack() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0),
            Clip(source="b.png", duration=3.0, transition=Transition(type="fade", duration=1.0)),
        ],
        canvas=Canvas(fps=25),
    )
    second = plan.segments[1]
    assert (second.start_frame, second.frames, second.entry_frames) == (25, 75, 25)
    assert graph(argv(plan, second)) == (
        f"[0:v]{FIT_1280x720},loop=loop=24:size=1:start=0,settb=1/25,setpts=N[l0];"
        f"[1:v]{FIT_1280x720},loop=loop=74:size=1:start=0,settb=1/25,setpts=N[l1];"
        "[l0][l1]xfade=transition=fadeblack:duration=1:offset=0[mix];"
        f"[mix]{TAG}"
    )


def test_a_transition_at_ntsc_rate_keeps_the_exact_frame_duration() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0),
            Clip(
                source="b.png", duration=2.0, transition=Transition(type="dissolve", duration=0.5)
            ),
        ],
        canvas=Canvas(fps=30000 / 1001),
    )
    second = plan.segments[1]
    assert plan.fps == Fraction(30000, 1001)
    assert second.entry_frames == 15
    command = argv(plan, second)
    # The time base is the exact fraction; the xfade length is 15 frames in seconds.
    assert graph(command) == (
        f"[0:v]{FIT_1280x720},loop=loop=14:size=1:start=0,settb=1001/30000,setpts=N[l0];"
        f"[1:v]{FIT_1280x720},loop=loop=59:size=1:start=0,settb=1001/30000,setpts=N[l1];"
        "[l0][l1]xfade=transition=dissolve:duration=0.5005:offset=0[mix];"
        f"[mix]{TAG}"
    )
    assert command[command.index("-r") + 1] == "30000/1001"
    assert command[command.index("-framerate") + 1] == "30000/1001"


# --- subtitles --------------------------------------------------------------------------------


def test_subtitles_are_burnt_from_the_generated_ass_file_and_split_at_segment_edges() -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=2.0), Clip(source="b.png", duration=2.0)],
        subtitles=[Subtitle(start=1.0, end=3.0, text="Hello there")],
    )
    first, second = plan.segments
    # Times are relative to each segment, which is rendered (and cached) on its own.
    assert [(c.start, c.end, c.text) for c in first.cues] == [(1.0, 2.0, "Hello there")]
    assert [(c.start, c.end, c.text) for c in second.cues] == [(0.0, 1.0, "Hello there")]

    # Fonts reach libass through FONTCONFIG_FILE, so the filter names only the ASS file (no
    # fontsdir, which would load every font into each process).
    assert graph(argv(plan, second, ass="tmp/seg.ass")) == (
        f"[0:v]{FIT_1280x720},loop=loop=59:size=1:start=0,settb=1/30,setpts=N[l0];"
        "[l0]ass=filename=tmp/seg.ass[subbed];"
        f"[subbed]{TAG}"
    )


def test_subtitles_are_burnt_after_the_transition_not_into_one_of_its_layers() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0),
            Clip(
                source="b.png", duration=2.0, transition=Transition(type="crossfade", duration=0.5)
            ),
        ],
        subtitles=[Subtitle(start=1.0, end=3.0, text="Hello there")],
    )
    command = argv(plan, plan.segments[1], ass="tmp/seg.ass")
    assert graph(command).split(";")[2:] == [
        "[l0][l1]xfade=transition=fade:duration=0.5:offset=0[mix]",
        "[mix]ass=filename=tmp/seg.ass[subbed]",
        f"[subbed]{TAG}",
    ]
    assert command[command.index("-map") + 1] == "[tagged]"


def test_a_segment_without_cues_ignores_the_ass_file() -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=2.0), Clip(source="b.png", duration=2.0)],
        subtitles=[Subtitle(start=0.5, end=1.5, text="Only in the first clip")],
    )
    assert plan.segments[1].cues == ()
    assert argv(plan, plan.segments[1], ass="tmp/seg.ass") == argv(plan, plan.segments[1])


def test_a_segment_with_cues_but_no_ass_file_is_refused() -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=2.0)],
        subtitles=[Subtitle(start=0.0, end=1.0, text="Hi")],
    )
    with pytest.raises(ValueError, match="needs an ASS file"):
        argv(plan, plan.segments[0])


@pytest.mark.parametrize(
    "path",
    ["tmp/a b.ass", "tmp/a:b.ass", "tmp/it's.ass", "tmp/a,b.ass", "tmp/[x].ass", "-i.ass"],
)
def test_an_ass_path_that_would_need_filter_escaping_is_refused(path: str) -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=1.0)],
        subtitles=[Subtitle(start=0.0, end=1.0, text="Hi")],
    )
    with pytest.raises(ValueError, match="unsafe path"):
        argv(plan, plan.segments[0], ass=path)


def test_user_text_never_enters_the_command() -> None:
    text = "Evil'], [0:v]drawtext=text=pwned; -i /etc/passwd"
    plan = plan_for(
        [Clip(source="a.png", duration=1.0)],
        subtitles=[Subtitle(start=0.0, end=1.0, text=text)],
    )
    assert [c.text for c in plan.segments[0].cues] == [text]
    command = argv(plan, plan.segments[0], ass="tmp/seg.ass")
    assert not any("pwned" in arg or "passwd" in arg for arg in command)


# --- preview and final ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "quality", "expected"),
    [
        ((1280, 720), "final", (1280, 720)),
        ((1920, 1080), "preview", (854, 480)),
        ((1280, 720), "preview", (854, 480)),
        ((720, 1280), "preview", (480, 854)),
        ((1080, 1080), "preview", (480, 480)),
        ((640, 360), "preview", (640, 360)),  # never upscaled
    ],
)
def test_preview_renders_fit_in_854x480_in_either_orientation(
    size: tuple[int, int], quality: str, expected: tuple[int, int]
) -> None:
    assert output_size(*size, quality) == expected


def test_a_preview_render_is_smaller_and_uses_a_faster_x264_setting() -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=1.0)],
        canvas=Canvas(width=1920, height=1080, fps=24),
        output=Output(quality="preview"),
    )
    assert (plan.width, plan.height) == (854, 480)
    assert argv(plan, plan.segments[0]) == [
        *HEAD,
        *still_input("a.png", fps="24"),
        "-filter_complex",
        "[0:v]crop=w='min(iw,ih*854/480)':h='min(ih,iw*480/854)',"
        "scale=854:480:flags=lanczos:out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p,"
        f"loop=loop=23:size=1:start=0,settb=1/24,setpts=N[l0];[l0]{TAG}",
        "-map", "[tagged]", "-frames:v", "24", "-r", "24",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", "48", "-threads", "0", "-rc-lookahead", "10",
        *COLOUR_TAGS,
        *TAIL,
    ]  # fmt: skip


def test_a_final_render_keeps_the_canvas_size_and_the_quality_x264_setting() -> None:
    plan = plan_for(
        [Clip(source="a.png", duration=1.0)], canvas=Canvas(width=1920, height=1080, fps=24)
    )
    assert (plan.width, plan.height) == (1920, 1080)
    command = argv(plan, plan.segments[0])
    assert command[command.index("-c:v") :] == [
        "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", "48", "-threads", "0", "-rc-lookahead", "10",
        *COLOUR_TAGS,
        *TAIL,
    ]  # fmt: skip


def test_segment_encoders_get_the_thread_count_the_renderer_asks_for() -> None:
    assert encoding_for("final", Fraction(30), threads=1).argv() == [
        "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", "60", "-threads", "1", "-rc-lookahead", "10",
        *COLOUR_TAGS,
    ]  # fmt: skip


def test_segment_keys_change_with_the_ffmpeg_build_that_encodes_them() -> None:
    # Workers of one cluster may run different FFmpeg builds; segments are joined by stream
    # copy, so one made by another build must not be taken for this one.
    clips = [Clip(source="a.png", duration=1.0), Clip(source="b.png", duration=1.0)]
    tl = Timeline(clips=clips)
    sources: dict[SourceKey, Source] = {("clip", c.source): still(c.source) for c in clips}
    keys = {
        build: [s.key for s in build_plan(tl, sources, tool_key=build).segments]
        for build in ("ffmpeg version 7.0.2-static", "ffmpeg version 6.1.1-3ubuntu5")
    }
    first, second = keys.values()
    assert not set(first) & set(second)
    assert [
        s.key for s in build_plan(tl, sources, tool_key="ffmpeg version 7.0.2-static").segments
    ] == first


def test_the_soundtrack_is_muxed_by_stream_copy_for_preview_and_final_alike() -> None:
    # Segments are encoded silent ('-an' above); audio is one AAC file made beside them and
    # joined here without re-encoding either stream, moov atom first for streaming.
    assert mux_command(
        "ffmpeg",
        concat_list_file="tmp/concat-1.txt",
        audio="/cache/audio/abc.m4a",
        out="file:/out/.video.partial-1.mp4",
        duration=3.5,
    ) == [
        *HEAD,
        "-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", "tmp/concat-1.txt",
        "-protocol_whitelist", "file", "-f", "mov", "-i", "file:/cache/audio/abc.m4a",
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
        "-t", "3.5",
        "-movflags", "+faststart", "-f", "mp4", "file:/out/.video.partial-1.mp4",
    ]  # fmt: skip


def test_the_concat_list_names_only_our_own_segment_files() -> None:
    assert concat_list(["../segments/aa.mp4", "../segments/bb.mp4"]) == (
        "ffconcat version 1.0\nfile '../segments/aa.mp4'\nfile '../segments/bb.mp4'\n"
    )
    with pytest.raises(ValueError, match="unsafe path"):
        concat_list(["../segments/it's.mp4"])


def test_frame_grabs_seek_then_decode_one_frame() -> None:
    assert frame_grab_command(
        "ffmpeg", video="tmp/seg.mp4", at=0.75, out="tmp/thumb.jpg", height=180
    ) == [
        *HEAD,
        "-protocol_whitelist", "file", "-ss", "0.75", "-f", "mov", "-i", "tmp/seg.mp4",
        "-vf", "scale=-2:180:flags=lanczos", "-frames:v", "1", "-q:v", "2",
        "-f", "image2", "-update", "1", "tmp/thumb.jpg",
    ]  # fmt: skip


def test_the_contact_sheet_numbers_thumbnails_with_our_linked_font() -> None:
    assert contact_sheet_command(
        "ffmpeg",
        pattern="tmp/sheet/%05d.jpg",
        count=5,
        font_file="fonts/subtitles.otf",
        out="file:/out/sheet.jpg",
        thumb_height=180,
    ) == [
        *HEAD,
        "-protocol_whitelist", "file", "-f", "image2", "-framerate", "1", "-start_number", "1",
        "-i", "tmp/sheet/%05d.jpg",
        "-vf",
        "drawtext=fontfile=fonts/subtitles.otf:text='%{eif\\:n+1\\:d}':fontsize=25"
        ":fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=8:x=12:y=12,"
        "tile=3x2:padding=6:margin=6:color=0x1a1a1a",
        "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "file:/out/sheet.jpg",
    ]  # fmt: skip


# --- video clips ------------------------------------------------------------------------------


def test_a_video_clip_is_seeked_to_its_start_converted_to_the_canvas_rate_and_held() -> None:
    clip = Clip(source="c.mp4", duration=2.0, source_start=1.5)
    video = Source(
        path=Path("/media/c.mp4"), kind="video", demuxer="mov", digest="d", duration=10.0
    )
    plan = build_plan(Timeline(clips=[clip]), {("clip", "c.mp4"): video})
    assert argv(plan, plan.segments[0]) == [
        *HEAD,
        # One extra second of input, so a source shorter than the clip can be held (tpad).
        "-protocol_whitelist", "file", "-ss", "1.5", "-t", "3", "-f", "mov",
        "-i", "file:/media/c.mp4",
        "-filter_complex",
        f"[0:v]fps=30,{FIT_1280x720},tpad=stop_mode=clone:stop_duration=3,trim=end_frame=60,"
        f"settb=1/30,setpts=N[l0];[l0]{TAG}",
        "-map", "[tagged]", "-frames:v", "60", "-r", "30", *FINAL_X264_30FPS, *TAIL,
    ]  # fmt: skip


# --- motion (Ken Burns) -----------------------------------------------------------------------


def perspective(x: str, y: str, rw: str, rh: str) -> str:
    return (
        f"perspective=x0='{x}':y0='{y}':x1='{x}+{rw}':y1='{y}':"
        f"x2='{x}':y2='{y}+{rh}':x3='{x}+{rw}':y3='{y}+{rh}':interpolation=linear:eval=frame"
    )


def test_no_motion_adds_no_filter() -> None:
    assert motion_filter(Motion(), 1280, 720, 0, 60) is None
    assert motion_filter(Motion(type="zoom_in", strength=0), 1280, 720, 0, 60) is None


def test_a_zoom_in_shrinks_a_centred_window_from_the_full_frame_by_1_plus_strength() -> None:
    p = "((in-1+0)/59)"
    zoom = f"(1+0.2*{p})"
    rw, rh = f"(1280/{zoom})", f"(720/{zoom})"
    assert motion_filter(Motion(type="zoom_in", strength=0.2), 1280, 720, 0, 60) == perspective(
        f"((1280-{rw})/2)", f"((720-{rh})/2)", rw, rh
    )


def test_a_zoom_out_starts_zoomed_and_eases_when_asked() -> None:
    p = "(0.5-0.5*cos(PI*((in-1+15)/89)))"
    zoom = f"(1+0.1*(1-{p}))"
    rw, rh = f"(640/{zoom})", f"(360/{zoom})"
    motion = Motion(type="zoom_out", strength=0.1, easing="ease_in_out")
    assert motion_filter(motion, 640, 360, 15, 90) == perspective(
        f"((640-{rw})/2)", f"((360-{rh})/2)", rw, rh
    )


def test_a_pan_right_crosses_the_spare_margin_left_to_right_at_a_fixed_zoom() -> None:
    p = "((in-1+0)/59)"
    rw, rh = "(1280/1.25)", "(720/1.25)"
    assert motion_filter(Motion(type="pan_right", strength=0.25), 1280, 720, 0, 60) == (
        perspective(f"((1280-{rw})*{p})", f"((720-{rh})/2)", rw, rh)
    )


def test_a_pan_up_shows_the_top_of_the_picture_last() -> None:
    p = "((in-1+0)/29)"
    rw, rh = "(720/1.1)", "(1280/1.1)"
    assert motion_filter(Motion(type="pan_up", strength=0.1), 720, 1280, 0, 30) == (
        perspective(f"((720-{rw})/2)", f"((1280-{rh})*(1-{p}))", rw, rh)
    )


def test_motion_runs_over_the_whole_clip_across_its_segments() -> None:
    plan = plan_for(
        [
            Clip(source="a.png", duration=2.0, motion=Motion(type="pan_left", strength=0.2)),
            Clip(
                source="b.png", duration=2.0, transition=Transition(type="crossfade", duration=0.5)
            ),
        ]
    )
    first, second = plan.segments
    rw, rh = "(1280/1.2)", "(720/1.2)"
    # The outgoing clip's tail continues the move at frame 45 of its 60, not from the start.
    tail = perspective(f"((1280-{rw})*(1-((in-1+45)/59)))", f"((720-{rh})/2)", rw, rh)
    head = perspective(f"((1280-{rw})*(1-((in-1+0)/59)))", f"((720-{rh})/2)", rw, rh)
    assert graph(argv(plan, first)).split(";")[0] == (
        f"[0:v]{FIT_1280x720},loop=loop=44:size=1:start=0,settb=1/30,setpts=N,{head}[l0]"
    )
    assert graph(argv(plan, second)).split(";")[0] == (
        f"[0:v]{FIT_1280x720},loop=loop=14:size=1:start=0,settb=1/30,setpts=N,{tail}[l0]"
    )


def _rect_at(filter_string: str, in_value: int) -> tuple[float, float, float, float]:
    """Evaluate the corners (x0, y0, x3, y3) of a perspective filter for one value of ``in``."""
    corners = dict(re.findall(r"(x0|y0|x3|y3)='([^']*)'", filter_string))
    env = {"PI": math.pi, "cos": math.cos, "in_": in_value}
    values = {
        k: eval(re.sub(r"\bin\b", "in_", v), {"__builtins__": {}}, env) for k, v in corners.items()
    }
    return values["x0"], values["y0"], values["x3"], values["y3"]


@pytest.mark.parametrize("kind", ["zoom_in", "zoom_out", "pan_left", "pan_right"])
def test_a_move_starts_on_the_clips_first_frame_and_never_leaves_the_picture(kind: str) -> None:
    frames = 10
    motion = motion_filter(Motion(type=kind, strength=0.5), 640, 360, 0, frames)
    assert motion is not None
    # FFmpeg's `in` is 1 on the first frame the filter sees (checked on the bundled FFmpeg).
    rects = [_rect_at(motion, n) for n in range(1, frames + 1)]
    for x0, y0, x3, y3 in rects:
        assert min(x0, y0) >= -1e-9 and x3 <= 640 + 1e-9 and y3 <= 360 + 1e-9
    # At 1 + 0.5 zoom the window is 426.67 x 240, with 213.33 px to spare across.
    start = {
        "zoom_in": (0, 0, 640, 360),
        "zoom_out": (640 / 6, 60, 640 - 640 / 6, 300),
        "pan_left": (640 / 3, 60, 640, 300),
        "pan_right": (0, 60, 640 / 1.5, 300),
    }
    assert rects[0] == pytest.approx(start[kind])
