"""Story → finished video on one machine: every step, independent shots in parallel.

Writes beside the video: ``storyboard.json`` (edit it and run ``make --from`` to redo only what
changed), ``timeline.json`` (render it directly with ``storyreel render``), the ``.srt``,
``poster.jpg``, ``contact_sheet.jpg`` and a ``<name>_assets/`` folder the timeline points into.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storyreel.domain.cancel import CancelToken
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import StylePreset
from storyreel.media.render import RenderProgress, RenderResult, atomic_path
from storyreel.media.sources import resolve_sources
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.pipeline.timeline import CANVAS_SIZES, ShotMedia, build_timeline, video_seconds
from storyreel.providers.base import Brief, MotionSpec, Usage, VoiceSpec
from storyreel.providers.router import CallScope

STAGES = ("storyboard", "images", "voices", "motion", "music", "render")
Stage = Literal["storyboard", "images", "voices", "motion", "music", "render"]


@dataclass(frozen=True)
class MakeOptions:
    style: StylePreset
    aspect: Literal["16:9", "9:16", "1:1"] = "16:9"
    language: Literal["auto", "zh", "en"] = "auto"
    voice: str = "auto"
    voice_rate: float = 1.0
    music: str | None = "auto"  # a mood, "auto" (the storyboard's), or None for no music
    target_seconds: float | None = None
    max_shots: int = 60
    preview: bool = False
    seed: int = 0
    jobs: int = 2
    title: str | None = None
    #: Whose work this is (routes, own keys, budgets); None: the system's choices.
    scope: CallScope | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    done: int
    total: int
    detail: str = ""


@dataclass
class StageStats:
    seconds: float = 0.0
    generated: int = 0
    cached: int = 0


@dataclass
class MakeResult:
    video: Path
    storyboard: Path
    timeline: Path
    render: RenderResult
    board: Storyboard
    stages: dict[str, StageStats] = field(default_factory=dict)
    elapsed: float = 0.0


ProgressCallback = Callable[[StageProgress], None]


class _Reporter:
    """Counts finished items per stage and forwards them; thread-safe."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.lock = threading.Lock()
        self.stats: dict[str, StageStats] = {s: StageStats() for s in STAGES}
        self.done: Counter[str] = Counter()
        self.started: dict[str, float] = {}

    def begin(self, stage: Stage, total: int) -> None:
        with self.lock:
            self.started[stage] = time.perf_counter()
        self._emit(stage, 0, total)

    def item(self, stage: Stage, total: int, cached: bool) -> None:
        with self.lock:
            self.done[stage] += 1
            stats = self.stats[stage]
            if cached:
                stats.cached += 1
            else:
                stats.generated += 1
            stats.seconds = time.perf_counter() - self.started.get(stage, time.perf_counter())
            done = self.done[stage]
        self._emit(stage, done, total)

    def _emit(self, stage: Stage, done: int, total: int, detail: str = "") -> None:
        if self.callback is not None:
            self.callback(StageProgress(stage, done, total, detail))

    def render(self, p: RenderProgress) -> None:
        with self.lock:
            self.stats["render"].seconds = time.perf_counter() - self.started.get(
                "render", time.perf_counter()
            )
        self._emit("render", p.done_frames, p.total_frames, p.stage)


def make_storyboard(
    ctx: PipelineContext, story: str, options: MakeOptions
) -> tuple[Storyboard, Usage]:
    brief = Brief(
        style=options.style,
        language=options.language,
        aspect=options.aspect,
        target_seconds=options.target_seconds,
        max_shots=options.max_shots,
        title=options.title,
        seed=options.seed,
    )
    return steps.write_storyboard(ctx, story, brief, scope=options.scope)


def make_video(
    ctx: PipelineContext,
    out: Path,
    options: MakeOptions,
    *,
    story: str | None = None,
    board: Storyboard | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> MakeResult:
    """Run every step for a story (or an edited storyboard) and render the video to ``out``."""
    started = time.perf_counter()
    cancel = cancel or CancelToken()
    report = _Reporter(on_progress)
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)

    report.begin("storyboard", 1)
    if board is None:
        if story is None:
            raise ValueError("give a story or a storyboard")
        board, usage = make_storyboard(ctx, story, options)
        cached = usage.cached
        if options.target_seconds is not None:
            board = fit_to_length(ctx, story, board, options, options.target_seconds)
    else:
        cached = True
    report.item("storyboard", 1, cached)
    cancel.raise_if_cancelled()

    media, music = _generate(ctx, board, options, report, cancel)
    cancel.raise_if_cancelled()

    assets_dir = out.with_name(f"{out.stem}_assets")
    linked = _link_assets(assets_dir, board, media, music)
    timeline = build_timeline(
        board,
        linked.media,
        base_dir=out.parent,
        music=linked.music,
        quality="preview" if options.preview else "final",
    )
    storyboard_path = out.with_name("storyboard.json")
    timeline_path = out.with_name("timeline.json")
    _write_json(storyboard_path, board.model_dump_json(indent=2))
    _write_json(timeline_path, timeline.model_dump_json(indent=2))

    report.begin("render", 1)
    sources, problems = resolve_sources(
        json.loads(timeline.model_dump_json()), out.parent, allowed_roots=[]
    )
    if problems:  # our own files: a problem here is a bug, not bad input
        raise RuntimeError(f"generated timeline does not check: {problems}")
    result = ctx.renderer.render(
        timeline, sources, out, jobs=options.jobs, cancel=cancel, on_progress=report.render
    )
    report.stats["render"].generated = len(result.encoded_segments)
    report.stats["render"].cached = result.reused_segments
    return MakeResult(
        video=result.video,
        storyboard=storyboard_path,
        timeline=timeline_path,
        render=result,
        board=board,
        stages=report.stats,
        elapsed=time.perf_counter() - started,
    )


LENGTH_TOLERANCE = 0.1


def fit_to_length(
    ctx: PipelineContext, story: str, board: Storyboard, options: MakeOptions, target: float
) -> Storyboard:
    """Re-condense until the real narration fits the target length (within 10 %).

    The storyboard writer can only estimate how long speech takes; the voice provider knows.
    Voices are cheap and cached, so speak the shots, measure, and ask for a shorter storyboard
    in proportion when the video would run long — before any picture is made.
    """
    ask = target
    for _ in range(3):
        spec = VoiceSpec(voice=options.voice, language=board.language, rate=options.voice_rate)
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            jobs = [
                pool.submit(steps.make_voice, ctx, s.narration, spec, scope=options.scope)
                for s in board.shots
            ]
            voices = [job.result() for job in jobs]
        seconds = video_seconds(board, [v.duration for v in voices])
        if seconds <= target * (1 + LENGTH_TOLERANCE) or len(board.shots) == 1:
            break
        ask *= target / seconds
        board, _ = make_storyboard(
            ctx, story, dataclasses.replace(options, target_seconds=max(5.0, ask))
        )
    return board


@dataclass
class _ShotOutputs:
    image: steps.Asset | None = None
    voice: steps.VoiceAsset | None = None


def _generate(
    ctx: PipelineContext,
    board: Storyboard,
    options: MakeOptions,
    report: _Reporter,
    cancel: CancelToken,
) -> tuple[list[ShotMedia], steps.Asset | None]:
    """Images and voices for every shot in parallel, then motion, and the music bed."""
    width, height = CANVAS_SIZES[board.aspect]
    shots = board.shots
    outputs = [_ShotOutputs() for _ in shots]
    n = len(shots)
    report.begin("images", n)
    report.begin("voices", n)
    mood = mood_for(board, options.music)
    music_holder: list[steps.Asset] = []

    def image_job(i: int) -> None:
        cancel.raise_if_cancelled()
        asset = steps.make_image(
            ctx, board, shots[i], width, height, seed=options.seed, scope=options.scope
        )
        outputs[i].image = asset
        report.item("images", n, asset.cached)

    def voice_job(i: int) -> None:
        cancel.raise_if_cancelled()
        spec = VoiceSpec(voice=options.voice, language=board.language, rate=options.voice_rate)
        asset = steps.make_voice(ctx, shots[i].narration, spec, scope=options.scope)
        outputs[i].voice = asset
        report.item("voices", n, asset.cached)

    def music_job() -> None:
        assert mood is not None
        report.begin("music", 1)
        asset = steps.make_music(
            ctx, mood, music_seconds(board), seed=options.seed, scope=options.scope
        )
        music_holder.append(asset)
        report.item("music", 1, asset.cached)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="make") as pool:
        futures: list[Future[None]] = []
        if mood is not None:
            futures.append(pool.submit(music_job))
        for i in range(n):
            futures.append(pool.submit(voice_job, i))
            futures.append(pool.submit(image_job, i))
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for f in done:
            if f.exception() is not None:
                cancel.cancel()
                for p in pending:
                    p.cancel()
                raise f.exception()  # type: ignore[misc]

    report.begin("motion", n)
    media: list[ShotMedia] = []
    previous: str | None = None
    for i, shot in enumerate(shots):
        image, voice = outputs[i].image, outputs[i].voice
        assert image is not None and voice is not None
        spec = MotionSpec(
            shot_type=shot.shot_type,
            index=i,
            previous=previous,
            preferred=shot.camera_motion,
            seconds=voice.duration + 1.5,
            seed=options.seed,
            prompt=shot.visual_prompt,
        )
        choice = steps.make_motion(ctx, image.path, spec, scope=options.scope)
        previous = choice.plan.type
        report.item("motion", n, choice.usage.cached)
        media.append(
            ShotMedia(
                image=choice.clip.path if choice.clip else image.path,
                voice=voice.path,
                voice_seconds=voice.duration,
                motion=choice.plan,
                words=tuple(voice.words) if voice.words else None,
            )
        )
    return media, music_holder[0] if music_holder else None


def music_seconds(board: Storyboard) -> float:
    """Length of the music loop to ask for: bucketed, so a small edit reuses the same loop."""
    estimate = sum(s.duration_hint for s in board.shots)
    return min(60.0, math.ceil(estimate / 15) * 15)


def mood_for(board: Storyboard, music: str | None) -> str | None:
    """The music mood asked for: none, a named mood, or ("auto") the storyboard's commonest."""
    if music is None or music == "none":
        return None
    if music != "auto":
        return music
    moods = Counter(s.mood for s in board.shots if s.mood)
    return moods.most_common(1)[0][0] if moods else "calm"


@dataclass
class _Linked:
    media: list[ShotMedia]
    music: Path | None


def _link_assets(
    folder: Path, board: Storyboard, media: list[ShotMedia], music: steps.Asset | None
) -> _Linked:
    """Hard-link (or copy) generated files next to the video, so the timeline is portable."""
    folder.mkdir(parents=True, exist_ok=True)
    keep: set[str] = set()

    def place(src: Path, name: str) -> Path:
        dst = folder / name
        keep.add(name)
        if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.samefile(src):
            return dst
        tmp = folder / f".{name}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
        except OSError:  # another filesystem: copy instead
            tmp.write_bytes(src.read_bytes())
        os.replace(tmp, dst)
        return dst

    linked: list[ShotMedia] = []
    for i, (shot, m) in enumerate(zip(board.shots, media, strict=True)):
        tag = f"{i + 1:03d}-{shot.id}"
        image = place(m.image, f"{tag}-image-{_short(m.image)}{m.image.suffix}")
        voice = place(m.voice, f"{tag}-voice-{_short(m.voice)}{m.voice.suffix}")
        linked.append(
            ShotMedia(
                image=image,
                voice=voice,
                voice_seconds=m.voice_seconds,
                motion=m.motion,
                words=m.words,
            )
        )
    music_path = place(music.path, f"music-{_short(music.path)}.wav") if music else None
    for stale in folder.iterdir():
        if stale.name not in keep:
            with contextlib.suppress(OSError):
                stale.unlink()
    return _Linked(linked, music_path)


def _short(path: Path) -> str:
    """The blob's content hash (its file name) shortened, so names change when content does."""
    return path.stem[:10]


def _write_json(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
