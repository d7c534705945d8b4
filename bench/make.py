"""Story-to-video benchmark: a ~1,000-character Chinese story to a finished 1280×720 video.

Offline providers only (rules storyboard, sketch images, eSpeak voice, Ken Burns, ambient
music), a cold cache each run. Prints the wall time of each stage (stages overlap: images and
voices run side by side) and in total, peak memory of the whole process tree, the time of a
second run after one shot's prompt was edited in storyboard.json, and — measured in the same run
for scale — a plain libx264 encode of a synthetic source as long as the video made, at the same
size and encoder settings: the floor no renderer of that video can beat on this machine.

Targets (2-core machine): total ≤ 60 s; the one-shot edit ≤ 15 s.

    python bench/make.py [--repeat 3] [--story tests/fixtures/story_zh.txt]

With ``--stores local,s3`` it measures instead the cost of object storage (issue #16): the same
story made end to end on the local store and on an S3 store (a SeaweedFS server on loopback, as
the tests and bench/storage.py start it; a fresh prefix per run), the runs interleaved (local,
s3, local, s3 …, after one uncounted warm-up make), each in a fresh data dir, so nothing is
cached between runs. It prints the median wall time and stage spans of each store, the CPU
seconds of this process, of its children (FFmpeg) and of SeaweedFS, the peak RSS (SeaweedFS
left out), and the ratio s3/local (goal ≤ 1.15×), of the medians and run by run.
``--length SECONDS`` condenses the story (``make --length``) to keep it short; ``--trace`` also
counts and times the calls into each store and, on S3, every request by operation.

    python bench/make.py --stores local,s3 [--repeat 3] [--length 30] [--trace]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import PeakMemory, plain_encode, verdict

from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.make import STAGES, MakeResult, make_film
from storyreel.settings import S3Settings, Settings

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


# --- --stores local,s3: the same make on each store -------------------------------------------

STORES = ("local", "s3")
S3_GOAL = 1.15  # s3 / local, issue #16
BUCKET = "storyreel-bench-make"
# The store calls the trace times (generators and lazily read streams are left out: their cost
# falls in the caller's time, or in the requests listed below).
TRACED = ("put", "put_new", "exists", "head", "size", "local_file", "read_bytes", "delete",
          "delete_prefix")  # fmt: skip


class StoreTrace:
    """Counts and times the calls into the stores (the outermost call on each thread: ``put_new``
    asking ``exists`` first is one call), and each S3 request by operation, installed on the
    store classes for the whole run. Times are thread-seconds: calls on threads running side
    by side add up, so they can exceed the wall time. A GET's time is until its headers: the
    body is read afterwards, by whoever reads the stream."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._depth = threading.local()
        self._undo: list[Callable[[], None]] = []

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.seconds.clear()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.calls[name] += 1
            self.seconds[name] += seconds

    def install(self) -> None:
        from storyreel.storage.local import LocalBlobStore
        from storyreel.storage.s3 import S3BlobStore

        for cls, label in ((LocalBlobStore, "local"), (S3BlobStore, "s3")):
            for name in (n for n in TRACED if hasattr(cls, n)):
                self._patch(cls, name, self._timed(getattr(cls, name), f"{label}.{name}()"))
        self._patch(S3BlobStore, "_make_client", self._hooked(S3BlobStore._make_client))

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()

    def _patch(self, cls: type, name: str, new: Callable[..., Any]) -> None:
        old = cls.__dict__.get(name)
        setattr(cls, name, new)
        self._undo.append(
            (lambda: setattr(cls, name, old)) if old is not None else lambda: delattr(cls, name)
        )

    def _timed(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth.n = depth
                if depth == 0:
                    self.add(label, time.perf_counter() - t0)

        return call

    def _hooked(self, make_client: Callable[..., Any]) -> Callable[..., Any]:
        """Every client the S3 store makes reports each request (botocore's call events)."""

        def before(context: dict[str, Any], **_: Any) -> None:
            context["bench_t0"] = time.perf_counter()

        def after(model: Any, context: dict[str, Any], http_response: Any, **_: Any) -> None:
            status = getattr(http_response, "status_code", "?")
            seconds = time.perf_counter() - context.get("bench_t0", time.perf_counter())
            self.add(f"s3 {model.name} {status}", seconds)

        @functools.wraps(make_client)
        def make(store: Any, endpoint: str | None) -> Any:
            t0 = time.perf_counter()
            client = make_client(store, endpoint)
            self.add("s3 client made (boto3 session)", time.perf_counter() - t0)
            client.meta.events.register("before-call.s3", before)
            client.meta.events.register("after-call.s3", after)
            return client

        return make


CPU_OF = ("this process", "its children", "SeaweedFS")


def cpu_seconds(server: Any) -> tuple[float, float, float]:
    """CPU seconds (user + system) so far of this process (Python: the pipeline, boto3), of its
    children that have exited (FFmpeg, eSpeak) and of the SeaweedFS server (when running)."""
    t = psutil.Process().cpu_times()
    weed = 0.0
    if server is not None and server.pid is not None:
        with contextlib.suppress(psutil.Error):
            w = psutil.Process(server.pid).cpu_times()
            weed = w.user + w.system + w.children_user + w.children_system
    return t.user + t.system, t.children_user + t.children_system, weed


def compare_stores(args: argparse.Namespace, story: str) -> int:
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not stores or any(s not in STORES for s in stores):
        raise SystemExit(f"--stores: a list of {', '.join(STORES)} (got {args.stores!r})")
    from storage import start_local_s3  # bench/storage.py: the tests' SeaweedFS on loopback

    options = ProjectOptions(style="ink_wash", target_seconds=args.length)
    work = Path(tempfile.mkdtemp(prefix="storyreel-make-stores-"))
    server = None
    trace = StoreTrace() if args.trace else None
    totals: dict[str, list[float]] = {s: [] for s in stores}
    peaks: dict[str, list[int]] = {s: [] for s in stores}
    spans: dict[str, dict[str, list[float]]] = {s: {st: [] for st in STAGES} for s in stores}
    traced: dict[str, list[tuple[Counter[str], dict[str, float]]]] = {s: [] for s in stores}
    cpu: dict[str, list[list[float]]] = {s: [] for s in stores}
    try:
        s3: S3Settings | None = None
        if "s3" in stores:
            server, s3 = start_local_s3(work / "seaweedfs")
            server.create_bucket(BUCKET)
            print(f"S3: SeaweedFS at {s3.endpoint_url}, bucket {BUCKET}, a fresh prefix per run")
        exclude = [server.pid] if server is not None and server.pid is not None else []
        # The first make in a process pays one-time costs (imports, FFmpeg's and fontconfig's
        # first runs): a warm-up make on the local store, not counted.
        warm = work / "warm-up"
        t0 = time.perf_counter()
        make(
            Settings(data_dir=warm / "data", render_jobs=2), warm / "film.mp4", options, story=story
        )
        print(f"warm-up (local, not counted): {time.perf_counter() - t0:.2f}s")
        shutil.rmtree(warm, ignore_errors=True)
        if trace is not None:
            trace.install()
        for run in range(args.repeat):
            for name in stores:
                run_dir = work / f"run-{run + 1}-{name}"
                # Only the store differs: s3 is chosen by settings alone, as a deployment does.
                on_s3: dict[str, Any] = (
                    {"storage_url": f"s3://{BUCKET}/run-{run + 1}", "s3": s3}
                    if name == "s3"
                    else {}
                )
                settings = Settings(data_dir=run_dir / "data", render_jobs=2, **on_s3)
                if trace is not None:
                    trace.reset()
                before = cpu_seconds(server)
                with PeakMemory(exclude=exclude) as mem:
                    t0 = time.perf_counter()
                    result = make(settings, run_dir / "out" / "film.mp4", options, story=story)
                    total = time.perf_counter() - t0
                cpu[name].append([b - a for a, b in zip(before, cpu_seconds(server), strict=True)])
                totals[name].append(total)
                peaks[name].append(mem.peak)
                for stage, stats in result.stages.items():
                    spans[name][stage].append(stats.seconds)
                if trace is not None:
                    traced[name].append((Counter(trace.calls), dict(trace.seconds)))
                print(
                    f"run {run + 1} {name:<5}: {result.render.duration:.1f}s video, "
                    f"{result.render.size_bytes / 1e6:.1f} MB, "
                    f"{len(result.render.segment_keys)} segments, total {total:.2f}s "
                    f"(peak {mem.peak / 2**20:.0f} MB)"
                )
                shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        if trace is not None:
            trace.uninstall()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    print()
    print(f"{'median wall span (s)':<28}" + "".join(f"{s:>9}" for s in stores))
    for stage in STAGES:
        print(f"{stage:<28}" + "".join(f"{med(spans[s][stage]):>9.2f}" for s in stores))
    print(f"{'total':<28}" + "".join(f"{med(totals[s]):>9.2f}" for s in stores))
    print(
        f"{'peak RSS (MB, max of runs)':<28}"
        + "".join(f"{max(peaks[s]) / 2**20:>9.0f}" for s in stores)
    )
    for i, what in enumerate(CPU_OF):
        label = f"CPU s, {what}"
        print(f"{label:<28}" + "".join(f"{med(c[i] for c in cpu[s]):>9.2f}" for s in stores))
    if "local" in stores and "s3" in stores:
        ratio = med(totals["s3"]) / med(totals["local"])
        print(
            f"{'s3 / local (total)':<28}{ratio:>8.2f}x  goal <= {S3_GOAL:.2f}x  "
            f"{verdict(ratio <= S3_GOAL)}"
        )
        pairs = [s3 / local for local, s3 in zip(totals["local"], totals["s3"], strict=True)]
        listed = ", ".join(f"{r:.2f}" for r in pairs)
        print(f"{'s3 / local, run by run':<28}{med(pairs):>8.2f}x  (median of {listed})")
    if trace is not None:
        print_trace(stores, traced)
    return 0


def print_trace(
    stores: list[str], traced: dict[str, list[tuple[Counter[str], dict[str, float]]]]
) -> None:
    """Per run (the mean of the runs): calls, and thread-seconds spent in them."""
    print()
    print("store calls and S3 requests, per run (mean of runs; seconds are thread-seconds)")
    print(f"  {'store':<6}{'call / request (status)':<40}{'count':>8}{'seconds':>9}{'ms each':>9}")
    for name in stores:
        runs = traced[name]
        labels = sorted(
            {k for calls, _ in runs for k in calls}, key=lambda k: (k.startswith("s3 "), k)
        )
        for label in labels:
            count = sum(calls[label] for calls, _ in runs) / len(runs)
            seconds = sum(secs.get(label, 0.0) for _, secs in runs) / len(runs)
            each = seconds / count * 1000 if count else 0.0
            print(f"  {name:<6}{label:<40}{count:>8.1f}{seconds:>9.2f}{each:>9.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--story", type=Path, default=ROOT / "tests" / "fixtures" / "story_zh.txt")
    parser.add_argument(
        "--stores",
        help="compare make on these stores instead (local,s3): interleaved runs, fresh data dirs",
    )
    parser.add_argument(
        "--length", type=float, help="with --stores: condense the story to SECONDS (make --length)"
    )
    parser.add_argument(
        "--trace", action="store_true", help="with --stores: count and time store calls"
    )
    args = parser.parse_args()
    story = args.story.read_text(encoding="utf-8")
    print(f"story: {args.story.name}, {len(story)} characters")
    if args.stores:
        return compare_stores(args, story)

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
