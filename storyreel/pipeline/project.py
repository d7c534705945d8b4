"""Projects on the task engine: create one with its DAG, read it back as a storyboard, and edit
shots so exactly the tasks downstream of the change run again.

A project either runs its whole pipeline (``auto``) or stops after the storyboard, and its
steps are then asked for one by one (a shot's picture, voice, motion) or all at once
(``plan_render``). When a step runs again with new parameters a new task replaces the old one
in the DAG: what depended on the old task depends on the new one and runs again after it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Asset, Character, Project, Shot, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.storyboard import MAX_SHOTS, Storyboard, slug
from storyreel.domain.storyboard import Character as BoardCharacter
from storyreel.domain.storyboard import Shot as BoardShot
from storyreel.domain.styles import get_style
from storyreel.tasks import service
from storyreel.tasks.dispatch import revoke
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import ACTIVE, TaskSpec

Quality = Literal["final", "preview"]


@dataclass(frozen=True)
class ProjectRequest:
    story: str
    style: str = "cinematic"
    title: str | None = None
    aspect: Literal["16:9", "9:16", "1:1"] = "16:9"
    language: Literal["auto", "zh", "en"] = "auto"
    voice: str = "auto"
    voice_rate: float = 1.0
    music: str | None = "auto"
    target_seconds: float | None = None
    max_shots: int = 60
    seed: int = 0
    quality: Quality = "final"
    auto: bool = True  # plan the whole pipeline once the storyboard exists


class NotReady(ValueError):
    """The project is not in a state where this step can run (e.g. no storyboard yet)."""


def create_project(
    session: Session,
    kinds: KindRegistry,
    request: ProjectRequest,
    *,
    owner_id: str | None = None,
    idempotency_key: str | None = None,
    priority: int = 0,
) -> tuple[Project, Task]:
    """Record the project and its first task (the storyboard); the rest of the DAG is planned
    when the storyboard exists, because only then is the number of shots known — and only for
    ``auto`` projects. ``priority`` is the owner's plan's, inherited by every task planned."""
    get_style(request.style)  # refuses an unknown style with the list of known ones
    if idempotency_key:
        existing = tasks_repo.by_idempotency_key(session, idempotency_key)
        if existing is not None and existing.project_id is not None:
            earlier = projects_repo.get(session, existing.project_id)
            if earlier is not None:
                return earlier, existing
    project = Project(
        owner_id=owner_id,
        title=(request.title or _title_from(request.story))[:200],
        story=request.story,
        style=request.style,
        aspect=request.aspect,
        language=request.language,
        voice=request.voice,
        voice_rate=request.voice_rate,
        music=request.music,
        target_seconds=request.target_seconds,
        max_shots=request.max_shots,
        seed=request.seed,
        quality=request.quality,
        auto=request.auto,
    )
    session.add(project)
    session.flush()
    task = service.submit(
        session,
        TaskSpec(
            kind="storyboard",
            params={"project_id": project.id},
            project_id=project.id,
            owner_id=owner_id,
            idempotency_key=idempotency_key,
            priority=priority,
        ),
        kinds,
    )
    return project, task


def _title_from(story: str) -> str:
    first = story.strip().splitlines()[0] if story.strip() else "Untitled"
    first = first.lstrip("#").strip()  # a Markdown heading
    return first[:60].strip() or "Untitled"


def regenerate_storyboard(
    session: Session, kinds: KindRegistry, project: Project, *, priority: int = 0
) -> Task:
    """A new storyboard task; when it succeeds it replaces the shots, characters and tasks."""
    for t in projects_repo.active_tasks(session, project.id):
        if t.kind == "storyboard":
            raise NotReady("the storyboard is still being written; wait for it to finish")
    return service.submit(
        session,
        TaskSpec(
            kind="storyboard",
            params={"project_id": project.id},
            project_id=project.id,
            owner_id=project.owner_id,
            priority=priority,
        ),
        kinds,
    )


def storyboard_pending(session: Session, project: Project) -> bool:
    """A storyboard task is queued or running: it will replace the shots when it finishes."""
    return any(t.kind == "storyboard" for t in projects_repo.active_tasks(session, project.id))


def board_of(project: Project, shots: list[Shot], characters: list[Character]) -> Storyboard:
    """The project's rows as the domain storyboard the providers and the renderer take."""
    return Storyboard(
        title=project.title,
        language=project.detected_language or "en",
        style=project.style,
        aspect=project.aspect,
        characters=[
            BoardCharacter(id=c.key, name=c.name, description=c.description, color=c.color)
            for c in characters
        ],
        shots=[shot_of(s) for s in shots],
    )


def shot_of(row: Shot) -> BoardShot:
    return BoardShot(
        id=row.key,
        scene=row.scene,
        narration=row.narration,
        visual_prompt=row.visual_prompt,
        negative_prompt=row.negative_prompt,
        shot_type=row.shot_type,
        camera_motion=row.camera_motion,
        characters=list(row.characters),
        setting=row.setting,
        mood=row.mood,
        time_of_day=row.time_of_day,
        duration_hint=row.duration_hint,
    )


def store_storyboard(
    session: Session, kinds: KindRegistry, project: Project, board: Storyboard, storyboard_task: str
) -> list[Task]:
    """Replace the project's shots with the storyboard's and plan the tasks that make them
    (``auto`` projects; the others wait for their steps to be asked for)."""
    for running in projects_repo.running_tasks(session, project.id):
        if running.id != storyboard_task:
            revoke(session, running)  # stop its work now, not at its next heartbeat
    projects_repo.clear_storyboard(session, project.id, keep_tasks=[storyboard_task])
    project.detected_language = board.language
    project.title = board.title
    for c in board.characters:
        session.add(
            Character(
                project_id=project.id,
                key=c.id,
                name=c.name,
                description=c.description,
                color=c.color,
            )
        )
    rows = []
    for position, s in enumerate(board.shots):
        row = Shot(
            project_id=project.id,
            position=position,
            key=s.id,
            scene=s.scene,
            narration=s.narration,
            visual_prompt=s.visual_prompt,
            negative_prompt=s.negative_prompt,
            shot_type=s.shot_type,
            camera_motion=s.camera_motion,
            characters=list(s.characters),
            setting=s.setting,
            mood=s.mood,
            time_of_day=s.time_of_day,
            duration_hint=s.duration_hint,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    if not project.auto:
        return []
    writer = tasks_repo.get(session, storyboard_task)
    priority = writer.priority if writer is not None else 0
    return plan_tasks(session, kinds, project, rows, storyboard_task, priority=priority)


def _submitter(
    session: Session, kinds: KindRegistry, project: Project, priority: int
) -> Callable[..., Task]:
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


def plan_tasks(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    shots: list[Shot],
    after: str,
    *,
    priority: int = 0,
) -> list[Task]:
    """storyboard → per shot image, voice → motion; music; all of them → render."""
    submit = _submitter(session, kinds, project, priority)

    planned: list[Task] = []
    render_deps: list[str] = []
    for shot in shots:
        image = submit("image", [after], shot)
        voice = submit("voice", [after], shot)
        motion = submit("motion", [image.id, voice.id], shot)
        planned += [image, voice, motion]
        render_deps += [voice.id, motion.id]
    if project.music not in (None, "none"):
        music = submit("music", [after])
        planned.append(music)
        render_deps.append(music.id)
    planned.append(submit("render", render_deps, quality=project.quality))
    return planned


# What each editable field of a shot feeds: the tasks to run again when it changes.
_FEEDS = {
    "visual_prompt": "image",
    "negative_prompt": "image",
    "shot_type": "image",
    "characters": "image",
    "setting": "image",
    "mood": "image",
    "time_of_day": "image",
    "narration": "voice",
    "camera_motion": "motion",
    "scene": "render",  # a new scene fades through black
    "duration_hint": None,  # a planning hint: the narration decides the real length
}


def edit_shot(session: Session, shot_id: str, **changes: Any) -> list[Task]:
    """Change a shot; the tasks fed by what changed, and exactly what depends on them, are marked
    stale and run again (unchanged outputs downstream come back from the content cache)."""
    shot = projects_repo.shot(session, shot_id)
    if shot is None:
        raise LookupError(f"no shot {shot_id!r}")
    unknown = set(changes) - set(_FEEDS)
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}; editable: {sorted(_FEEDS)}")
    stale_kinds = set()
    for field_name, value in changes.items():
        if getattr(shot, field_name) != value:
            setattr(shot, field_name, value)
            stale_kinds.add(_FEEDS[field_name])
    shot_of(shot)  # validates the edited shot like a storyboard would
    session.flush()
    affected: set[tuple[str | None, str]] = {
        (shot.id, kind) for kind in stale_kinds if kind not in (None, "render")
    }
    if "render" in stale_kinds:
        affected.add((None, "render"))
    if "camera_motion" in changes and "motion" in stale_kinds:
        # The next shot's move is chosen not to repeat this one's: it may change too.
        following = projects_repo.shots(session, shot.project_id)
        if shot.position + 1 < len(following):
            affected.add((following[shot.position + 1].id, "motion"))
    # Only the current task of each step: replaced ones feed nothing any more.
    current = projects_repo.current_tasks(session, shot.project_id)
    return service.invalidate(session, [t.id for key, t in current.items() if key in affected])


# --- project settings -----------------------------------------------------------------------

# What each project setting feeds: the steps to run again when it changes (None: nothing
# already made — the setting only shapes the next storyboard or render).
_PROJECT_FEEDS: dict[str, str | None] = {
    "title": None,
    "style": "image",
    "aspect": "image",  # the canvas, hence every picture and what follows
    "voice": "voice",
    "voice_rate": "voice",
    "music": "music",
    "target_seconds": None,  # applies when the storyboard is written again
    "quality": None,  # the default of the next render
}


def update_project(
    session: Session,
    project: Project,
    *,
    kinds: KindRegistry | None = None,
    priority: int = 0,
    **changes: Any,
) -> list[Task]:
    """Change project settings; the steps fed by what changed run again (current tasks only).
    With ``kinds``, music asked for after a render without any is planned into that render."""
    unknown = set(changes) - set(_PROJECT_FEEDS)
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}; editable: {sorted(_PROJECT_FEEDS)}")
    if "style" in changes:
        changes["style"] = get_style(changes["style"]).name
    stale: set[str] = set()
    for name, value in changes.items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            kind = _PROJECT_FEEDS[name]
            if kind is not None:
                stale.add(kind)
    session.flush()
    current = projects_repo.current_tasks(session, project.id)
    targets = [t.id for (_, kind), t in current.items() if kind in stale]
    render = current.get((None, "render"))
    missing_music = (
        "music" in stale and project.music not in (None, "none") and (None, "music") not in current
    )
    if missing_music and render is not None and kinds is not None:
        music = _submitter(session, kinds, project, priority)("music", [])
        deps = tasks_repo.dependency_ids(session, render.id)
        tasks_repo.set_dependencies(session, render.id, [*deps, music.id])
        targets.append(render.id)
    return service.invalidate(session, targets)


# --- shots ----------------------------------------------------------------------------------


def _renumber(session: Session, shots: list[Shot]) -> None:
    # Handlers index shots by position (the previous shot's move): keep them 0..n-1.
    for position, shot in enumerate(shots):
        if shot.position != position:
            shot.position = position
    session.flush()


def _order_changed(before: list[str], after: list[str]) -> set[str]:
    """Shots whose position or predecessor changed: their motion is chosen from both."""
    was = {shot_id: (i, before[i - 1] if i else None) for i, shot_id in enumerate(before)}
    return {
        shot_id
        for i, shot_id in enumerate(after)
        if was.get(shot_id) != (i, after[i - 1] if i else None)
    }


def _restale(session: Session, project_id: str, shot_ids: set[str], render: bool) -> list[Task]:
    """Run the motion of these shots again, and the render."""
    current = projects_repo.current_tasks(session, project_id)
    targets = [
        t.id
        for (shot_id, kind), t in current.items()
        if (kind == "motion" and shot_id in shot_ids) or (render and kind == "render")
    ]
    return service.invalidate(session, targets)


def has_pipeline(session: Session, project: Project) -> bool:
    """The project's steps are planned as one DAG (``auto``, or a render was asked for)."""
    return project.auto or (None, "render") in projects_repo.current_tasks(session, project.id)


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
        raise NotReady(f"a storyboard holds at most {MAX_SHOTS} shots; delete one first")
    before = [s.id for s in shots]
    taken = {s.key for s in shots}
    key = f"shot-{secrets.token_hex(4)}"
    while key in taken:
        key = f"shot-{secrets.token_hex(4)}"
    shot = Shot(project_id=project.id, key=key, position=len(shots), **fields)
    shot_of(shot)  # validates it like a storyboard would
    session.add(shot)
    session.flush()
    at = len(shots) if position is None else max(0, min(position, len(shots)))
    shots.insert(at, shot)
    _renumber(session, shots)
    planned: list[Task] = []
    if has_pipeline(session, project):
        submit = _submitter(session, kinds, project, priority)
        image = submit("image", [], shot)
        voice = submit("voice", [], shot)
        motion = submit("motion", [image.id, voice.id], shot)
        planned = [image, voice, motion]
        current = projects_repo.current_tasks(session, project.id)
        render = current.get((None, "render"))
        if render is not None:
            deps = tasks_repo.dependency_ids(session, render.id)
            tasks_repo.set_dependencies(session, render.id, [*deps, voice.id, motion.id])
    # Shots after it moved: their motion (and the render) are chosen anew.
    moved = _order_changed(before, [s.id for s in shots]) - {shot.id}
    return shot, planned + _restale(session, project.id, moved, render=True)


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
        raise ValueError("the narration is too short to split")
    if not 0 < at < len(text):
        raise ValueError(
            f"at must be between 1 and {len(text) - 1}: an offset inside the narration "
            f"({len(text)} characters)"
        )
    head, tail = text[:at].strip(), text[at:].strip()
    if not head or not tail:
        raise ValueError(
            "both parts of the narration need words: split between them, not in the spaces "
            "at its start or end"
        )
    first = len(head) / (len(head) + len(tail))
    fields: dict[str, Any] = {name: getattr(shot, name) for name in _SPLIT_COPIED}
    fields["characters"] = list(shot.characters or [])
    fields["narration"] = tail
    fields["duration_hint"] = _share(shot.duration_hint, 1 - first)
    edited = edit_shot(
        session, shot.id, narration=head, duration_hint=_share(shot.duration_hint, first)
    )
    added, planned = add_shot(
        session, kinds, project, fields, position=shot.position + 1, priority=priority
    )
    return added, edited + planned


def delete_shot(session: Session, shot: Shot) -> list[Task]:
    """Remove a shot and its tasks; the render (and the next shot's motion) run again."""
    shots = projects_repo.shots(session, shot.project_id)
    if len(shots) <= 1:
        raise NotReady("a storyboard needs at least one shot; delete the project instead")
    for t in projects_repo.active_tasks(session, shot.project_id, shot_id=shot.id):
        if t.status == "running":
            revoke(session, t)  # stop its work now; the row goes with the shot
    before = [s.id for s in shots]
    remaining = [s for s in shots if s.id != shot.id]
    session.delete(shot)  # its tasks and their dependency edges go by foreign-key cascade
    session.flush()
    _renumber(session, remaining)
    moved = _order_changed(before, [s.id for s in remaining])
    return _restale(session, shot.project_id, moved, render=True)


def reorder_shots(session: Session, project: Project, shot_ids: list[str]) -> list[Task]:
    """Put the shots in this order (a permutation of the project's shots); the motion of the
    shots that moved and the render run again."""
    shots = projects_repo.shots(session, project.id)
    by_id = {s.id: s for s in shots}
    if len(shot_ids) != len(shots) or set(shot_ids) != set(by_id):
        raise ValueError(
            "shot_ids must list every shot of the project exactly once "
            f"({len(shots)} shots, {len(shot_ids)} ids given)"
        )
    before = [s.id for s in shots]
    _renumber(session, [by_id[i] for i in shot_ids])
    moved = _order_changed(before, shot_ids)
    return _restale(session, project.id, moved, render=bool(moved))


def move_shot(session: Session, shot: Shot, position: int) -> list[Task]:
    shots = projects_repo.shots(session, shot.project_id)
    order = [s.id for s in shots if s.id != shot.id]
    order.insert(max(0, min(position, len(order))), shot.id)
    project = projects_repo.get(session, shot.project_id)
    assert project is not None
    return reorder_shots(session, project, order)


# --- one step of one shot, on demand ---------------------------------------------------------

SHOT_STEPS = ("image", "voice", "motion")
_FAILED = ("failed", "cancelled")


def _has_output(shot: Shot, kind: str) -> bool:
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
        raise ValueError(f"unknown shot step {kind!r}; one of {', '.join(SHOT_STEPS)}")
    current = projects_repo.current_tasks(session, project.id)
    deps: list[str] = []
    if kind == "motion":  # it animates the picture for as long as the voice speaks
        for needed in ("image", "voice"):
            upstream = current.get((shot.id, needed))
            if _usable(upstream):
                assert upstream is not None
                deps.append(upstream.id)
            elif not _has_output(shot, needed):
                raise NotReady(f"the shot has no {needed} yet; generate its {needed} first")
    new = _submitter(session, kinds, project, priority)(kind, deps, shot, **(params or {}))
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
    service.invalidate(session, dependents)
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
        raise NotReady("the project has no storyboard yet; wait for it to be written")
    quality = quality or ("preview" if project.quality == "preview" else "final")
    current = projects_repo.current_tasks(session, project.id)
    submit = _submitter(session, kinds, project, priority)
    render_deps: list[str] = []

    def step(shot: Shot, kind: str) -> tuple[Task | None, bool]:
        """The shot's ``kind`` task to wait for (None: its output is already there), and
        whether it was submitted just now."""
        task = current.get((shot.id, kind))
        if _usable(task):
            return task, False
        if task is None and _has_output(shot, kind):
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
            or (motion_task is None and not _has_output(shot, "motion"))
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
            service.invalidate(session, [earlier.id])
        return earlier
    return submit("render", render_deps, quality=quality)


# --- characters -----------------------------------------------------------------------------

# What a character's fields feed: every one of them changes the pictures of its shots.
CHARACTER_FIELDS = ("name", "description", "color")


def _character_key(session: Session, project_id: str, name: str) -> str:
    taken = {c.key for c in projects_repo.characters(session, project_id)}
    base = slug(name, "c")[:56]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def add_character(
    session: Session, project: Project, name: str, description: str = "", color: str | None = None
) -> Character:
    row = Character(
        project_id=project.id,
        key=_character_key(session, project.id, name),
        name=name,
        description=description,
        **({"color": color} if color else {}),
    )
    session.add(row)
    session.flush()
    BoardCharacter(id=row.key, name=row.name, description=row.description, color=row.color)
    return row


def _shots_naming(session: Session, character: Character) -> list[Shot]:
    return [
        s
        for s in projects_repo.shots(session, character.project_id)
        if character.key in (s.characters or [])
    ]


def _rerun_images(session: Session, project_id: str, shots: list[Shot]) -> list[Task]:
    ids = {s.id for s in shots}
    current = projects_repo.current_tasks(session, project_id)
    return service.invalidate(
        session,
        [t.id for (shot_id, kind), t in current.items() if kind == "image" and shot_id in ids],
    )


def edit_character(session: Session, character: Character, **changes: Any) -> list[Task]:
    """Change a character; the pictures of the shots that name it are made again (the
    character's name, description and colour reach the image provider with each shot)."""
    unknown = set(changes) - set(CHARACTER_FIELDS)
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}; editable: {list(CHARACTER_FIELDS)}")
    changed = False
    for name, value in changes.items():
        if value is not None and getattr(character, name) != value:
            setattr(character, name, value)
            changed = True
    BoardCharacter(
        id=character.key,
        name=character.name,
        description=character.description,
        color=character.color,
    )
    session.flush()
    if not changed:
        return []
    return _rerun_images(session, character.project_id, _shots_naming(session, character))


def redraw_character_shots(session: Session, character: Character) -> list[Task]:
    """The pictures of the shots naming ``character`` are made again (its reference picture
    changed: image providers that take references draw from it)."""
    return _rerun_images(session, character.project_id, _shots_naming(session, character))


def delete_character(session: Session, character: Character) -> list[Task]:
    """Remove a character; shots that named it no longer do, and their pictures are redone."""
    shots = _shots_naming(session, character)
    for shot in shots:
        shot.characters = [c for c in shot.characters if c != character.key]
    session.delete(character)
    session.flush()
    return _rerun_images(session, character.project_id, shots)


# --- whole projects -------------------------------------------------------------------------


def _copy_asset(session: Session, asset: Asset | None, project: Project) -> Asset | None:
    # Blobs are content-addressed and immutable: the copy points at the same key.
    if asset is None:
        return None
    copy = Asset(
        owner_id=project.owner_id,
        project_id=project.id,
        kind=asset.kind,
        blob_key=asset.blob_key,
        mime=asset.mime,
        size=asset.size,
        sha256=asset.sha256,
        meta=dict(asset.meta or {}),
    )
    session.add(copy)
    session.flush()
    return copy


_PROJECT_COPIED = (
    "story",
    "style",
    "aspect",
    "language",
    "detected_language",
    "voice",
    "voice_rate",
    "music",
    "target_seconds",
    "max_shots",
    "seed",
    "quality",
    "auto",
)
_SHOT_COPIED = (
    "position",
    "key",
    "scene",
    "narration",
    "visual_prompt",
    "negative_prompt",
    "shot_type",
    "camera_motion",
    "setting",
    "mood",
    "time_of_day",
    "duration_hint",
    "motion",
    "voice_seconds",
    "words",
)


def duplicate_project(
    session: Session, project: Project, *, owner_id: str | None, title: str | None = None
) -> Project:
    """A copy with the same shots, characters and generated media (shared by reference), and
    no tasks or renders: its steps run when they are asked for."""
    if storyboard_pending(session, project):
        raise NotReady("the storyboard is still being written; duplicate it when it is done")
    copy = Project(
        owner_id=owner_id,
        title=(title or f"{project.title} (copy)")[:200],
        **{name: getattr(project, name) for name in _PROJECT_COPIED},
    )
    session.add(copy)
    session.flush()
    originals = projects_repo.characters(session, project.id)
    shots = projects_repo.shots(session, project.id)
    media = projects_repo.assets(
        session,
        [c.reference_asset_id for c in originals]
        + [a for s in shots for a in (s.image_asset_id, s.voice_asset_id, s.clip_asset_id)],
    )
    copied: dict[str, Asset] = {}

    def asset_id(original_id: str | None) -> str | None:
        if original_id is None or original_id not in media:
            return None
        if original_id not in copied:
            made = _copy_asset(session, media[original_id], copy)
            assert made is not None
            copied[original_id] = made
        return copied[original_id].id

    for c in originals:
        session.add(
            Character(
                project_id=copy.id,
                key=c.key,
                name=c.name,
                description=c.description,
                color=c.color,
                reference_asset_id=asset_id(c.reference_asset_id),
            )
        )
    for s in shots:
        session.add(
            Shot(
                project_id=copy.id,
                characters=list(s.characters or []),
                image_asset_id=asset_id(s.image_asset_id),
                voice_asset_id=asset_id(s.voice_asset_id),
                clip_asset_id=asset_id(s.clip_asset_id),
                **{name: getattr(s, name) for name in _SHOT_COPIED},
            )
        )
    session.flush()
    return copy


def delete_project(session: Session, project: Project) -> list[str]:
    """Delete the project (its work stops) and return the blob keys only it referenced, to be
    removed from the store once this transaction has committed."""
    for t in projects_repo.active_tasks(session, project.id):
        if t.status == "running":
            revoke(session, t)
    keys = set(projects_repo.blob_keys(session, project.id))
    keys -= projects_repo.blob_keys_used_elsewhere(session, keys, project.id)
    projects_repo.delete_project(session, project.id)
    return sorted(keys)
