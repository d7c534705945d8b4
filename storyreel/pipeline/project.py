"""Projects on the task engine: create one with its DAG, read it back as a storyboard, and edit
shots so exactly the tasks downstream of the change run again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from storyreel.db.models import Character, Project, Shot, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.db.repositories import tasks as tasks_repo
from storyreel.domain.storyboard import Character as BoardCharacter
from storyreel.domain.storyboard import Shot as BoardShot
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import get_style
from storyreel.tasks import service
from storyreel.tasks.dispatch import revoke
from storyreel.tasks.kinds import KindRegistry
from storyreel.tasks.model import TaskSpec

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


def create_project(
    session: Session,
    kinds: KindRegistry,
    request: ProjectRequest,
    *,
    owner_id: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[Project, Task]:
    """Record the project and its first task (the storyboard); the rest of the DAG is planned
    when the storyboard exists, because only then is the number of shots known."""
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
        ),
        kinds,
    )
    return project, task


def _title_from(story: str) -> str:
    first = story.strip().splitlines()[0] if story.strip() else "Untitled"
    return first[:60].strip() or "Untitled"


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
    """Replace the project's shots with the storyboard's and plan the tasks that make them."""
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
    return plan_tasks(session, kinds, project, rows, storyboard_task)


def plan_tasks(
    session: Session, kinds: KindRegistry, project: Project, shots: list[Shot], after: str
) -> list[Task]:
    """storyboard → per shot image, voice → motion; music; all of them → render."""

    def submit(kind: str, deps: list[str], shot: Shot | None = None, **params: Any) -> Task:
        spec = TaskSpec(
            kind=kind,
            params={"project_id": project.id, **({"shot_id": shot.id} if shot else {}), **params},
            project_id=project.id,
            shot_id=shot.id if shot else None,
            owner_id=project.owner_id,
            depends_on=tuple(deps),
        )
        return service.submit(session, spec, kinds)

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
    affected = {(shot.id, kind) for kind in stale_kinds}
    if "camera_motion" in changes and "motion" in stale_kinds:
        # The next shot's move is chosen not to repeat this one's: it may change too.
        following = projects_repo.shots(session, shot.project_id)
        if shot.position + 1 < len(following):
            affected.add((following[shot.position + 1].id, "motion"))
    targets = [
        t.id
        for t in tasks_repo.for_project(session, shot.project_id)
        if (t.shot_id, t.kind) in affected
    ]
    return service.invalidate(session, targets)
