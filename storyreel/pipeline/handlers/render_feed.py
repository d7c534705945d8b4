"""What a render started early may use: the project's film as it stands, and which shots are
final (``Renderer.render_as_ready``'s ``InputsFeed``).

A render is released once the project's voices and music are done (its ``image`` and
``motion`` dependencies are ones its kind may start before). Voices fix the film's clock, so
every shot's place is known from the start; a shot is *ready* when its picture and move are
made and no task is re-making them. A shot still waiting shows a stand-in picture in the
timeline, so the timeline stays whole; its segments are simply not encoded yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session

from storyreel.db.models import Project, Shot, Task
from storyreel.db.repositories import projects as repo
from storyreel.domain.cancel import CancelToken
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.timeline import Timeline
from storyreel.media.render import RenderInputs
from storyreel.media.sources import resolve_sources
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.project import board_of
from storyreel.tasks.model import ACTIVE, PermanentError, RetryableError

#: ``build(session, project, shots, storyboard, waiting shot ids, stand-in picture)``: the
#: render timeline (waiting shots show the stand-in) and the folder its paths are relative to.
BuildTimeline = Callable[
    [Session, Project, list[Shot], Storyboard, set[str], Path], tuple[Timeline, Path]
]

#: The steps that make a shot's picture; a render may start before them.
PICTURE_STEPS = ("image", "motion")
_STEP_NAMES = {"image": "picture", "motion": "camera move or clip"}


@dataclass(frozen=True)
class Readiness:
    ready: frozenset[int]  # shot positions (clip indices) whose picture and move are final
    total: int


def shot_ready(shot: Shot, current: dict[tuple[str | None, str], Task]) -> bool:
    """Whether the shot's picture and move are final. Raises when one of them failed (the
    engine fails the render too; this says which shot)."""
    number = shot.position + 1
    for step in PICTURE_STEPS:
        task = current.get((shot.id, step))
        if task is None:
            continue
        if task.status in ACTIVE:
            return False
        if task.status in ("failed", "cancelled"):
            reason = (task.error or {}).get("message") or task.status
            raise PermanentError(
                f"shot {number}'s {_STEP_NAMES[step]} could not be made ({reason}); make it "
                "again, then render",
                code="missing_input",
            )
    if (shot.clip_asset_id or shot.image_asset_id) is None or shot.motion is None:
        raise PermanentError(
            f"shot {number} has no picture and nothing is making one; make it again, then render",
            code="missing_input",
        )
    return True


def stand_in_picture(folder: Path) -> Path:
    """A tiny black picture that holds a waiting shot's place in the timeline."""
    path = folder / "stand-in.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (16, 16)).save(path)
    return path


class ProjectFeed:
    """The project's film for ``render_as_ready``, read from the database at each poll; it
    is rebuilt (files probed and hashed) only when something about it changed."""

    def __init__(
        self,
        services: PipelineServices,
        project_id: str,
        *,
        work: Path,
        build: BuildTimeline,
        cancel: CancelToken | None,
    ) -> None:
        self.services = services
        self.project_id = project_id
        self.build = build
        self.cancel = cancel or CancelToken()
        self.picture = stand_in_picture(work)
        self.readiness = Readiness(frozenset(), 0)
        self.board: Storyboard | None = None  # as of the latest timeline
        self._fingerprint = ""
        self._inputs: RenderInputs | None = None

    def current(self) -> RenderInputs:
        with self.services.db.session() as s:
            project = repo.get(s, self.project_id)
            if project is None:
                raise PermanentError("the project was deleted", code="not_found")
            # Tasks before shots: a task read as finished has its outputs committed with it, so
            # the shots read next show them (the other order can see a task finish between
            # the two reads and miss the picture it made).
            tasks = repo.current_tasks(s, project.id)
            shots = repo.shots(s, project.id)
            ready = frozenset(i for i, shot in enumerate(shots) if shot_ready(shot, tasks))
            board = board_of(project, shots, repo.characters(s, project.id))
            fingerprint = _fingerprint(board.model_dump_json(), shots, ready, tasks)
            if fingerprint == self._fingerprint and self._inputs is not None:
                return self._inputs
            waiting = {shots[i].id for i in range(len(shots)) if i not in ready}
            timeline, base = self.build(s, project, shots, board, waiting, self.picture)
            self.board = board
        sources, problems = resolve_sources(
            json.loads(timeline.model_dump_json()), base, allowed_roots=[]
        )
        if problems:
            raise RetryableError(f"render inputs are missing: {problems[0].message}")
        self.readiness = Readiness(ready, len(shots))
        self._inputs = RenderInputs(timeline, sources, ready)
        self._fingerprint = fingerprint
        return self._inputs

    def wait(self, seconds: float) -> None:
        self.cancel.wait(seconds)


def _fingerprint(
    board_json: str,
    shots: list[Shot],
    ready: frozenset[int],
    tasks: dict[tuple[str | None, str], Task],
) -> str:
    """Everything the film depends on: the storyboard, each shot's files and move, which shots
    are ready, and the music."""
    music = tasks.get((None, "music"))
    material = {
        "board": board_json,
        "shots": [
            [s.id, s.image_asset_id, s.clip_asset_id, s.voice_asset_id, s.voice_seconds, s.motion]
            for s in shots
        ],
        "ready": sorted(ready),
        "music": [music.id, music.status] if music is not None else None,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()
