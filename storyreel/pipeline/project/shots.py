"""Edits to a project's shots: change fields, add, split, delete, reorder. Each marks exactly
the tasks the change feeds stale (``domain.feeds``); unchanged outputs downstream come back from
the content cache when they run again."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Shot, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.feeds import SHOT_FEEDS
from storyreel.domain.storyboard import MAX_SHOTS
from storyreel.pipeline.errors import Conflict, InvalidInput, NotFound
from storyreel.pipeline.project.dag import (
    has_pipeline,
    motion_changed,
    motion_inputs,
    restale,
    submitter,
)
from storyreel.pipeline.project.rows import checked_shot
from storyreel.tasks.dispatch import revoke
from storyreel.tasks.kinds import KindRegistry


def _seed(session: Session, project_id: str) -> int:
    project = projects_repo.get(session, project_id)
    return project.seed if project is not None else 0


def _motion_targets(shot_ids: set[str]) -> set[tuple[str | None, str]]:
    return {(shot_id, "motion") for shot_id in shot_ids}


def edit_shot(session: Session, kinds: KindRegistry, shot_id: str, **changes: Any) -> list[Task]:
    """Change a shot; the tasks fed by what changed, and exactly what depends on them, are marked
    stale and run again (unchanged outputs downstream come back from the content cache)."""
    shot = projects_repo.shot(session, shot_id)
    if shot is None:
        raise NotFound(f"no shot {shot_id!r}")
    unknown = set(changes) - set(SHOT_FEEDS)
    if unknown:
        raise InvalidInput(f"cannot edit {sorted(unknown)}; editable: {sorted(SHOT_FEEDS)}")
    seed = _seed(session, shot.project_id)
    moves_before = motion_inputs(projects_repo.shots(session, shot.project_id), seed)
    steps: set[str] = set()
    for field_name, value in changes.items():
        if getattr(shot, field_name) != value:
            setattr(shot, field_name, value)
            step = SHOT_FEEDS[field_name]
            if step is not None:
                steps.add(step)
    checked_shot(shot)  # validates the edited shot like a storyboard would
    session.flush()
    targets: set[tuple[str | None, str]] = {
        (None, step) if step == "render" else (shot.id, step) for step in steps
    }
    # A new framing or move may change the moves of the shots after it (never a repeat).
    moves_after = motion_inputs(projects_repo.shots(session, shot.project_id), seed)
    targets |= _motion_targets(motion_changed(moves_before, moves_after))
    return restale(session, kinds, shot.project_id, targets)


def _renumber(session: Session, shots: list[Shot]) -> None:
    # Handlers index shots by position (the move before it): keep them 0..n-1.
    for position, shot in enumerate(shots):
        if shot.position != position:
            shot.position = position
    session.flush()


def _new_key(shots: list[Shot]) -> str:
    taken = {s.key for s in shots}
    key = f"shot-{secrets.token_hex(4)}"
    while key in taken:
        key = f"shot-{secrets.token_hex(4)}"
    return key


def add_shot(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    fields: dict[str, Any],
    *,
    position: int | None = None,
    priority: int = 0,
) -> tuple[Shot, list[Task]]:
    """Insert a shot at ``position`` (default: at the end). When the project has a pipeline its
    picture, voice and motion are planned and the render waits for them and runs again."""
    shots = projects_repo.shots(session, project.id)
    if len(shots) >= MAX_SHOTS:
        raise Conflict(f"a storyboard holds at most {MAX_SHOTS} shots; delete one first")
    before = motion_inputs(shots, project.seed)
    shot = Shot(project_id=project.id, key=_new_key(shots), position=len(shots), **fields)
    checked_shot(shot)  # validates it like a storyboard would
    session.add(shot)
    session.flush()
    at = len(shots) if position is None else max(0, min(position, len(shots)))
    shots.insert(at, shot)
    _renumber(session, shots)
    planned: list[Task] = []
    if has_pipeline(session, project):
        submit = submitter(session, kinds, project, priority)
        image = submit("image", [], shot)
        voice = submit("voice", [], shot)
        motion = submit("motion", [image.id, voice.id], shot)
        planned = [image, voice, motion]
        render = projects_repo.current_tasks(session, project.id).get((None, "render"))
        if render is not None:
            deps = tasks_repo.dependency_ids(session, render.id)
            tasks_repo.set_dependencies(session, render.id, [*deps, voice.id, motion.id])
    # Shots after it moved: their motion (and the render) are chosen anew.
    moved = motion_changed(before, motion_inputs(shots, project.seed)) - {shot.id}
    targets = _motion_targets(moved) | {(None, "render")}
    return shot, planned + restale(session, kinds, project.id, targets)


# What the second half of a split shot keeps of the first: everything but the narration.
_SPLIT_COPIED = (
    "scene",
    "visual_prompt",
    "negative_prompt",
    "shot_type",
    "camera_motion",
    "setting",
    "mood",
    "time_of_day",
)


def _share(seconds: float, fraction: float) -> float:
    # A planning hint only (the narration decides the real length): never zero.
    return max(0.5, round(seconds * fraction, 1))


def split_shot(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    shot: Shot,
    at: int,
    *,
    priority: int = 0,
) -> tuple[Shot, list[Task]]:
    """Cut the shot's narration before character ``at``: the shot keeps the first part and a
    new shot right after it, with the same picture description, characters and settings,
    takes the rest. Both voices are made again; the new shot gets its own picture and motion
    when the project has a pipeline (as an added shot does), and the render runs again."""
    text = shot.narration
    if len(text) < 2:
        raise InvalidInput("the narration is too short to split", field="at")
    if not 0 < at < len(text):
        raise InvalidInput(
            f"at must be between 1 and {len(text) - 1}: an offset inside the narration "
            f"({len(text)} characters)",
            field="at",
        )
    head, tail = text[:at].strip(), text[at:].strip()
    if not head or not tail:
        raise InvalidInput(
            "both parts of the narration need words: split between them, not in the spaces "
            "at its start or end",
            field="at",
        )
    first = len(head) / (len(head) + len(tail))
    fields: dict[str, Any] = {name: getattr(shot, name) for name in _SPLIT_COPIED}
    fields["characters"] = list(shot.characters or [])
    fields["narration"] = tail
    fields["duration_hint"] = _share(shot.duration_hint, 1 - first)
    edited = edit_shot(
        session, kinds, shot.id, narration=head, duration_hint=_share(shot.duration_hint, first)
    )
    added, planned = add_shot(
        session, kinds, project, fields, position=shot.position + 1, priority=priority
    )
    return added, edited + planned


def delete_shot(session: Session, kinds: KindRegistry, shot: Shot) -> list[Task]:
    """Remove a shot and its tasks; the render (and the moves that follow it) run again."""
    shots = projects_repo.shots(session, shot.project_id)
    if len(shots) <= 1:
        raise Conflict("a storyboard needs at least one shot; delete the project instead")
    seed = _seed(session, shot.project_id)
    for t in projects_repo.active_tasks(session, shot.project_id, shot_id=shot.id):
        if t.status == "running":
            revoke(session, t)  # stop its work now; the row goes with the shot
    before = motion_inputs(shots, seed)
    remaining = [s for s in shots if s.id != shot.id]
    session.delete(shot)  # its tasks and their dependency edges go by foreign-key cascade
    session.flush()
    _renumber(session, remaining)
    moved = motion_changed(before, motion_inputs(remaining, seed))
    return restale(
        session, kinds, remaining[0].project_id, _motion_targets(moved) | {(None, "render")}
    )


def reorder_shots(
    session: Session, kinds: KindRegistry, project: Project, shot_ids: list[str]
) -> list[Task]:
    """Put the shots in this order (a permutation of the project's shots); the motion of the
    shots whose move may change, and the render, run again."""
    shots = projects_repo.shots(session, project.id)
    by_id = {s.id: s for s in shots}
    if len(shot_ids) != len(shots) or set(shot_ids) != set(by_id):
        raise InvalidInput(
            "shot_ids must list every shot of the project exactly once "
            f"({len(shots)} shots, {len(shot_ids)} ids given)",
            field="shot_ids",
        )
    before = motion_inputs(shots, project.seed)
    ordered = [by_id[i] for i in shot_ids]
    _renumber(session, ordered)
    moved = motion_changed(before, motion_inputs(ordered, project.seed))
    order_changed = [s.id for s in shots] != shot_ids
    targets = _motion_targets(moved) | ({(None, "render")} if order_changed else set())
    return restale(session, kinds, project.id, targets)


def move_shot(session: Session, kinds: KindRegistry, shot: Shot, position: int) -> list[Task]:
    shots = projects_repo.shots(session, shot.project_id)
    order = [s.id for s in shots if s.id != shot.id]
    order.insert(max(0, min(position, len(order))), shot.id)
    project = projects_repo.get(session, shot.project_id)
    if project is None:
        raise NotFound(f"no project {shot.project_id!r}")
    return reorder_shots(session, kinds, project, order)
