"""Render benchmark: a 12-clip, ~50 s, 1280×720@30 timeline against a plain libx264 encode.

Prints, measured side by side in one run (medians over --repeat runs):
  * full render wall time and peak memory (the whole process tree: Python + every FFmpeg),
  * the wall time of a plain libx264 encode of a synthetic source of the same length, size,
    fps, preset and CRF (the floor no renderer can beat), and the ratio of the two,
  * the wall time of a re-render after one clip's image changed, and its ratio to the full render,
  * and, for context, the encode alone of the very frames the render produced (pre-decoded to raw
    video, same encoder settings): what any renderer would pay for these pixels, so the ratio to
    it is the renderer's own overhead (decode, fit, motion, transitions, subtitles, audio, joins).

Targets (2-core machine): render ≤ 1.5 × plain encode; peak RSS ≤ 500 MB; one-clip re-render
≤ 25 % of the full render.

The render includes the quality check of the finished video (``--no-qc`` leaves it out).
``--encoder nvenc`` (or ``auto``) renders with NVENC where FFmpeg can use an NVIDIA GPU — a
GPU worker's path (STORYREEL_RENDER_ENCODER); without one it falls back to x264 and says so.

    python bench/render.py [--repeat 3] [--keep DIR] [--encoder auto|x264|nvenc] [--no-qc]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import psutil

from storyreel.media.ffmpeg import find_ffmpeg
from storyreel.media.plan import encoding_for, fps_fraction
from storyreel.media.render import Renderer
from storyreel.settings import Settings

CLIPS = 12
CLIP_SECONDS = 4.6
CROSSFADE = 0.5
WIDTH, HEIGHT, FPS = 1280, 720, 30
MOTIONS = ["zoom_in", "pan_right", "zoom_out", "pan_left", "pan_up", "pan_down"]
# Pictures of the kinds a story produces: smooth skies, fine detail, flat graphics, film grain.
SOURCES = [
    "mandelbrot=s=1920x1080:start_scale=0.8:end_scale=0.8",
    "testsrc2=s=1920x1080",
    "gradients=s=1920x1080:c0=0x203a80:c1=0xf0a040:type=radial:seed={i}",
    "gradients=s=1920x1080:c0=0x402818:c1=0xd8b080:seed={i},noise=alls=12:allf=u",
    "gradients=s=1920x1080:c0=0x102010:c1=0x90e070:type=linear:seed={i}",
    "smptehdbars=s=1920x1080",
]


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [find_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
        check=True,
    )


def make_media(folder: Path) -> dict[str, Any]:
    """Twelve 1080p pictures, twelve narration lines, a music loop, and the timeline itself."""
    clips, narration, subtitles = [], [], []
    start = 0.0
    for i in range(CLIPS):
        image = folder / f"shot_{i:02d}.png"
        source = SOURCES[i % len(SOURCES)].format(i=i + 1)
        ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", str(image))
        voice = folder / f"voice_{i:02d}.wav"
        # Speech-like: band-passed noise, syllable-modulated, 3 s.
        ffmpeg(
            "-f", "lavfi", "-i", f"anoisesrc=d=3:c=pink:seed={i + 1}:a=0.5",
            "-af", "bandpass=f=900:w=1200,volume='0.6+0.4*sin(2*PI*4*t)':eval=frame",
            "-ar", "24000", str(voice),
        )  # fmt: skip
        clip: dict[str, Any] = {
            "source": image.name,
            "duration": CLIP_SECONDS,
            "motion": {"type": MOTIONS[i % len(MOTIONS)], "strength": 0.1},
        }
        if i:
            clip["transition"] = {"type": "crossfade", "duration": CROSSFADE}
        clips.append(clip)
        narration.append({"source": voice.name, "start": round(start + 0.6, 3)})
        subtitles.append(
            {
                "start": round(start + 0.6, 3),
                "end": round(start + 3.6, 3),
                "text": f"Shot {i + 1}: the lighthouse keeper walks on — 第{i + 1}幕",
            }
        )
        start += CLIP_SECONDS - CROSSFADE
    ffmpeg(
        "-f", "lavfi", "-i",
        "aevalsrc='0.1*sin(2*PI*220*t)+0.1*sin(2*PI*277.18*t)+0.1*sin(2*PI*329.63*t)':d=10",
        str(folder / "music.wav"),
    )  # fmt: skip
    return {
        "version": 1,
        "canvas": {"width": WIDTH, "height": HEIGHT, "fps": FPS},
        "clips": clips,
        "narration": narration,
        "subtitles": subtitles,
        "music": {"source": "music.wav", "volume": 0.3, "duck": True, "loop": True},
        "output": {"quality": "final", "loudness": -16},
    }


class PeakMemory:
    """Samples the resident memory of this process and all its children, keeps the peak;
    children whose pid is in ``exclude`` (a server the bench started, say) are left out, with
    their own children."""

    def __init__(self, interval: float = 0.05, *, exclude: Collection[int] = ()) -> None:
        self.interval = interval
        self.exclude = set(exclude)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *self._children(me)]:
                with contextlib.suppress(psutil.Error):  # a child may exit between calls
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def _children(self, proc: psutil.Process) -> list[psutil.Process]:
        if not self.exclude:
            return list(proc.children(recursive=True))
        found = []
        with contextlib.suppress(psutil.Error):
            for child in proc.children():
                if child.pid not in self.exclude:
                    found += [child, *self._children(child)]
        return found

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(fn: Callable[[], object]) -> tuple[float, int]:
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
    return elapsed, mem.peak


def plain_encode(seconds: float, out: Path) -> None:
    """The floor: the very encoder settings segments use, on a synthetic moving source."""
    encoder = encoding_for("final", fps_fraction(FPS), threads=0).argv()
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds:.3f}",
        *encoder, "-an", str(out),
    )  # fmt: skip


def same_frames_encode(rendered: Path, raw: Path, out: Path) -> float:
    """Encode time of exactly the rendered pixels (decoding them to raw first is not timed)."""
    ffmpeg("-i", str(rendered), "-an", "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw))
    encoder = encoding_for("final", fps_fraction(FPS), threads=0).argv()
    t0 = time.perf_counter()
    ffmpeg(
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS),
        "-i", str(raw), *encoder, "-an", str(out),
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    raw.unlink()
    return elapsed


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the media and outputs in this folder")
    parser.add_argument(
        "--encoder",
        choices=["auto", "x264", "nvenc"],
        default="auto",
        help="STORYREEL_RENDER_ENCODER for the renders (nvenc falls back to x264 without a GPU)",
    )
    parser.add_argument(
        "--no-qc", action="store_true", help="leave out the quality check after each render"
    )
    args = parser.parse_args()
    settings = {"render_encoder": args.encoder, "qc": {"enabled": not args.no_qc}}

    work = args.keep or Path(tempfile.mkdtemp(prefix="storyreel-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    media = work / "media"
    media.mkdir(exist_ok=True)
    data = make_media(media)
    timeline = media / "timeline.json"
    timeline.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    duration = CLIPS * CLIP_SECONDS - (CLIPS - 1) * CROSSFADE
    print(f"timeline: {CLIPS} clips, {duration:.1f}s, {WIDTH}x{HEIGHT}@{FPS}, 1080p sources")

    full, peaks, plain, rerender, reencoded, same = [], [], [], [], [], []
    edited = media / "shot_05.png"
    original = edited.read_bytes()
    for run in range(args.repeat):
        data_dir = work / f"data-{run}"
        shutil.rmtree(data_dir, ignore_errors=True)
        renderer = Renderer(Settings(data_dir=data_dir, **settings))
        if run == 0:
            print(f"encoder: {renderer.codec}; quality check: {'off' if args.no_qc else 'on'}")
        out = work / f"render-{run}.mp4"
        edited.write_bytes(original)
        t, peak = timed(lambda: renderer.render_file(timeline, out))  # noqa: B023
        full.append(t)
        peaks.append(peak)
        t_plain, _ = timed(lambda: plain_encode(duration, work / "plain.mp4"))
        plain.append(t_plain)
        same.append(same_frames_encode(out, work / "frames.yuv", work / "same.mp4"))
        # Change one clip's picture: same size, different content.
        new_picture = f"gradients=s=1920x1080:type=spiral:seed={run + 100}"
        ffmpeg("-f", "lavfi", "-i", new_picture, "-frames:v", "1", str(edited))
        result_box: list[Any] = []
        t_re, _ = timed(lambda: result_box.append(renderer.render_file(timeline, out)))  # noqa: B023
        rerender.append(t_re)
        reencoded.append(len(result_box[0].encoded_segments))
        print(
            f"run {run + 1}: render {t:.2f}s (peak {peak / 2**20:.0f} MB), plain {t_plain:.2f}s, "
            f"same-frames encode {same[-1]:.2f}s, "
            f"one-clip re-render {t_re:.2f}s ({reencoded[-1]} segments re-encoded)"
        )
    edited.write_bytes(original)

    med = statistics.median
    ratio = med(full) / med(plain)
    re_ratio = med(rerender) / med(full)
    peak_mb = max(peaks) / 2**20
    rows = [
        ("full render wall time", f"{med(full):.2f}s", ""),
        ("plain libx264 encode (floor)", f"{med(plain):.2f}s", ""),
        ("render / plain encode", f"{ratio:.2f}x", f"<= 1.5x  {verdict(ratio <= 1.5)}"),
        ("peak RSS (process tree)", f"{peak_mb:.0f} MB", f"<= 500 MB  {verdict(peak_mb <= 500)}"),
        ("encode of the same frames", f"{med(same):.2f}s", ""),
        ("render / same-frames encode", f"{med(full) / med(same):.2f}x", "(overhead)"),
        ("one-clip re-render", f"{med(rerender):.2f}s", ""),
        ("re-render / full render", f"{re_ratio:.0%}", f"<= 25%  {verdict(re_ratio <= 0.25)}"),
    ]
    print()
    print(f"{'figure (median of runs)':<32}{'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<32}{value:>10}  {target}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
