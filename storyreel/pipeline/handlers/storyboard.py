"""The storyboard task: the story as shots, fitted to the target length, stored as rows — and,
for ``auto`` projects, the rest of the DAG planned in the same transaction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.repositories import projects as repo
from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import get_style
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext, PipelineServices
from storyreel.pipeline.handlers.common import failovers, project_of, scope_of, usage_of
from storyreel.pipeline.project import options_of, store_storyboard
from storyreel.pipeline.timeline import video_seconds
from storyreel.providers.base import Brief, Usage, VoiceSpec
from storyreel.providers.router import CallScope
from storyreel.tasks.model import PermanentError
from storyreel.tasks.runner import TaskContext

LENGTH_TOLERANCE = 0.1


def write_storyboard(
    ctx: PipelineContext,
    story: str,
    options: ProjectOptions,
    *,
    target_seconds: float | None = None,
    scope: CallScope | None = None,
) -> tuple[Storyboard, Usage]:
    """The storyboard writer's storyboard for the story and the project's options."""
    brief = Brief(
        style=get_style(options.style),
        language=options.language,
        aspect=options.aspect,
        target_seconds=target_seconds or options.target_seconds,
        max_shots=options.max_shots,
        title=options.title,
        seed=options.seed,
    )
    return steps.write_storyboard(ctx, story, brief, scope=scope)


def fit_to_length(
    ctx: PipelineContext,
    story: str,
    board: Storyboard,
    options: ProjectOptions,
    target: float,
    *,
    scope: CallScope | None = None,
) -> Storyboard:
    """Re-condense until the real narration fits the target length (within 10 %).

    The storyboard writer can only estimate how long speech takes; the voice provider knows.
    Voices are cheap and cached, so speak the shots, measure, and ask for a shorter storyboard
    in proportion when the video would run long — before any picture is made.
    """
    ask = target
    jobs = max(1, ctx.settings.render_jobs)
    for _ in range(3):
        spec = VoiceSpec(voice=options.voice, language=board.language, rate=options.voice_rate)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            calls = [
                pool.submit(steps.make_voice, ctx, s.narration, spec, scope=scope)
                for s in board.shots
            ]
            voices = [call.result() for call in calls]
        seconds = video_seconds(board, [v.duration for v in voices])
        if seconds <= target * (1 + LENGTH_TOLERANCE) or len(board.shots) == 1:
            break
        ask *= target / seconds
        board, _ = write_storyboard(ctx, story, options, target_seconds=max(5.0, ask), scope=scope)
    return board


def storyboard(services: PipelineServices, ctx: TaskContext) -> dict[str, Any]:
    project = project_of(services, ctx)
    options = options_of(project)
    scope = scope_of(services, project)
    ctx.progress(5, "writing the storyboard", force=True)
    board, usage = write_storyboard(services.pipeline, project.story, options, scope=scope)
    if options.target_seconds is not None:
        ctx.progress(50, "fitting the narration to the target length", force=True)
        board = fit_to_length(
            services.pipeline, project.story, board, options, options.target_seconds, scope=scope
        )
    ctx.cancel.raise_if_cancelled()

    def record(s: Session) -> None:
        fresh = repo.get(s, project.id)
        if fresh is None:
            raise PermanentError("the project was deleted", code="not_found")
        store_storyboard(s, services.kinds, fresh, board, ctx.task_id)
        s.add(usage_of(ctx, fresh, "storyboard", usage))

    ctx.on_success(record)
    return {
        "shots": len(board.shots),
        "characters": len(board.characters),
        "title": board.title,
        "cached": usage.cached,
        **failovers(usage),
    }
