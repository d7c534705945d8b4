"""Timeline → render plan → FFmpeg command lines. Everything here is pure: no I/O, no processes.

The video is cut into segments on the frame grid: the *body* of each clip (the frames only it
covers) and each *transition* (the frames two clips share). A segment's key hashes everything
that affects its pixels but not its position, so an unchanged segment is reused on the next render
even when earlier clips changed length.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from storyreel.domain.timeline import XFADE_STYLES, Clip, Motion, Timeline, Transition
from storyreel.media.encoders import Codec
from storyreel.media.sources import Source, SourceKey
from storyreel.media.subtitles import Cue, layout_cues

# Bump when a change to the commands alters rendered pixels, so old cached segments are not reused.
RENDERER_VERSION = 1

PREVIEW_SHORT_SIDE = 480
PREVIEW_LONG_SIDE = 854
THUMB_HEIGHT = 180

_SAFE_RELATIVE_PATH = re.compile(r"^[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class Encoding:
    """Video encoder settings shared by every segment of one render (they must match to concat)."""

    preset: str
    crf: int  # x264's constant rate factor; NVENC's constant quality (``-cq``) for "nvenc"
    gop: int
    threads: int = 0  # 0 lets x264 decide
    codec: Codec = "x264"
    # x264's look-ahead for "medium" is 40 frames, each several MB at 720p with its half-pel
    # planes; two encoders in parallel would blow the 500 MB budget. Ten frames keep MB-tree
    # working on slow camera moves (measured: same speed, ~100 MB less per encoder).
    lookahead: int = 10

    def argv(self) -> list[str]:
        if self.codec == "nvenc":
            return self._nvenc_argv()
        return [
            "-c:v", "libx264",
            "-preset", self.preset,
            "-crf", str(self.crf),
            "-profile:v", "high",
            "-pix_fmt", "yuv420p",
            "-g", str(self.gop),
            "-threads", str(self.threads),
            "-rc-lookahead", str(self.lookahead),
            "-colorspace", "bt709",
            "-color_primaries", "bt709",
            "-color_trc", "bt709",
            "-color_range", "tv",
        ]  # fmt: skip

    def _nvenc_argv(self) -> list[str]:
        """NVENC with the same stream shape as x264's (High profile, 4:2:0, the same GOP and
        colour tags), so segments join by stream copy. ``p5``/``hq`` is NVENC's quality side
        of its speed range; ``-cq`` with no bitrate cap is its constant-quality mode."""
        return [
            "-c:v", "h264_nvenc",
            "-preset", "p5",
            "-tune", "hq",
            "-rc", "vbr",
            "-cq", str(self.crf),
            "-b:v", "0",
            "-profile:v", "high",
            "-pix_fmt", "yuv420p",
            "-g", str(self.gop),
            "-colorspace", "bt709",
            "-color_primaries", "bt709",
            "-color_trc", "bt709",
            "-color_range", "tv",
        ]  # fmt: skip


@dataclass(frozen=True)
class Layer:
    """One clip as seen through one segment: which of its frames, and how it moves."""

    clip_index: int
    source: Source
    motion: Motion
    clip_frames: int  # frames the whole clip spans (motion progress runs over these)
    first_frame: int  # the clip's frame at which this segment starts
    source_start: float  # video sources: seconds into the file where the clip begins


@dataclass(frozen=True)
class Segment:
    """One clip's run of output frames, rendered by one FFmpeg process into one cached file.

    It starts where the clip enters (its entry transition, blending in the previous clip's tail)
    and ends where the next clip's transition begins.
    """

    index: int  # the clip's index
    start_frame: int
    frames: int
    entry_frames: int  # frames of the entry transition at the start (0 for a cut)
    layers: tuple[Layer, ...]  # (previous clip, this clip) during a transition, else (this clip,)
    transition: Transition | None
    cues: tuple[Cue, ...]  # times relative to the segment start
    thumb_frame: int  # frame (within the segment) saved as the clip's thumbnail
    key: str = ""


@dataclass(frozen=True)
class RenderPlan:
    width: int
    height: int
    fps: Fraction
    total_frames: int
    encoding: Encoding
    segments: tuple[Segment, ...]
    cues: tuple[Cue, ...]  # laid out (at most two lines each), absolute times
    poster_time: float
    background: str
    font_key: str = ""
    tool_key: str = ""  # the FFmpeg build (``ffmpeg_build``): segments are joined by stream copy

    @property
    def duration(self) -> float:
        return self.total_frames / float(self.fps)


def output_size(width: int, height: int, quality: str) -> tuple[int, int]:
    """Canvas size for the quality: previews fit in 854×480 (either orientation), never upscaled."""
    if quality != "preview":
        return width, height
    short, long_ = min(width, height), max(width, height)
    scale = min(1.0, PREVIEW_SHORT_SIDE / short, PREVIEW_LONG_SIDE / long_)
    return _even(width * scale), _even(height * scale)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def fps_fraction(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


def frame_at(seconds: float, fps: Fraction) -> int:
    return round(Fraction(seconds).limit_denominator(1_000_000) * fps)


def encoding_for(quality: str, fps: Fraction, threads: int = 0, codec: Codec = "x264") -> Encoding:
    gop = max(1, math.ceil(2 * fps))
    if codec == "nvenc":
        # NVENC's -cq scale sits a little above x264's CRF for the same look.
        cq = 28 if quality == "preview" else 22
        return Encoding(preset="p5", crf=cq, gop=gop, codec="nvenc")
    if quality == "preview":
        return Encoding(preset="veryfast", crf=26, gop=gop, threads=threads)
    return Encoding(preset="medium", crf=20, gop=gop, threads=threads)


def _clip_frame_spans(timeline: Timeline, fps: Fraction) -> list[tuple[int, int]]:
    spans = []
    for start, clip in zip(timeline.clip_starts(), timeline.clips, strict=True):
        spans.append((frame_at(start, fps), frame_at(start + clip.duration, fps)))
    return spans


def _layer(
    index: int, clip: Clip, span: tuple[int, int], at_frame: int, sources: dict[SourceKey, Source]
) -> Layer:
    return Layer(
        clip_index=index,
        source=sources[("clip", clip.source)],
        motion=clip.motion,
        clip_frames=span[1] - span[0],
        first_frame=at_frame - span[0],
        source_start=clip.source_start,
    )


def _cues_between(cues: tuple[Cue, ...], start_f: Fraction, end_f: Fraction) -> tuple[Cue, ...]:
    start, end = float(start_f), float(end_f)
    out = []
    for cue in cues:
        if cue.end <= start or cue.start >= end:
            continue
        out.append(
            Cue(
                start=round(max(cue.start, start) - start, 3),
                end=round(min(cue.end, end) - start, 3),
                text=cue.text,
                second=cue.second,
            )
        )
    return tuple(out)


def build_plan(
    timeline: Timeline,
    sources: dict[SourceKey, Source],
    *,
    font_key: str = "",
    tool_key: str = "",
    threads: int = 0,
    codec: Codec = "x264",
) -> RenderPlan:
    """Cut the timeline into segments on the frame grid and give each its cache key."""
    width, height = output_size(
        timeline.canvas.width, timeline.canvas.height, timeline.output.quality
    )
    fps = fps_fraction(timeline.canvas.fps)
    encoding = encoding_for(timeline.output.quality, fps, threads, codec)
    spans = _clip_frame_spans(timeline, fps)
    laid_out = layout_cues(
        [Cue(s.start, s.end, s.text, s.second) for s in timeline.subtitles],
        width=width,
        height=height,
    )
    cues = tuple(Cue(c.start, c.end, "\n".join(lines), c.second) for c, lines in laid_out)

    segments: list[Segment] = []
    clips = timeline.clips
    for i, clip in enumerate(clips):
        start, end = spans[i]
        # This clip's segment runs from its entry to where the next clip's transition begins.
        seg_end = min(end, spans[i + 1][0]) if i + 1 < len(clips) else end
        entry = max(0, spans[i - 1][1] - start) if i > 0 else 0
        layers = [_layer(i, clip, spans[i], start, sources)]
        if entry:
            layers.insert(0, _layer(i - 1, clips[i - 1], spans[i - 1], start, sources))
        frames = seg_end - start
        segments.append(
            Segment(
                index=i,
                start_frame=start,
                frames=frames,
                entry_frames=entry,
                layers=tuple(layers),
                transition=clip.transition if entry else None,
                cues=_cues_between(cues, start / fps, seg_end / fps),
                # The middle of the part only this clip covers (or its last frame if none).
                thumb_frame=min(frames - 1, entry + (frames - entry) // 2),
            )
        )

    total_frames = spans[-1][1]
    poster_seg = segments[len(clips) // 3]
    poster_frame = poster_seg.start_frame + poster_seg.thumb_frame
    plan = RenderPlan(
        width=width,
        height=height,
        fps=fps,
        total_frames=total_frames,
        encoding=encoding,
        segments=tuple(segments),
        cues=cues,
        poster_time=float(poster_frame / fps),
        background=timeline.canvas.background,
        font_key=font_key,
        tool_key=tool_key,
    )
    keyed = tuple(_replace_key(s, segment_key(plan, s)) for s in plan.segments)
    return RenderPlan(**{**plan.__dict__, "segments": keyed})


def _replace_key(seg: Segment, key: str) -> Segment:
    return Segment(**{**seg.__dict__, "key": key})


def segment_key(plan: RenderPlan, seg: Segment) -> str:
    """Hash of everything that affects this segment's pixels, independent of its position."""
    material = {
        "v": RENDERER_VERSION,
        "size": [plan.width, plan.height],
        "fps": str(plan.fps),
        "enc": _encoding_material(plan.encoding),
        "bg": plan.background,
        "frames": seg.frames,
        "entry": seg.entry_frames,
        "layers": [
            {
                "src": layer.source.digest,
                "kind": layer.source.kind,
                "alpha": layer.source.has_alpha,
                "motion": layer.motion.model_dump(),
                "clip_frames": layer.clip_frames,
                "first": layer.first_frame,
                "ss": layer.source_start if layer.source.kind == "video" else 0,
            }
            for layer in seg.layers
        ],
        "transition": seg.transition.model_dump() if seg.transition else None,
        # A bilingual cue's second line is keyed only when there is one: other keys stay.
        "cues": [[c.start, c.end, c.text, *([c.second] if c.second else [])] for c in seg.cues],
        "font": plan.font_key if seg.cues else "",
        "ffmpeg": plan.tool_key,
        "thumb": seg.thumb_frame,
        # The command itself (with stand-in paths), so a change to how segments are drawn
        # invalidates old cache entries without anyone remembering to bump a version.
        "command": _canonical_command(plan, seg),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def _encoding_material(encoding: Encoding) -> dict[str, object]:
    material: dict[str, object] = encoding.__dict__ | {"threads": None}
    if encoding.codec == "x264":
        del material["codec"]  # keys of segments made before NVENC was an option stay
    return material


def _canonical_command(plan: RenderPlan, seg: Segment) -> list[str]:
    layers = tuple(
        dataclasses.replace(
            layer, source=dataclasses.replace(layer.source, path=Path(layer.source.digest))
        )
        for layer in seg.layers
    )
    stand_in = dataclasses.replace(seg, layers=layers)
    return segment_command("ffmpeg", plan, stand_in, out="OUT", ass="ASS")


# --- commands -------------------------------------------------------------------------------


def _num(value: float | Fraction) -> str:
    """A number for a filter expression: exact for fractions, compact for floats."""
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def _secs(value: float | Fraction) -> str:
    """A duration for options parsed as time (they reject 'a/b')."""
    return _num(float(value))


def _motion_rect(motion: Motion, w: int, h: int, progress: str) -> tuple[str, str, str, str] | None:
    """Expressions for the visible rectangle (x, y, width, height) of the fitted image."""
    s = motion.strength
    if motion.type == "none" or s == 0:
        return None
    p = progress if motion.easing == "linear" else f"(0.5-0.5*cos(PI*{progress}))"
    if motion.type in ("zoom_in", "zoom_out"):
        zoom = f"(1+{_num(s)}*{p})" if motion.type == "zoom_in" else f"(1+{_num(s)}*(1-{p}))"
        rw, rh = f"({w}/{zoom})", f"({h}/{zoom})"
        return f"(({w}-{rw})/2)", f"(({h}-{rh})/2)", rw, rh
    zoom = _num(1 + s)
    rw, rh = f"({w}/{zoom})", f"({h}/{zoom})"
    free_x, free_y = f"({w}-{rw})", f"({h}-{rh})"
    centre_x, centre_y = f"({free_x}/2)", f"({free_y}/2)"
    # A camera panning left shows more and more of the image's left side.
    moves = {
        "pan_left": (f"({free_x}*(1-{p}))", centre_y),
        "pan_right": (f"({free_x}*{p})", centre_y),
        "pan_up": (centre_x, f"({free_y}*(1-{p}))"),
        "pan_down": (centre_x, f"({free_y}*{p})"),
    }
    x, y = moves[motion.type]
    return x, y, rw, rh


def motion_filter(motion: Motion, w: int, h: int, first_frame: int, clip_frames: int) -> str | None:
    """A sub-pixel Ken Burns move with `perspective`, which interpolates instead of snapping.

    zoompan rounds its crop to whole input pixels, which shows as jitter; perspective maps the
    (fractional) rectangle onto the frame with interpolation, so motion stays smooth at any fps.
    """
    # perspective's `in` counts the frames it has output from 1, not 0 (vf_perspective sets it
    # to frame_count_out + 1): without the -1 every move starts a frame late and overshoots the
    # picture on the clip's last frame, smearing its edge.
    progress = f"((in-1+{first_frame})/{max(1, clip_frames - 1)})"
    rect = _motion_rect(motion, w, h, progress)
    if rect is None:
        return None
    x, y, rw, rh = rect
    corners = {
        "x0": x, "y0": y,
        "x1": f"{x}+{rw}", "y1": y,
        "x2": x, "y2": f"{y}+{rh}",
        "x3": f"{x}+{rw}", "y3": f"{y}+{rh}",
    }  # fmt: skip
    opts = ":".join(f"{k}='{v}'" for k, v in corners.items())
    return f"perspective={opts}:interpolation=linear:eval=frame"


def _fit_filters(w: int, h: int) -> list[str]:
    """Cover the canvas, centred, without distortion; convert to BT.709 limited-range YUV."""
    return [
        f"crop=w='min(iw,ih*{w}/{h})':h='min(ih,iw*{h}/{w})'",
        f"scale={w}:{h}:flags=lanczos:out_color_matrix=bt709:out_range=tv",
        "setsar=1",
        "format=yuv420p",
    ]


def _layer_chain(
    layer: Layer, input_index: int, frames: int, plan: RenderPlan, label: str
) -> list[str]:
    """Filter chains producing exactly ``frames`` frames of one layer at the output size."""
    w, h, fps = plan.width, plan.height, plan.fps
    tb = _num(1 / fps)
    chains: list[str] = []
    src = f"[{input_index}:v]"
    steps: list[str] = []
    if layer.source.kind == "video":
        steps += [f"fps={_num(fps)}", *_fit_filters(w, h)]
        steps += [
            f"tpad=stop_mode=clone:stop_duration={_secs(frames / fps + 1)}",
            f"trim=end_frame={frames}",
        ]
    else:
        if layer.source.has_alpha:
            bg = plan.background.lstrip("#")
            chains.append(f"color=c=0x{bg}:s={w}x{h}:r={_num(fps)},trim=end_frame=1[bg{label}]")
            chains.append(
                f"{src}crop=w='min(iw,ih*{w}/{h})':h='min(ih,iw*{h}/{w})',"
                f"scale={w}:{h}:flags=lanczos,format=rgba[fg{label}]"
            )
            chains.append(
                f"[bg{label}][fg{label}]overlay=shortest=1:format=auto,"
                f"scale=out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p[flat{label}]"
            )
            src = f"[flat{label}]"
        else:
            steps += _fit_filters(w, h)
        # Decode and scale the still once, then repeat the finished frame.
        steps.append(f"loop=loop={frames - 1}:size=1:start=0")
    steps += [f"settb={tb}", "setpts=N"]
    motion = motion_filter(layer.motion, w, h, layer.first_frame, layer.clip_frames)
    if motion:
        steps.append(motion)
    chains.append(f"{src}{','.join(steps)}[{label}]")
    return chains


def _input_args(layer: Layer, frames: int, fps: Fraction) -> list[str]:
    src = layer.source
    args = ["-protocol_whitelist", "file"]
    if src.kind == "video":
        seek = layer.source_start + layer.first_frame / float(fps)
        args += ["-ss", _secs(seek), "-t", _secs(frames / fps + 1)]
    else:
        # Gives the still's stream the output rate, which xfade requires of both its inputs.
        args += ["-framerate", _num(fps)]
    args += ["-f", src.demuxer, "-i", f"file:{src.path}"]
    return args


def _check_relative(path: str) -> str:
    """Paths inside filter strings are ones we generated; refuse anything that needs escaping."""
    if not _SAFE_RELATIVE_PATH.fullmatch(path) or path.startswith("-"):
        raise ValueError(f"unsafe path for a filter string: {path!r}")
    return path


def segment_command(
    ffmpeg: str,
    plan: RenderPlan,
    seg: Segment,
    *,
    out: str,
    ass: str | None,
) -> list[str]:
    """FFmpeg argv for one segment; ``ass`` is relative to the cwd.

    Fonts reach libass through fontconfig (the caller sets ``FONTCONFIG_FILE``), which opens
    them on demand; a ``fontsdir`` would load every font into each process's memory.
    """
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    chains: list[str] = []
    labels = []
    for i, layer in enumerate(seg.layers):
        # The previous clip is only needed for the entry transition; this clip for all of it.
        is_outgoing = len(seg.layers) == 2 and i == 0
        frames = seg.entry_frames if is_outgoing else seg.frames
        argv += _input_args(layer, frames, plan.fps)
        label = f"l{i}"
        chains += _layer_chain(layer, i, frames, plan, label)
        labels.append(f"[{label}]")
    if seg.transition is not None and len(seg.layers) == 2:
        style = XFADE_STYLES[seg.transition.type]
        duration = _secs(seg.entry_frames / plan.fps)
        chains.append(
            f"{''.join(labels)}xfade=transition={style}:duration={duration}:offset=0[mix]"
        )
        current = "[mix]"
    else:
        current = labels[0]
    if seg.cues:
        if ass is None:
            raise ValueError("a segment with subtitles needs an ASS file")
        chains.append(f"{current}ass=filename={_check_relative(ass)}[subbed]")
        current = "[subbed]"
    # Tag the frames themselves: FFmpeg takes colour properties from frames over encoder options.
    chains.append(
        f"{current}setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv[tagged]"
    )
    current = "[tagged]"
    argv += ["-filter_complex", ";".join(chains), "-map", current]
    argv += ["-frames:v", str(seg.frames), "-r", _num(plan.fps), *plan.encoding.argv()]
    argv += ["-an", "-progress", "pipe:1", "-nostats", "-f", "mp4", out]
    return argv


def concat_list(segment_files: list[str]) -> str:
    """Contents of an FFmpeg concat-demuxer list (our own cache paths only)."""
    lines = ["ffconcat version 1.0"]
    for name in segment_files:
        lines.append(f"file '{_check_relative(name)}'")
    return "\n".join(lines) + "\n"


def mux_command(
    ffmpeg: str, *, concat_list_file: str, audio: str, out: str, duration: float
) -> list[str]:
    """Join the segments without re-encoding and add the soundtrack; moov atom up front."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", concat_list_file,
        "-protocol_whitelist", "file", "-f", "mov", "-i", f"file:{audio}",
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
        "-t", _secs(duration),
        "-movflags", "+faststart", "-f", "mp4", out,
    ]  # fmt: skip


def frame_grab_command(
    ffmpeg: str, *, video: str, at: float, out: str, height: int | None = None
) -> list[str]:
    """One frame of an MP4 as a JPEG (optionally scaled to ``height``); seeks, then decodes."""
    scale = ["-vf", f"scale=-2:{height}:flags=lanczos"] if height else []
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-ss", _secs(at), "-f", "mov", "-i", video,
        *scale, "-frames:v", "1", "-q:v", "2", "-f", "image2", "-update", "1", out,
    ]  # fmt: skip


def contact_sheet_layout(count: int) -> tuple[int, int]:
    """Columns and rows for ``count`` thumbnails: a near-square grid, one row up to 3, ≤ 6 wide."""
    cols = count if count <= 3 else min(6, math.ceil(math.sqrt(count)))
    return cols, math.ceil(count / cols)


def contact_sheet_command(
    ffmpeg: str, *, pattern: str, count: int, font_file: str, out: str, thumb_height: int
) -> list[str]:
    """Tile numbered thumbnails (``pattern`` like ``thumbs/%04d.jpg``, relative to the cwd)."""
    cols, rows = contact_sheet_layout(count)
    size = max(14, thumb_height // 7)
    number = (
        f"drawtext=fontfile={_check_relative(font_file)}:text='%{{eif\\:n+1\\:d}}'"
        f":fontsize={size}:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw={size // 3}"
        f":x={size // 2}:y={size // 2}"
    )
    tile = f"tile={cols}x{rows}:padding=6:margin=6:color=0x1a1a1a"
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-f", "image2", "-framerate", "1", "-start_number", "1",
        "-i", pattern,
        "-vf", f"{number},{tile}", "-frames:v", "1", "-q:v", "3",
        "-f", "image2", "-update", "1", out,
    ]  # fmt: skip


def relative_to(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
