"""A project's task DAG: plan it once the storyboard exists, plan a render of what is missing,
re-run one step of one shot, and mark exactly the tasks downstream of a change stale.

storyboard → per shot image, voice → motion; music; all of them → render. When a step runs
again with new parameters a new task replaces the old one in the DAG: what depended on the old
task depends on the new one and runs again after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Shot, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.motion import previous_moves
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline.errors import Conflict, InvalidInput
from storyreel.pipeline.project.rows import character_row, shot_row
from storyreel.tasks import service
from storyreel.tasks.dispatch import revoke
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import ACTIVE, TaskSpec

Quality = Literal["final", "preview"]
SHOT_STEPS = ("image", "voice", "motion")
_FAILED = ("failed", "cancelled")
Submit = Callable[..., Task]


def submitter(session: Session, kinds: KindRegistry, project: Project, priority: int) -> Submit:
    """``submit(kind, deps, shot=None, **params)`` for this project's tasks."""

    def submit(kind: str, deps: Iterable[str], shot: Shot | None = None, **params: Any) -> Task:
        spec = TaskSpec(
            kind=kind,
            params={"project_id": project.id, **({"shot_id": shot.id} if shot else {}), **params},
            project_id=project.id,
            shot_id=shot.id if shot else None,
            owner_id=project.owner_id,
            depends_on=tuple(deps),
            priority=priority,
        )
        return service.submit(session, spec, kinds)

    return submit


def storyboard_pending(session: Session, project: Project) -> bool:
    """A storyboard task is queued or running: it will replace the shots when it finishes."""
    return any(t.kind == "storyboard" for t in projects_repo.active_tasks(session, project.id))


def regenerate_storyboard(
    session: Session, kinds: KindRegistry, project: Project, *, priority: int = 0
) -> Task:
    """A new storyboard task; when it succeeds it replaces the shots, characters and tasks."""
    if storyboard_pending(session, project):
        raise Conflict("the storyboard is still being written; wait for it to finish")
    return submitter(session, kinds, project, priority)("storyboard", [])


def store_storyboard(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    board: Storyboard,
    storyboard_task: str | None,
    *,
    priority: int | None = None,
) -> list[Task]:
    """Replace the project's shots with the storyboard's and plan the tasks that make them
    (``auto`` projects; the others wait for their steps to be asked for). ``storyboard_task``
    is the task that wrote it (None: the storyboard was given as it is)."""
    keep = [storyboard_task] if storyboard_task else []
    for running in projects_repo.running_tasks(session, project.id):
        if running.id not in keep:
            revoke(session, running)  # stop its work now, not at its next heartbeat
    projects_repo.clear_storyboard(session, project.id, keep_tasks=keep)
    project.detected_language = board.language
    project.title = board.title
    for c in board.characters:
        session.add(character_row(project.id, c))
    rows = [shot_row(project.id, position, s) for position, s in enumerate(board.shots)]
    session.add_all(rows)
    session.flush()
    if not project.auto:
        return []
    if priority is None:
        writer = tasks_repo.get(session, storyboard_task) if storyboard_task else None
        priority = writer.priority if writer is not None else 0
    return plan_tasks(session, kinds, project, rows, storyboard_task, priority=priority)


def plan_tasks(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    shots: list[Shot],
    after: str | None,
    *,
    priority: int = 0,
) -> list[Task]:
    """storyboard → per shot image, voice → motion; music; all of them → render."""
    submit = submitter(session, kinds, project, priority)
    first = [after] if after else []
    planned: list[Task] = []
    render_deps: list[str] = []
    for shot in shots:
        image = submit("image", first, shot)
        voice = submit("voice", first, shot)
        motion = submit("motion", [image.id, voice.id], shot)
        planned += [image, voice, motion]
        render_deps += [voice.id, motion.id]
    if project.music not in (None, "none"):
        music = submit("music", first)
        planned.append(music)
        render_deps.append(music.id)
    planned.append(submit("render", render_deps, quality=project.quality))
    return planned


def has_pipeline(session: Session, project: Project) -> bool:
    """The project's steps are planned as one DAG (``auto``, or a render was asked for)."""
    return project.auto or (None, "render") in projects_repo.current_tasks(session, project.id)


def restale(
    session: Session,
    kinds: KindRegistry,
    project_id: str,
    targets: set[tuple[str | None, str]],
) -> list[Task]:
    """Run the current task of each (shot id or None, kind) again, and what depends on it
    (replaced tasks feed nothing any more and are left alone)."""
    current = projects_repo.current_tasks(session, project_id)
    return service.invalidate(
        session, [t.id for key, t in current.items() if key in targets], kinds
    )


# --- which shots' motion changes --------------------------------------------------------------


def motion_inputs(shots: Sequence[Shot], seed: int) -> dict[str, tuple[int, str | None]]:
    """Per shot id, what its move is chosen from besides its own fields: its position and the
    move of the shot before it (``domain.motion``)."""
    return {
        s.id: (i, prev)
        for i, (s, prev) in enumerate(zip(shots, previous_moves(shots, seed), strict=True))
    }


def motion_changed(
    before: dict[str, tuple[int, str | None]], after: dict[str, tuple[int, str | None]]
) -> set[str]:
    """Shots (still there) whose move may now be different."""
    return {shot_id for shot_id, inputs in after.items() if before.get(shot_id) != inputs}


# --- one step of one shot, on demand ---------------------------------------------------------


def has_output(shot: Shot, kind: str) -> bool:
    """The shot already has what ``kind`` makes (e.g. a duplicated project's shots)."""
    if kind == "image":
        return shot.image_asset_id is not None
    if kind == "voice":
        return shot.voice_asset_id is not None and shot.voice_seconds is not None
    return shot.motion is not None


def _usable(task: Task | None) -> bool:
    return task is not None and task.status not in _FAILED


def rerun_shot_step(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    shot: Shot,
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    priority: int = 0,
) -> Task:
    """A new ``kind`` task for the shot (``params`` ride along for the handler). It replaces the
    shot's current one: what depended on that now depends on the new task and runs again after
    it; the old one, if still working, is cancelled."""
    if kind not in SHOT_STEPS:
        raise InvalidInput(f"unknown shot step {kind!r}; one of {', '.join(SHOT_STEPS)}")
    current = projects_repo.current_tasks(session, project.id)
    deps: list[str] = []
    if kind == "motion":  # it animates the picture for as long as the voice speaks
        for needed in ("image", "voice"):
            upstream = current.get((shot.id, needed))
            if _usable(upstream):
                assert upstream is not None
                deps.append(upstream.id)
            elif not has_output(shot, needed):
                raise Conflict(f"the shot has no {needed} yet; generate its {needed} first")
    new = submitter(session, kinds, project, priority)(kind, deps, shot, **(params or {}))
    old = current.get((shot.id, kind))
    if old is None:
        return new
    dependents = tasks_repo.dependent_ids(session, old.id)
    for dependent in dependents:
        edges = tasks_repo.dependency_ids(session, dependent)
        tasks_repo.set_dependencies(
            session, dependent, [new.id if e == old.id else e for e in edges]
        )
    if old.status in ACTIVE:
        service.cancel(session, old.id)  # nothing depends on it any more: only it stops
    service.invalidate(session, dependents, kinds)
    return new


def plan_render(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    *,
    quality: Quality | None = None,
    priority: int = 0,
) -> Task:
    """A render of the current shots, after whatever image, voice, motion and music tasks are
    missing or failed (submitted here) and those still running. An identical render still
    waiting or running is returned instead of a second one."""
    shots = projects_repo.shots(session, project.id)
    if not shots or storyboard_pending(session, project):
        raise Conflict("the project has no storyboard yet; wait for it to be written")
    quality = quality or ("preview" if project.quality == "preview" else "final")
    current = projects_repo.current_tasks(session, project.id)
    submit = submitter(session, kinds, project, priority)
    render_deps: list[str] = []

    def step(shot: Shot, kind: str) -> tuple[Task | None, bool]:
        """The shot's ``kind`` task to wait for (None: its output is already there), and
        whether it was submitted just now."""
        task = current.get((shot.id, kind))
        if _usable(task):
            return task, False
        if task is None and has_output(shot, kind):
            return None, False
        return submit(kind, [], shot), True

    for shot in shots:
        image, new_image = step(shot, "image")
        voice, new_voice = step(shot, "voice")
        upstream = [t for t in (image, voice) if t is not None]
        motion_task = current.get((shot.id, "motion"))
        if (
            new_image
            or new_voice
            or (motion_task is None and not has_output(shot, "motion"))
            or (motion_task is not None and not _usable(motion_task))
        ):
            motion: Task | None = submit("motion", [t.id for t in upstream], shot)
        else:
            motion = motion_task
        render_deps += [t.id for t in (voice, motion) if t is not None]
    if project.music not in (None, "none"):
        music = current.get((None, "music"))
        if not _usable(music):
            music = submit("music", [])
        assert music is not None
        render_deps.append(music.id)
    earlier = current.get((None, "render"))
    if (
        earlier is not None
        and earlier.status in ACTIVE
        and earlier.params.get("quality") == quality
    ):
        if set(tasks_repo.dependency_ids(session, earlier.id)) != set(render_deps):
            tasks_repo.set_dependencies(session, earlier.id, render_deps)
            service.invalidate(session, [earlier.id], kinds)
        return earlier
    return submit("render", render_deps, quality=quality)
