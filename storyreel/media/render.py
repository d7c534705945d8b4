"""Render a timeline to an MP4 with FFmpeg: cached segments in parallel, then a stream-copy join.

Outputs beside the video: ``<name>.srt``, ``poster.jpg`` and ``contact_sheet.jpg``. Every file is
written under a temporary name and renamed when complete, so a failure or a cancellation never
leaves a partial output behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

from storyreel.domain.cancel import CancelToken
from storyreel.domain.timeline import (
    Problem,
    Timeline,
    TimelineError,
    parse_timeline,
    parse_timeline_json,
)
from storyreel.media import plan as planning
from storyreel.media.audio import AudioLayer, MixSpec, MusicBed, render_soundtrack
from storyreel.media.encoders import Codec, choose_codec
from storyreel.media.ffmpeg import ffmpeg_build, find_ffmpeg, run_ffmpeg
from storyreel.media.fonts import FontInfo, fallback_fonts, subtitle_font
from storyreel.media.live import LiveStream, live_segments
from storyreel.media.qc import check_render, picture_params, segment_picture_events
from storyreel.media.qc_report import QcReport
from storyreel.media.sources import Source, SourceKey, file_digest, resolve_sources
from storyreel.media.subtitles import Cue, build_ass, build_srt
from storyreel.settings import Settings


@dataclass(frozen=True)
class RenderProgress:
    """Where a render stands: frames done out of the total, and the current stage."""

    stage: str
    done_frames: int
    total_frames: int

    @property
    def fraction(self) -> float:
        return self.done_frames / self.total_frames if self.total_frames else 1.0


ProgressCallback = Callable[[RenderProgress], None]

#: The stage of a render started early while it waits for pictures (``render_as_ready``).
WAITING_STAGE = "waiting for pictures"


class SharedRenderCache(Protocol):
    """Render-cache files shared by the workers of a cluster (blobs in the object store), so a
    segment encoded on one machine is fetched, not encoded again, by another (ADR 0008: a
    download is hundreds of times cheaper than the encode). ``name`` is a path inside the cache,
    such as ``segments/{key}.mp4``. Neither call raises for a store that misbehaves: a miss
    costs an encode, a failed share costs the next worker one."""

    def fetch(self, name: str, dest: Path) -> bool:
        """Write the shared file ``name`` to ``dest``; False when there is none."""

    def publish(self, name: str, src: Path) -> None:
        """Share ``src`` as ``name`` (content-addressed by its name: the first writer wins)."""


@dataclass(frozen=True)
class RenderInputs:
    """The film as far as it is known while its pictures are still being made.

    ``timeline`` and ``sources`` describe every clip (a clip whose picture is not ready yet
    points at any stand-in picture); ``ready`` holds the indices of the clips whose inputs are
    final. Segments made only of ready clips can be encoded now.
    """

    timeline: Timeline
    sources: dict[SourceKey, Source]
    ready: frozenset[int]

    @property
    def complete(self) -> bool:
        return len(self.ready) >= len(self.timeline.clips)


class InputsFeed(Protocol):
    """Where ``render_as_ready`` learns what is ready (the render task reads the database)."""

    def current(self) -> RenderInputs:
        """The film as it stands now; raises to stop the render (an input failed)."""

    def wait(self, seconds: float) -> None:
        """Return after ``seconds`` or sooner when inputs may have changed."""


@dataclass
class RenderResult:
    """What a render produced and how much work it had to do."""

    video: Path
    srt: Path
    poster: Path
    contact_sheet: Path
    duration: float
    frames: int
    width: int
    height: int
    size_bytes: int
    segments: int
    segment_keys: list[str] = field(default_factory=list)  # in clip order
    encoded_segments: list[str] = field(default_factory=list)
    fetched_segments: list[str] = field(default_factory=list)  # from the shared cache
    audio_reused: bool = False
    elapsed: float = 0.0
    early_segments: list[str] = field(default_factory=list)  # encoded before every shot was ready
    qc: QcReport | None = None  # the quality check of the finished video (None: turned off)

    @property
    def reused_segments(self) -> int:
        return self.segments - len(self.encoded_segments)


def load_timeline(
    path: Path, allowed_roots: Sequence[Path] = ()
) -> tuple[Timeline, dict[SourceKey, Source]]:
    """Read, validate and check a timeline file; every problem is reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TimelineError([Problem("", f"timeline file not found: {path}")]) from None
    except UnicodeDecodeError:
        raise TimelineError([Problem("", f"{path} is not UTF-8 text")]) from None
    except OSError as err:
        raise TimelineError([Problem("", f"cannot read {path}: {err.strerror}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        parse_timeline_json(text)  # raises with line and column
        raise
    return check_timeline(data, path.parent, allowed_roots)


def check_timeline(
    data: Any, base_dir: Path, allowed_roots: Sequence[Path] = ()
) -> tuple[Timeline, dict[SourceKey, Source]]:
    """Validate decoded timeline JSON and its files; ``TimelineError`` lists every problem."""
    problems: list[Problem] = []
    timeline: Timeline | None = None
    try:
        timeline = parse_timeline(data)
    except TimelineError as err:
        problems += err.problems
    sources: dict[SourceKey, Source] = {}
    if isinstance(data, dict):
        sources, file_problems = resolve_sources(data, base_dir, allowed_roots)
        problems += file_problems
    if problems or timeline is None:
        raise TimelineError(problems or [Problem("", "the timeline must be a JSON object")])
    return timeline, sources


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary sibling of ``final`` that replaces it only if the block succeeds."""
    tmp = final.with_name(f".{final.stem}.partial-{secrets.token_hex(4)}{final.suffix}")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


class Renderer:
    """Renders timelines with a shared, content-addressed segment cache under the data dir."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ffmpeg = find_ffmpeg(settings.ffmpeg)
        self.ffmpeg_build = ffmpeg_build(self.ffmpeg)
        self.codec: Codec = choose_codec(self.ffmpeg, settings.render_encoder)
        self.font: FontInfo = subtitle_font(settings.subtitle_font_file)
        self.root = settings.cache_dir / "render"
        for sub in ("segments", "audio", "tmp", "fonts"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.ffmpeg_env: dict[str, str] = {}
        self._font_file = self._link_font()
        fonts = [self.font.path, *fallback_fonts()]
        self.font_key = ",".join(f"{p.name}:{file_digest(p)[:12]}" for p in fonts)

    def _link_font(self) -> str:
        """Expose the fonts inside the cache folder so filter strings only name our own paths.

        libass finds them through fontconfig and falls back to them for missing glyphs.
        """
        folder = self.root / "fonts"
        link = folder / f"subtitles{self.font.path.suffix.lower()}"
        _symlink(link, self.font.path)
        for index, fallback in enumerate(fallback_fonts()):
            _symlink(folder / f"fallback-{index:02d}{fallback.suffix.lower()}", fallback)
        # libass asks fontconfig for fallbacks; confine it to our fonts so output does not
        # depend on what happens to be installed on the machine (and cache keys stay honest).
        conf = folder / "fonts.conf"
        text = (
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            f"  <dir>{escape(str(folder))}</dir>\n"
            f"  <cachedir>{escape(str(self.root / 'fontconfig-cache'))}</cachedir>\n"
            "</fontconfig>\n"
        )
        if not conf.exists() or conf.read_text(encoding="utf-8") != text:
            with atomic_path(conf) as tmp:
                tmp.write_text(text, encoding="utf-8")
        self.ffmpeg_env = {"FONTCONFIG_FILE": str(conf)}
        return planning.relative_to(link, self.root)

    # --- public API ---------------------------------------------------------------------

    def render_file(
        self,
        timeline_path: Path,
        out: Path,
        *,
        preview: bool = False,
        jobs: int | None = None,
        allowed_roots: Sequence[Path] = (),
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        shared: SharedRenderCache | None = None,
    ) -> RenderResult:
        timeline, sources = load_timeline(timeline_path, allowed_roots)
        if preview:
            timeline = with_quality(timeline, "preview")
        return self.render(
            timeline,
            sources,
            out,
            jobs=jobs,
            cancel=cancel,
            on_progress=on_progress,
            shared=shared,
        )

    def render(
        self,
        timeline: Timeline,
        sources: dict[SourceKey, Source],
        out: Path,
        *,
        jobs: int | None = None,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        shared: SharedRenderCache | None = None,
        live: LiveStream | None = None,
    ) -> RenderResult:
        """Render ``timeline`` to ``out``. Segments come from this machine's render cache, then
        from ``shared`` (the cluster's), and are encoded only when neither has them. With
        ``live``, every segment is also published to a growing HLS playlist as it lands."""
        started = time.monotonic()
        out = out.expanduser().resolve()
        if out.suffix.lower() != ".mp4":
            raise TimelineError([Problem("", f"the output must be an .mp4 file, not {out.name}")])
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TimelineError(
                [Problem("", f"cannot create the output folder {out.parent}: {err.strerror}")]
            ) from None
        jobs = jobs or self.settings.render_jobs
        plan = self._plan(timeline, sources, jobs)
        token = CancelToken()
        unlink_parent = cancel.on_cancel(token.cancel) if cancel is not None else None
        tracker = _ProgressTracker(plan.total_frames, on_progress)
        try:
            encoded, fetched, audio_reused, audio_file = self._render_parts(
                plan, timeline, sources, jobs, token, tracker, shared, live
            )
            tracker.stage("joining")
            self._mux(plan, audio_file, out, token)
            srt = out.with_suffix(".srt")
            with atomic_path(srt) as tmp:
                tmp.write_text(
                    build_srt([Cue(s.start, s.end, s.text, s.second) for s in timeline.subtitles]),
                    encoding="utf-8",
                )
            poster = out.with_name("poster.jpg")
            contact = out.with_name("contact_sheet.jpg")
            self._poster(out, plan, poster, token)
            self._contact_sheet(plan, contact, token)
            if live is not None:
                live.finish()
            report = self._check(plan, timeline, sources, out, audio_file, jobs, token, tracker)
        finally:
            if unlink_parent is not None:
                unlink_parent()
        used = {seg.key for seg in plan.segments} | {audio_file.stem}
        self.trim_cache(keep=used | {f"{stem}.qc" for stem in used})
        tracker.stage("done")
        return RenderResult(
            video=out,
            srt=srt,
            poster=poster,
            contact_sheet=contact,
            duration=plan.duration,
            frames=plan.total_frames,
            width=plan.width,
            height=plan.height,
            size_bytes=out.stat().st_size,
            segments=len(plan.segments),
            segment_keys=[seg.key for seg in plan.segments],
            encoded_segments=encoded,
            fetched_segments=fetched,
            audio_reused=audio_reused,
            elapsed=time.monotonic() - started,
            qc=report,
        )

    def render_as_ready(
        self,
        feed: InputsFeed,
        out: Path,
        *,
        jobs: int | None = None,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        shared: SharedRenderCache | None = None,
        live: LiveStream | None = None,
        poll_s: float = 1.0,
    ) -> RenderResult:
        """Render while the film's pictures are still being made: a segment is encoded as soon
        as the clips it shows are ready (its own, and the previous one's during an entry
        transition), and the soundtrack as soon as the render starts. When every clip is ready
        the film is joined by ``render``, which then finds those segments in the cache."""
        jobs = jobs or self.settings.render_jobs
        token = CancelToken()
        unlink_parent = cancel.on_cancel(token.cancel) if cancel is not None else None
        started: dict[str, Future[Any]] = {}
        tracker: _ProgressTracker | None = None
        try:
            with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="early") as pool:
                try:
                    inputs = feed.current()
                    while not inputs.complete:
                        plan = self._plan(inputs.timeline, inputs.sources, jobs)
                        if tracker is None:
                            tracker = _ProgressTracker(plan.total_frames, on_progress)
                            tracker.stage(WAITING_STAGE)
                            self._start_early_soundtrack(plan, inputs, pool, token, started)
                        if live is not None:
                            self._begin_live(live, plan, inputs.timeline, inputs.sources)
                        for seg in plan.segments:
                            clips = {layer.clip_index for layer in seg.layers}
                            if seg.key in started or not clips <= inputs.ready:
                                continue
                            started[seg.key] = self._submit_segment(
                                pool, plan, seg, token, tracker, shared, live
                            )
                        _raise_first_failure(started.values())
                        token.raise_if_cancelled()
                        feed.wait(poll_s)
                        inputs = feed.current()
                except BaseException:
                    token.cancel()  # the pool's exit waits for the encoders it kills
                    raise
            _raise_first_failure(started.values())
        finally:
            if unlink_parent is not None:
                unlink_parent()
        result = self.render(
            inputs.timeline,
            inputs.sources,
            out,
            jobs=jobs,
            cancel=cancel,
            on_progress=on_progress,
            shared=shared,
            live=live,
        )
        # What was made early counts as this render's work (the join found it in the cache).
        used = set(result.segment_keys)
        early = {k: f.result() for k, f in started.items() if k in used}
        result.encoded_segments += [k for k, encoded in early.items() if encoded]
        result.early_segments = sorted(early)
        return result

    def _start_early_soundtrack(
        self,
        plan: planning.RenderPlan,
        inputs: RenderInputs,
        pool: ThreadPoolExecutor,
        token: CancelToken,
        started: dict[str, Future[Any]],
    ) -> None:
        """Mix the soundtrack now when no clip still to come can change it (clips with their
        own sound are waited for); the final render finds it in the cache."""
        pending = set(range(len(inputs.timeline.clips))) - inputs.ready
        if any(inputs.timeline.clips[i].keep_audio for i in pending):
            return
        spec = mix_spec(inputs.timeline, inputs.sources, plan.duration)
        audio_file = self._soundtrack_file(spec, inputs.sources)
        if audio_file.exists():
            return
        timeout = self.settings.render_timeout_s
        started[f"audio:{audio_file.stem}"] = pool.submit(
            render_soundtrack, spec, audio_file, ffmpeg=self.ffmpeg, timeout=timeout, cancel=token
        )

    def _check(
        self,
        plan: planning.RenderPlan,
        timeline: Timeline,
        sources: dict[SourceKey, Source],
        video: Path,
        soundtrack: Path,
        jobs: int,
        token: CancelToken,
        tracker: _ProgressTracker,
    ) -> QcReport | None:
        """The quality check of the joined video (``docs/quality-checks.md``), its picture and
        sound measurements cached beside the segments and the soundtrack they measured."""
        if not self.settings.qc.enabled:
            return None
        tracker.stage("checking")
        return check_render(
            ffmpeg=self.ffmpeg,
            env=self.ffmpeg_env,
            work_dir=self.root / "tmp",
            plan=plan,
            timeline=timeline,
            spec=mix_spec(timeline, sources, plan.duration),
            video=video,
            thresholds=self.settings.qc,
            font_family=self.font.family,
            segment_files={seg.key: self.segment_path(seg.key) for seg in plan.segments},
            soundtrack=soundtrack,
            jobs=jobs,
            timeout=self.settings.render_timeout_s,
            cancel=token,
        )

    def _soundtrack_file(self, spec: MixSpec, sources: dict[SourceKey, Source]) -> Path:
        return self.root / "audio" / f"{audio_key(spec, sources, self.ffmpeg_build)}.m4a"

    def _plan(
        self, timeline: Timeline, sources: dict[SourceKey, Source], jobs: int
    ) -> planning.RenderPlan:
        # Two processes per core at most: x264 threads in each, and FFmpeg threads per filter.
        return planning.build_plan(
            timeline,
            sources,
            font_key=self.font_key,
            tool_key=self.ffmpeg_build,
            threads=1 if jobs > 1 else 0,
            codec=self.codec,
        )

    def _begin_live(
        self,
        live: LiveStream,
        plan: planning.RenderPlan,
        timeline: Timeline,
        sources: dict[SourceKey, Source],
    ) -> None:
        music = timeline.music
        live.begin(
            live_segments([(s.start_frame, s.frames, s.key) for s in plan.segments], plan.fps),
            {seg.key: self.segment_path(seg.key) for seg in plan.segments},
            mix_spec(timeline, sources, plan.duration),
            sources[("audio", music.source)].duration if music is not None else None,
        )

    def _submit_segment(
        self,
        pool: ThreadPoolExecutor,
        plan: planning.RenderPlan,
        seg: planning.Segment,
        token: CancelToken,
        tracker: _ProgressTracker,
        shared: SharedRenderCache | None,
        live: LiveStream | None,
    ) -> Future[Any]:
        """Put the segment in the cache on the pool (tells ``live`` when it is there)."""
        if self.segment_path(seg.key).exists():
            tracker.add(seg.frames)
            done: Future[Any] = Future()
            done.set_result(False)
            if live is not None:
                live.segment_ready(seg.key)
            return done
        return pool.submit(self._make_segment, plan, seg, token, tracker, shared, live)

    # --- steps --------------------------------------------------------------------------

    def trim_cache(self, keep: set[str]) -> int:
        """Delete least recently used segments and soundtracks beyond ``render_cache_gb``.

        Files whose stem is in ``keep`` (what the render just used) are never deleted.
        Returns the number of bytes freed.
        """
        limit = int(self.settings.render_cache_gb * 2**30)
        entries = []
        for folder in ("segments", "audio"):
            for path in (self.root / folder).iterdir():
                with contextlib.suppress(FileNotFoundError):
                    st = path.stat()
                    entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        freed = 0
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total - freed <= limit:
                break
            if path.stem in keep:
                continue
            path.unlink(missing_ok=True)
            freed += size
        return freed

    def segment_path(self, key: str) -> Path:
        return self.root / "segments" / f"{key}.mp4"

    def _render_parts(
        self,
        plan: planning.RenderPlan,
        timeline: Timeline,
        sources: dict[SourceKey, Source],
        jobs: int,
        token: CancelToken,
        tracker: _ProgressTracker,
        shared: SharedRenderCache | None,
        live: LiveStream | None = None,
    ) -> tuple[list[str], list[str], bool, Path]:
        """Render missing segments and the soundtrack in parallel (each fetched from ``shared``
        first); return the segments encoded, those fetched, and whether the soundtrack was
        reused."""
        tracker.stage("rendering")
        spec = mix_spec(timeline, sources, plan.duration)
        audio_file = self._soundtrack_file(spec, sources)
        audio_name = audio_file.name
        audio_reused = audio_file.exists()
        if audio_reused:
            os.utime(audio_file)
        elif shared is not None:
            audio_reused = self._fetch_shared(shared, f"audio/{audio_name}", audio_file)
        if live is not None:
            self._begin_live(live, plan, timeline, sources)
            if audio_reused:
                live.soundtrack_ready(audio_file)
        todo: list[planning.Segment] = []
        seen: set[str] = set()
        for seg in plan.segments:
            cached = self.segment_path(seg.key)
            if cached.exists() or seg.key in seen:
                with contextlib.suppress(FileNotFoundError):
                    os.utime(cached)  # recently used: the cache trims least recently used first
                tracker.add(seg.frames)
                if live is not None and seg.key not in seen:
                    live.segment_ready(seg.key)
            else:
                seen.add(seg.key)
                todo.append(seg)
        if live is None:
            # Longest first, so one long segment does not start last and leave a core idle.
            todo.sort(key=lambda s: s.frames * len(s.layers), reverse=True)
        # else in film order: the playlist grows from the start, so the first shot goes first.
        timeout = self.settings.render_timeout_s
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="render") as pool:
            futures: list[Future[Any]] = []
            if not audio_reused:
                soundtrack = pool.submit(
                    render_soundtrack,
                    spec,
                    audio_file,
                    ffmpeg=self.ffmpeg,
                    timeout=timeout,
                    cancel=token,
                )
                if live is not None:
                    soundtrack.add_done_callback(
                        _when_done(lambda: live.soundtrack_ready(audio_file))
                    )
                futures.append(soundtrack)
            made = {
                seg.key: self._submit_segment(pool, plan, seg, token, tracker, shared, live)
                for seg in todo
            }
            done, pending = wait([*futures, *made.values()], return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                token.cancel()  # stop the siblings: their FFmpeg processes are killed
                wait(pending)
                raise failed[0].exception()  # type: ignore[misc]
        if shared is not None and not audio_reused:
            shared.publish(f"audio/{audio_name}", audio_file)
        encoded = [key for key, f in made.items() if f.result()]
        fetched = [key for key, f in made.items() if not f.result()]
        return encoded, fetched, audio_reused, audio_file

    def _fetch_shared(self, shared: SharedRenderCache, name: str, final: Path) -> bool:
        """Copy ``name`` from the shared cache to ``final`` (atomically); False on a miss."""
        tmp = self.root / "tmp" / f"{final.stem}.{secrets.token_hex(4)}{final.suffix}"
        try:
            if not shared.fetch(name, tmp):
                return False
            os.replace(tmp, final)
            return True
        finally:
            tmp.unlink(missing_ok=True)

    def _make_segment(
        self,
        plan: planning.RenderPlan,
        seg: planning.Segment,
        token: CancelToken,
        tracker: _ProgressTracker,
        shared: SharedRenderCache | None,
        live: LiveStream | None = None,
    ) -> bool:
        """Put the segment in this machine's cache: fetched when another worker shared it,
        else encoded (then shared, and measured for the quality check). ``live`` hears of it
        as soon as it is there. True when it was encoded."""
        token.raise_if_cancelled()
        video, thumb = f"segments/{seg.key}.mp4", f"segments/{seg.key}.jpg"
        # The thumbnail first: the video's presence is what marks a segment as complete.
        if (
            shared is not None
            and self._fetch_shared(shared, thumb, self.root / thumb)
            and self._fetch_shared(shared, video, self.root / video)
        ):
            tracker.add(seg.frames)
            if live is not None:
                live.segment_ready(seg.key)
            return False
        self._render_segment(plan, seg, token, tracker)
        if live is not None:
            live.segment_ready(seg.key)
        if shared is not None:
            shared.publish(thumb, self.root / thumb)
            shared.publish(video, self.root / video)
        self._measure_segment(plan, seg, token)
        return True

    def _render_segment(
        self,
        plan: planning.RenderPlan,
        seg: planning.Segment,
        token: CancelToken,
        tracker: _ProgressTracker,
    ) -> None:
        token.raise_if_cancelled()
        tag = secrets.token_hex(4)
        tmp_video = self.root / "tmp" / f"{seg.key}.{tag}.mp4"
        tmp_thumb = self.root / "tmp" / f"{seg.key}.{tag}.jpg"
        ass_file = self.root / "tmp" / f"{seg.key}.{tag}.ass"
        try:
            if seg.cues:
                ass_file.write_text(
                    build_ass(
                        list(seg.cues),
                        width=plan.width,
                        height=plan.height,
                        font_family=self.font.family,
                    ),
                    encoding="utf-8",
                )
            argv = planning.segment_command(
                self.ffmpeg,
                plan,
                seg,
                out=planning.relative_to(tmp_video, self.root),
                ass=planning.relative_to(ass_file, self.root) if seg.cues else None,
            )
            reported = 0

            def progress(seconds: float) -> None:
                nonlocal reported
                frames = min(seg.frames, int(seconds * plan.fps))
                if frames > reported:
                    tracker.add(frames - reported)
                    reported = frames

            run_ffmpeg(
                argv,
                timeout=self.settings.render_timeout_s,
                cancel=token,
                on_progress=progress,
                cwd=self.root,
                env=self.ffmpeg_env,
            )
            # The thumbnail comes from the encoded segment: a seek and a few decoded frames,
            # far cheaper than a second output branch inside the encode.
            grab = planning.frame_grab_command(
                self.ffmpeg,
                video=planning.relative_to(tmp_video, self.root),
                at=float(seg.thumb_frame / plan.fps),
                out=planning.relative_to(tmp_thumb, self.root),
                height=min(planning.THUMB_HEIGHT, plan.height),
            )
            run_ffmpeg(grab, timeout=120, cancel=token, cwd=self.root)
            tracker.add(seg.frames - reported)
            os.replace(tmp_thumb, self.root / "segments" / f"{seg.key}.jpg")
            # The video lands last: its presence is what marks the segment as complete.
            os.replace(tmp_video, self.segment_path(seg.key))
        finally:
            for path in (tmp_video, tmp_thumb, ass_file):
                path.unlink(missing_ok=True)

    def _measure_segment(
        self, plan: planning.RenderPlan, seg: planning.Segment, token: CancelToken
    ) -> None:
        """The quality check's look at a segment just encoded, beside the other encodes; the
        check after the join finds it cached."""
        if self.settings.qc.enabled:
            segment_picture_events(
                self.ffmpeg,
                self.segment_path(seg.key),
                float(seg.frames / plan.fps),
                picture_params(self.settings.qc),
                work_dir=self.root / "tmp",
                timeout=self.settings.render_timeout_s,
                cancel=token,
            )

    def _mux(self, plan: planning.RenderPlan, audio: Path, out: Path, token: CancelToken) -> None:
        list_file = self.root / "tmp" / f"concat-{secrets.token_hex(6)}.txt"
        try:
            list_file.write_text(
                planning.concat_list([f"../segments/{seg.key}.mp4" for seg in plan.segments]),
                encoding="utf-8",
            )
            with atomic_path(out) as tmp:
                argv = planning.mux_command(
                    self.ffmpeg,
                    concat_list_file=planning.relative_to(list_file, self.root),
                    audio=str(audio),
                    out=f"file:{tmp}",
                    duration=plan.duration,
                )
                run_ffmpeg(
                    argv, timeout=self.settings.render_timeout_s, cancel=token, cwd=self.root
                )
        finally:
            list_file.unlink(missing_ok=True)

    def _poster(
        self, video: Path, plan: planning.RenderPlan, poster: Path, token: CancelToken
    ) -> None:
        with atomic_path(poster) as tmp:
            argv = planning.frame_grab_command(
                self.ffmpeg, video=f"file:{video}", at=plan.poster_time, out=f"file:{tmp}"
            )
            run_ffmpeg(argv, timeout=120, cancel=token, cwd=self.root)

    def _contact_sheet(self, plan: planning.RenderPlan, out: Path, token: CancelToken) -> None:
        work = self.root / "tmp" / f"sheet-{secrets.token_hex(6)}"
        work.mkdir()
        try:
            for number, seg in enumerate(plan.segments, start=1):
                thumb = self.root / "segments" / f"{seg.key}.jpg"
                shutil.copyfile(thumb, work / f"{number:05d}.jpg")
            with atomic_path(out) as tmp:
                argv = planning.contact_sheet_command(
                    self.ffmpeg,
                    pattern=planning.relative_to(work / "%05d.jpg", self.root),
                    count=len(plan.segments),
                    font_file=self._font_file,
                    out=f"file:{tmp}",
                    thumb_height=min(planning.THUMB_HEIGHT, plan.height),
                )
                run_ffmpeg(argv, timeout=120, cancel=token, cwd=self.root, env=self.ffmpeg_env)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _when_done(action: Callable[[], None]) -> Callable[[Future[Any]], None]:
    """A done-callback running ``action`` when the future succeeded."""

    def callback(future: Future[Any]) -> None:
        if not future.cancelled() and future.exception() is None:
            action()

    return callback


def _raise_first_failure(futures: Iterable[Future[Any]]) -> None:
    for future in futures:
        if future.done() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]


def _symlink(link: Path, target: Path) -> None:
    """Point ``link`` at ``target``, atomically, unless it already does."""
    target = target.resolve()
    if link.is_symlink() and link.resolve() == target:
        return
    tmp = link.with_name(f".{secrets.token_hex(4)}{link.suffix}")
    tmp.symlink_to(target)
    os.replace(tmp, link)


class _ProgressTracker:
    """Adds up frames finished across parallel segments and reports them."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.current = "starting"
        self.callback = callback
        self.lock = threading.Lock()

    def add(self, frames: int) -> None:
        with self.lock:
            self.done = min(self.total, self.done + frames)
            self._emit()

    def stage(self, name: str) -> None:
        with self.lock:
            self.current = name
            self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            self.callback(RenderProgress(self.current, self.done, self.total))


def with_quality(timeline: Timeline, quality: str) -> Timeline:
    output = timeline.output.model_copy(update={"quality": quality})
    return timeline.model_copy(update={"output": output})


def mix_spec(timeline: Timeline, sources: dict[SourceKey, Source], total: float) -> MixSpec:
    """The soundtrack's description: narration, clips' own audio, and the music bed."""
    voices: list[AudioLayer] = []
    for item in timeline.narration:
        src = sources[("audio", item.source)]
        length = min(src.duration or total, total - item.start)
        if length > 0:
            voices.append(
                AudioLayer(
                    path=src.path,
                    fmt=src.demuxer,
                    start=item.start,
                    duration=length,
                    volume=item.volume,
                )
            )
    for start, clip in zip(timeline.clip_starts(), timeline.clips, strict=True):
        src = sources[("clip", clip.source)]
        if clip.keep_audio and src.kind == "video" and src.has_audio:
            voices.append(
                AudioLayer(
                    path=src.path,
                    fmt=src.demuxer,
                    start=start,
                    duration=min(clip.duration, total - start),
                    source_start=clip.source_start,
                )
            )
    music = None
    if timeline.music is not None:
        m = timeline.music
        src = sources[("audio", m.source)]
        music = MusicBed(
            path=src.path,
            fmt=src.demuxer,
            volume=m.volume,
            duck=m.duck,
            loop=m.loop,
            fade_in=m.fade_in,
            fade_out=m.fade_out,
        )
    return MixSpec(
        total=total,
        voices=tuple(voices),
        music=music,
        loudness=timeline.output.loudness,
        true_peak=timeline.output.true_peak,
    )


def audio_key(spec: MixSpec, sources: dict[SourceKey, Source], tool_key: str = "") -> str:
    """Hash of the soundtrack's inputs: the mix description, the bytes of the files it uses and
    the FFmpeg build (``tool_key``) that encodes it."""
    used = {str(v.path) for v in spec.voices}
    if spec.music is not None:
        used.add(str(spec.music.path))
    digests = {str(s.path): s.digest for s in sources.values() if str(s.path) in used}
    material = {
        "v": planning.RENDERER_VERSION,
        "spec": spec.cache_key_material(),
        "ffmpeg": tool_key,
        "files": dict(sorted(digests.items())),
    }
    blob = json.dumps(material, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]
