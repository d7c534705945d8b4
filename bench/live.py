"""Watch while it renders, and render as pictures land (issue #18, items 1 and 2).

Part 1 — live playback. The `bench/make.py` story is made once (offline providers); then its
timeline is rendered again from a cold render cache, --repeat times, with the live HLS stream
on. Printed side by side: the time from the render's start to its first playable segment (a
remuxed MPEG-TS file with picture and sound, listed in the playlist) and to the finished MP4.
Goal: the first segment ≤ 10 s after the render starts, whatever the film's length.

Part 2 — render as ready. The same story (condensed with --length to keep runs short) made end
to end by an embedded platform whose picture step takes --picture-latency seconds more per
shot (a real image service's pace; the offline sketch provider draws in milliseconds), once
with the render started as soon as voices and music are done (render_as_ready, the default)
and once after every picture (render_as_ready=false), interleaved, each in a fresh data
folder. Printed: median wall times of each and their ratio.

    python bench/live.py [--repeat 3] [--story tests/fixtures/story_zh.txt]
                         [--length 60] [--picture-latency 4] [--skip-live] [--skip-ready]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make import ROOT, make

from storyreel.domain.project import ProjectOptions
from storyreel.media.live import PLAYLIST, LiveStream
from storyreel.media.render import Renderer, load_timeline
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.make import make_film
from storyreel.settings import Settings
from storyreel.tasks.runner import TaskContext

FIRST_FRAME_GOAL_S = 10.0


def med(values: list[float]) -> float:
    return statistics.median(values)


# --- part 1: the first playable segment vs the whole render ---------------------------------


def live_render(timeline_path: Path, data_dir: Path, published: Path) -> tuple[float, float, int]:
    """Render ``timeline_path`` from a cold cache with live playback on; returns the seconds to
    the first published segment, to the finished MP4, and the number of segments."""
    for folder in (data_dir, published):  # left by an earlier run in a --keep folder
        shutil.rmtree(folder, ignore_errors=True)
    settings = Settings(data_dir=data_dir)
    renderer = Renderer(settings)
    timeline, sources = load_timeline(timeline_path)
    published.mkdir(parents=True)
    first: dict[str, float] = {}
    started = time.monotonic()

    def publish(name: str, path: Path) -> None:
        shutil.copyfile(path, published / name)
        if name.endswith(".ts"):
            first.setdefault("segment", time.monotonic() - started)

    live = LiveStream(ffmpeg=renderer.ffmpeg, work=data_dir / "live", publish=publish)
    result = renderer.render(timeline, sources, data_dir / "film.mp4", live=live)
    total = time.monotonic() - started
    playlist = (published / PLAYLIST).read_text()
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST"), "the playlist was not completed"
    return first["segment"], total, result.segments


def part_live(args: argparse.Namespace, work: Path) -> None:
    out = work / "made" / "film.mp4"
    timeline = out.parent / "timeline.json"
    if timeline.exists():  # --keep DIR of an earlier run: the same film, not made again
        print(f"reusing the film made earlier in {out.parent}", flush=True)
    else:
        print(f"making the film once ({args.story}) …", flush=True)
        story = (ROOT / args.story).read_text(encoding="utf-8")
        make(
            Settings(data_dir=work / "made-data"),
            out,
            ProjectOptions(style="ink_wash"),
            story=story,
        )
    film, _ = load_timeline(timeline)
    seconds = film.duration
    print(f"film: {seconds:.1f} s, {len(film.clips)} shots\n", flush=True)
    firsts, totals = [], []
    for run in range(args.repeat):
        first, total, segments = live_render(
            timeline, work / f"live-{run}", work / f"live-{run}-published"
        )
        firsts.append(first)
        totals.append(total)
        print(
            f"  run {run + 1}: first segment {first:6.2f} s   whole render {total:7.2f} s   "
            f"({segments} segments)",
            flush=True,
        )
    ok = med(firsts) <= FIRST_FRAME_GOAL_S
    print(
        f"\nlive playback ({seconds:.0f} s film, medians of {args.repeat}):\n"
        f"  first playable segment  {med(firsts):7.2f} s after the render starts "
        f"(goal ≤ {FIRST_FRAME_GOAL_S:.0f} s: {'met' if ok else 'MISSED'})\n"
        f"  whole render            {med(totals):7.2f} s\n"
        f"  first / whole           {med(firsts) / med(totals):7.1%}\n",
        flush=True,
    )


# --- part 2: render as ready vs generate-then-render ----------------------------------------


def slowed(platform: Platform, latency: float) -> None:
    """Every picture takes ``latency`` seconds longer, as a real image service would."""
    image = platform.kinds.get("image")

    def slow_image(ctx: TaskContext) -> dict[str, Any] | None:
        if ctx.cancel.wait(latency):
            return None
        return image.handler(ctx)

    platform.kinds.register("image", slow_image, image.policy)


def made_in(story: str, data_dir: Path, *, as_ready: bool, args: argparse.Namespace) -> float:
    settings = Settings(data_dir=data_dir, render_as_ready=as_ready)
    platform = Platform.embedded(settings)
    slowed(platform, args.picture_latency)
    platform.start()
    try:
        started = time.monotonic()
        make_film(
            platform,
            data_dir / "out" / "film.mp4",
            ProjectOptions(style="ink_wash", target_seconds=args.length),
            story=story,
        )
        return time.monotonic() - started
    finally:
        platform.stop()


def part_ready(args: argparse.Namespace, work: Path) -> None:
    story = (ROOT / args.story).read_text(encoding="utf-8")
    times: dict[bool, list[float]] = {True: [], False: []}
    for run in range(args.repeat):
        for as_ready in (True, False):
            seconds = made_in(story, work / f"ready-{run}-{as_ready}", as_ready=as_ready, args=args)
            times[as_ready].append(seconds)
            label = "render as ready" if as_ready else "render after all"
            print(f"  run {run + 1}: {label:<17} {seconds:7.2f} s", flush=True)
    early, late = med(times[True]), med(times[False])
    print(
        f"\nrender as ready ({args.story} condensed to ~{args.length:.0f} s, "
        f"+{args.picture_latency:g} s per picture, medians of {args.repeat}):\n"
        f"  render as pictures land      {early:7.2f} s\n"
        f"  generate, then render        {late:7.2f} s\n"
        f"  as ready / after all         {early / late:7.2f}×  ({late - early:.1f} s sooner)\n",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--story", default="tests/fixtures/story_zh.txt")
    parser.add_argument("--length", type=float, default=60.0, help="part 2: seconds of film")
    parser.add_argument("--picture-latency", type=float, default=4.0)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-ready", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="storyreel-bench-live-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_live:
            part_live(args, work)
        if not args.skip_ready:
            part_ready(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
