"""Story-to-video benchmark: a ~1,000-character Chinese story to a finished 1280×720 video.

Offline providers only (rules storyboard, sketch images, eSpeak voice, Ken Burns, ambient
music), a cold cache each run. Prints the wall time of each stage (stages overlap: images and
voices run side by side) and in total, peak memory of the whole process tree, the time of a
second run after one shot's prompt was edited in storyboard.json, and — measured in the same run
for scale — a plain libx264 encode of a synthetic source as long as the video made, at the same
size and encoder settings: the floor no renderer of that video can beat on this machine.

Targets (2-core machine): total ≤ 60 s; the one-shot edit ≤ 15 s.

    python bench/make.py [--repeat 3] [--story tests/fixtures/story_zh.txt]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import PeakMemory, plain_encode, verdict

from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.make import STAGES, MakeResult, make_film
from storyreel.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def make(
    settings: Settings,
    out: Path,
    options: ProjectOptions,
    *,
    story: str | None = None,
    board: Storyboard | None = None,
) -> MakeResult:
    """As `storyreel make` does it: an embedded platform, started and stopped per film."""
    platform = Platform.embedded(settings).start()
    try:
        return make_film(platform, out, options, story=story, board=board)
    finally:
        platform.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--story", type=Path, default=ROOT / "tests" / "fixtures" / "story_zh.txt")
    args = parser.parse_args()
    story = args.story.read_text(encoding="utf-8")
    print(f"story: {args.story.name}, {len(story)} characters")

    totals, edits, peaks, condensed, floors = [], [], [], [], []
    stage_times: dict[str, list[float]] = {s: [] for s in STAGES}
    for run in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="storyreel-make-"))
        try:
            settings = Settings(data_dir=work / "data", render_jobs=2)
            options = ProjectOptions(style="ink_wash")
            out = work / "out" / "film.mp4"
            with PeakMemory() as mem:
                t0 = time.perf_counter()
                result = make(settings, out, options, story=story)
                total = time.perf_counter() - t0
            for stage, stats in result.stages.items():
                stage_times[stage].append(stats.seconds)
            board = Storyboard.model_validate_json(result.storyboard.read_text("utf-8"))
            k = len(board.shots) // 2
            board.shots[k].visual_prompt = "a lantern glowing in the rain above the harbour"
            t0 = time.perf_counter()
            edited = make(settings, out, options, board=board)
            edit = time.perf_counter() - t0
            # The floor: the encoder alone on a synthetic video of the same length.
            t0 = time.perf_counter()
            plain_encode(result.render.duration, work / "plain.mp4")
            floor = time.perf_counter() - t0
            floors.append(floor)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        # The same story condensed to about a minute (`make --length 60s`), cold cache.
        short_work = Path(tempfile.mkdtemp(prefix="storyreel-make-"))
        try:
            short_settings = Settings(data_dir=short_work / "data", render_jobs=2)
            short = ProjectOptions(style="ink_wash", target_seconds=60)
            t0 = time.perf_counter()
            short_result = make(short_settings, short_work / "out" / "film.mp4", short, story=story)
            condensed.append(time.perf_counter() - t0)
        finally:
            shutil.rmtree(short_work, ignore_errors=True)
        totals.append(total)
        edits.append(edit)
        peaks.append(mem.peak)
        print(
            f"run {run + 1}: {len(board.shots)} shots, {result.render.duration:.1f}s video, "
            f"total {total:.2f}s (peak {mem.peak / 2**20:.0f} MB); one-shot edit {edit:.2f}s "
            f"({edited.stages['images'].generated} image, "
            f"{len(edited.render.encoded_segments)} segments re-encoded); "
            f"with --length 60s: {short_result.render.duration:.1f}s video "
            f"in {condensed[-1]:.2f}s; plain encode of {result.render.duration:.1f}s (floor) "
            f"{floor:.2f}s"
        )

    med = statistics.median
    print()
    print(f"{'stage (median wall span)':<28}{'seconds':>9}")
    for stage in STAGES:
        print(f"{stage:<28}{med(stage_times[stage]):>9.2f}")
    print()
    print(f"{'figure (median of runs)':<28}{'value':>9}  target")
    total_ok, edit_ok = med(totals) <= 60, med(edits) <= 15
    print(f"{'total':<28}{med(totals):>8.2f}s  <= 60 s  {verdict(total_ok)}")
    print(f"{'one shot edited':<28}{med(edits):>8.2f}s  <= 15 s  {verdict(edit_ok)}")
    print(f"{'plain x264 encode (floor)':<28}{med(floors):>8.2f}s  same length, size, settings")
    print(f"{'total / floor':<28}{med(totals) / med(floors):>8.2f}x")
    print(f"{'same story, --length 60s':<28}{med(condensed):>8.2f}s")
    print(f"{'peak RSS (process tree)':<28}{max(peaks) / 2**20:>7.0f}MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
