"""``storyreel make``: a story (or an edited storyboard) to a film in a folder, as a client of
the engine — the same task kinds, DAG and invalidation as every project.

The film is a project (``origin = make:/abs/path/film.mp4``), so making it again finds it:
the same story generates and encodes nothing, and an edited ``storyboard.json`` redoes exactly
the tasks its changes feed (``edit_shot``, as the API does). Beside the video it writes
``storyboard.json`` (edit it and run ``make --from``), ``timeline.json`` (render it directly with
``storyreel render``), the ``.srt``, ``poster.jpg``, ``contact_sheet.jpg`` and a
``<name>_assets/`` folder the timeline points into.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.types import utcnow
from storyreel.domain.cancel import Cancelled, CancelToken
from storyreel.domain.feeds import PROJECT_FEEDS
from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.media.render import atomic_path
from storyreel.pipeline import project as projects
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.handlers.render import project_media, project_timeline
from storyreel.storage.base import BlobStore
from storyreel.tasks import service
from storyreel.tasks.model import ACTIVE

STAGES = ("storyboard", "images", "voices", "motion", "music", "render")
Stage = Literal["storyboard", "images", "voices", "motion", "music", "render"]
_STAGE_OF: dict[str, Stage] = {
    "storyboard": "storyboard",
    "image": "images",
    "voice": "voices",
    "motion": "motion",
    "music": "music",
    "render": "render",
}
# Options that shape the storyboard itself: a change writes it again.
_STORYBOARD_OPTIONS = ("language", "target_seconds", "max_shots", "seed")
_POLL_S = 0.2


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


@dataclass(frozen=True)
class RenderSummary:
    """What the render task reported (its result), for the summary line and the tests."""

    video: Path
    duration: float
    width: int
    height: int
    size_bytes: int
    segment_keys: list[str]
    encoded_segments: list[str]
    reused_segments: int
    audio_reused: bool
    #: The quality check: "ok", "attention" (why in ``qc_summary``) or None (not checked).
    qc_outcome: str | None = None
    qc_summary: str = ""


@dataclass
class MakeResult:
    project_id: str
    video: Path
    storyboard: Path
    timeline: Path
    render: RenderSummary
    board: Storyboard
    stages: dict[str, StageStats] = field(default_factory=dict)
    #: Per capability, the providers passed over on the way and why (e.g. a network image
    #: provider whose key was refused fell back to sketches): ``fallback_lines``.
    fallbacks: list[str] = field(default_factory=list)
    elapsed: float = 0.0


class MakeFailed(RuntimeError):
    """A step of the film failed for good; the message says which and why."""


ProgressCallback = Callable[[StageProgress], None]


def origin_of(out: Path) -> str:
    return f"make:{out}"


def make_film(
    platform: Platform,
    out: Path,
    options: ProjectOptions,
    *,
    story: str | None = None,
    board: Storyboard | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    timeout_s: float = 24 * 3600,
) -> MakeResult:
    """Record (or find) the film's project, run what is missing on the platform's executor
    (the caller starts it), follow it, and write the film's folder beside ``out``."""
    if (story is None) == (board is None):
        raise ValueError("give a story or a storyboard, not both")
    started = time.perf_counter()
    since = utcnow()
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with platform.session() as s:
        project = _prepare(s, platform, origin_of(out), options, story, board)
        project_id = project.id
    follower = _Follower(on_progress, since)
    render_task = _follow(platform, project_id, follower, cancel or CancelToken(), timeout_s)
    result = _export(platform, project_id, render_task, out)
    result.stages = follower.stats
    result.fallbacks = follower.fallbacks
    result.elapsed = time.perf_counter() - started
    return result


# --- recording the work -----------------------------------------------------------------------


def _prepare(
    s: Session,
    platform: Platform,
    origin: str,
    options: ProjectOptions,
    story: str | None,
    board: Storyboard | None,
) -> Project:
    kinds = platform.kinds
    existing = projects_repo.by_origin(s, origin)
    if board is not None:
        if existing is None:
            return _create_from_board(s, platform, origin, options, board)
        _apply_board(s, platform, existing, board)
        _set_options(s, platform, existing, options, exclude=("title", "style", "aspect"))
        _ensure_render(s, platform, existing)
        return existing
    assert story is not None
    if existing is None:
        project, _ = projects.create_project(s, kinds, story, options, origin=origin)
        return project
    before = projects.options_of(existing)
    rewrite = existing.story != story or any(
        getattr(before, name) != getattr(options, name) for name in _STORYBOARD_OPTIONS
    )
    if rewrite:
        existing.story = story
        for name in _STORYBOARD_OPTIONS:
            setattr(existing, name, getattr(options, name))
        _set_options(s, platform, existing, options, exclude=("title",))
        projects.regenerate_storyboard(s, kinds, existing)
        return existing
    _set_options(s, platform, existing, options, exclude=("title",))
    _ensure_render(s, platform, existing)
    return existing


def _set_options(
    s: Session,
    platform: Platform,
    project: Project,
    options: ProjectOptions,
    exclude: tuple[str, ...],
) -> None:
    """The project's editable settings as ``options`` says; what they feed runs again."""
    wanted = options.model_dump()
    changes = {
        name: wanted[name]
        for name in PROJECT_FEEDS
        if name not in exclude and getattr(project, name) != wanted[name]
    }
    if changes:
        projects.update_project(s, platform.kinds, project, **changes)


def _create_from_board(
    s: Session, platform: Platform, origin: str, options: ProjectOptions, board: Storyboard
) -> Project:
    """A project for a storyboard given as it is (no storyboard writer runs)."""
    story = "\n\n".join(shot.narration for shot in board.shots)
    given = options.model_copy(
        update={"title": board.title, "style": board.style, "aspect": board.aspect}
    )
    project = Project(
        story=story,
        title=board.title,
        origin=origin,
        **given.model_dump(exclude={"title"}),
    )
    s.add(project)
    s.flush()
    projects.store_storyboard(s, platform.kinds, project, board, None, priority=0)
    return project


def _apply_board(s: Session, platform: Platform, project: Project, board: Storyboard) -> None:
    """Make the project's storyboard the edited one: field edits go through ``edit_shot`` and
    ``edit_character`` (exactly what they feed runs again); a changed set or order of shots or
    characters replaces the storyboard (every step runs again, mostly from the cache)."""
    kinds = platform.kinds
    rows = projects_repo.shots(s, project.id)
    characters = {c.key: c for c in projects_repo.characters(s, project.id)}
    same_shape = [r.key for r in rows] == [shot.id for shot in board.shots] and set(characters) == {
        c.id for c in board.characters
    }
    if project.style != board.style or project.aspect != board.aspect:
        projects.update_project(s, kinds, project, style=board.style, aspect=board.aspect)
    project.title = board.title
    if not same_shape:
        projects.store_storyboard(s, kinds, project, board, None, priority=0)
        return
    for wanted in board.characters:
        character = characters[wanted.id]
        had = projects.character_of(character).model_dump()
        changes = {k: v for k, v in wanted.model_dump().items() if had[k] != v and k != "id"}
        if changes:
            projects.edit_character(s, kinds, character, **changes)
    for shot, wanted_shot in zip(rows, board.shots, strict=True):
        was = projects.shot_of(shot).model_dump()
        changes = {k: v for k, v in wanted_shot.model_dump().items() if k != "id" and was[k] != v}
        if changes:
            projects.edit_shot(s, kinds, shot.id, **changes)


def _ensure_render(s: Session, platform: Platform, project: Project) -> None:
    """A render of the current shots at the project's quality, unless one is done (nothing
    changed since) or on its way."""
    if projects.storyboard_pending(s, project):
        return  # the storyboard being written plans the render
    quality: projects.Quality = "preview" if project.quality == "preview" else "final"
    render = projects_repo.current_tasks(s, project.id).get((None, "render"))
    same_quality = render is not None and render.params.get("quality") == quality
    if (
        same_quality
        and render is not None
        and (render.status == "succeeded" or render.status in ACTIVE)
    ):
        return
    projects.plan_render(s, platform.kinds, project, quality=quality)


# --- following it -----------------------------------------------------------------------------


class _Follower:
    """Turns the project's task rows into per-stage progress and counts what this run made."""

    def __init__(self, callback: ProgressCallback | None, since: datetime) -> None:
        self.callback = callback
        self.since = since
        self.stats: dict[str, StageStats] = {stage: StageStats() for stage in STAGES}
        self.fallbacks: list[str] = []
        self._shown: dict[str, tuple[int, int, str]] = {}

    def update(self, tasks: list[Task]) -> None:
        by_stage: dict[str, list[Task]] = {stage: [] for stage in STAGES}
        for task in tasks:
            if task.kind in _STAGE_OF:
                by_stage[_STAGE_OF[task.kind]].append(task)
        for stage, group in by_stage.items():
            ran = [t for t in group if self._ran_now(t)]
            stats = self.stats[stage]
            stats.generated = sum(1 for t in ran if not (t.result or {}).get("cached", False))
            stats.cached = len(ran) - stats.generated
            if stage == "render":
                render = group[-1] if group else None
                done = 100 if render is not None and render.status == "succeeded" else 0
                if render is not None and render.status == "running":
                    done = int(render.progress)
                if render is not None and ran:
                    stats.generated = len((render.result or {}).get("encoded_segments", []))
                    stats.cached = int((render.result or {}).get("segments_reused", 0))
                shown = (done, 100 if group else 0, render.message if render else "")
            else:
                done = sum(1 for t in group if t.status == "succeeded")
                shown = (done, len(group), "")
            stats.seconds = _wall_span(ran)
            if shown != self._shown.get(stage):
                self._shown[stage] = shown
                if self.callback is not None:
                    self.callback(StageProgress(stage, *shown))  # type: ignore[arg-type]

    def _ran_now(self, task: Task) -> bool:
        """It finished during this run (not found done from an earlier make)."""
        return (
            task.status == "succeeded"
            and task.finished_at is not None
            and task.finished_at >= self.since
        )

    def note_failovers(self, tasks: list[Task]) -> None:
        self.fallbacks = fallback_lines(tasks)


#: How the summary names each capability's work.
_CAPABILITY_WORDS = {
    "storyboard": "storyboard",
    "image": "pictures",
    "voice": "narration",
    "motion": "motion",
    "music": "music",
}


def fallback_lines(tasks: list[Task]) -> list[str]:
    """One line per capability whose work fell back from one provider to another, with how
    much of it and the most frequent reason (which names what to fix), e.g. "pictures: fell
    back from openai to sketch for 6 of 8 shots — ...: HTTP 401: ... — set
    STORYREEL_OPENAI_IMAGE__API_KEY"."""
    lines = []
    for kind, words in _CAPABILITY_WORDS.items():
        group = [t for t in tasks if t.kind == kind]
        fell = [t for t in group if (t.result or {}).get("failovers")]
        if not fell:
            continue
        passed: dict[str, None] = {}
        served: dict[str, None] = {}
        reasons: Counter[str] = Counter()
        for task in fell:
            result = task.result or {}
            for failover in result["failovers"]:
                passed.setdefault(str(failover.get("provider", "?")), None)
            reasons[str(result["failovers"][0].get("reason", ""))] += 1
            served.setdefault(str(result.get("served_by", "another provider")), None)
        how_much = f" for {len(fell)} of {len(group)} shots" if fell[0].shot_id else ""
        reason = reasons.most_common(1)[0][0]
        lines.append(
            f"{words}: fell back from {', '.join(passed)} to {', '.join(served)}{how_much}"
            + (f" — {reason}" if reason else "")
        )
    return lines


def _wall_span(tasks: list[Task]) -> float:
    """From the first of these tasks starting to the last one finishing, in seconds."""
    starts = [t.started_at for t in tasks if t.started_at is not None]
    ends = [t.finished_at for t in tasks if t.finished_at is not None]
    return (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0


def _follow(
    platform: Platform,
    project_id: str,
    follower: _Follower,
    cancel: CancelToken,
    timeout_s: float,
) -> Task:
    """Wait until the project has no work left; the render task that made the film."""
    deadline = time.monotonic() + timeout_s
    while True:
        with platform.session() as s:
            current = list(projects_repo.current_tasks(s, project_id).values())
        follower.update(current)
        if current and not any(t.status in ACTIVE for t in current):
            break
        if cancel.cancelled:
            _cancel_all(platform, project_id)
            raise Cancelled()
        if time.monotonic() > deadline:
            raise MakeFailed(f"the film was not done after {timeout_s:g} s")
        time.sleep(_POLL_S)
    follower.note_failovers(current)
    render = next((t for t in current if t.kind == "render"), None)
    if render is not None and render.status == "succeeded":
        return render
    raise MakeFailed(_why_failed(current))


def _cancel_all(platform: Platform, project_id: str) -> None:
    with platform.session() as s:
        for task in projects_repo.active_tasks(s, project_id):
            if task.status in ACTIVE:
                service.cancel(s, task.id)


def _why_failed(tasks: list[Task]) -> str:
    """The first failure that is not only a consequence of another, in plain words."""
    failed = [t for t in tasks if t.status in ("failed", "cancelled")]
    root = next(
        (t for t in failed if (t.error or {}).get("code") != "dependency_failed"),
        failed[0] if failed else None,
    )
    if root is None:
        return "the film has no render; nothing was made"
    message = (root.error or {}).get("message", root.status)
    return f"the {root.kind} step failed: {message}"


# --- writing the folder -----------------------------------------------------------------------


def _export(platform: Platform, project_id: str, render_task: Task, out: Path) -> MakeResult:
    store = platform.store
    assets_dir = out.with_name(f"{out.stem}_assets")
    assets_dir.mkdir(parents=True, exist_ok=True)
    linker = _Linker(store, assets_dir)
    with platform.session() as s:
        project = projects_repo.get(s, project_id)
        assert project is not None
        shots = projects_repo.shots(s, project_id)
        board = projects.board_of(project, shots, projects_repo.characters(s, project_id))
        media = project_media(s, project, shots, linker.place)
        render = projects_repo.render_of_task(s, render_task.id)
        if render is None:
            raise MakeFailed("the render finished but recorded no video; make it again")
        files = projects_repo.assets(
            s,
            [
                render.video_asset_id,
                render.srt_asset_id,
                render.poster_asset_id,
                render.contact_sheet_asset_id,
            ],
        )
    result = render_task.result or {}
    timeline = project_timeline(board, media, str(result.get("quality", "final")), out.parent)
    storyboard_path = out.with_name("storyboard.json")
    timeline_path = out.with_name("timeline.json")
    _write_json(storyboard_path, board.model_dump_json(indent=2))
    _write_json(timeline_path, timeline.model_dump_json(indent=2))
    for asset_id, target in (
        (render.video_asset_id, out),
        (render.srt_asset_id, out.with_suffix(".srt")),
        (render.poster_asset_id, out.with_name("poster.jpg")),
        (render.contact_sheet_asset_id, out.with_name("contact_sheet.jpg")),
    ):
        if asset_id in files:
            _copy(store.local_file(files[asset_id].blob_key), target)
    linker.sweep()
    return MakeResult(
        project_id=project_id,
        video=out,
        storyboard=storyboard_path,
        timeline=timeline_path,
        render=RenderSummary(
            video=out,
            duration=float(result.get("duration", render.duration or 0.0)),
            width=int(result.get("width", render.width or 0)),
            height=int(result.get("height", render.height or 0)),
            size_bytes=int(result.get("size_bytes", render.size_bytes or 0)),
            segment_keys=list(result.get("segment_keys", [])),
            encoded_segments=list(result.get("encoded_segments", [])),
            reused_segments=int(result.get("segments_reused", 0)),
            audio_reused=bool(result.get("audio_reused", False)),
            qc_outcome=render.qc_outcome,
            qc_summary=str(result.get("qc_summary", "")),
        ),
        board=board,
    )


class _Linker:
    """Hard-links (or copies) the blobs a timeline names into the film's assets folder, so the
    folder is portable; names change when content does."""

    def __init__(self, store: BlobStore, folder: Path) -> None:
        self.store, self.folder = store, folder
        self.keep: set[str] = set()

    def place(self, key: str, name: str) -> Path:
        src = self.store.local_file(key)
        filename = f"{name}-{src.stem[:10]}{src.suffix}"
        self.keep.add(filename)
        dst = self.folder / filename
        if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.samefile(src):
            return dst
        tmp = self.folder / f".{filename}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
        except OSError:  # another filesystem: copy instead
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        return dst

    def sweep(self) -> None:
        """Remove what earlier makes left that this timeline no longer names."""
        for stale in self.folder.iterdir():
            if stale.name not in self.keep:
                with contextlib.suppress(OSError):
                    stale.unlink()


def _copy(src: Path, dst: Path) -> None:
    """A copy, not a link: the user may edit the video or subtitles in place."""
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def _write_json(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
