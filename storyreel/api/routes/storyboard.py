"""A project's storyboard: read it, or have it written again."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import (
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    kinds_of,
    owner_of,
    priority_of,
    project_for,
)
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.views.tasks import TaskOut, task_out
from storyreel.db.repositories import projects as repo
from storyreel.domain.storyboard import Storyboard
from storyreel.pipeline import project as pipeline

router = APIRouter(tags=["storyboard"])


@router.get("/projects/{project_id}/storyboard", response_model=Storyboard)
def get_storyboard(project_id: str, user: CurrentUser, db: DbDep) -> Storyboard:
    """The storyboard as the pipeline uses it: title, language, characters and shots."""
    with db.read() as s:
        project = project_for(s, user, project_id)
        shots = repo.shots(s, project.id)
        if not shots:
            if pipeline.storyboard_pending(s, project):
                raise errors.Conflict("the storyboard is still being written; try again soon")
            raise errors.NotFound(f"project {project_id} has no storyboard")
        try:
            return pipeline.board_of(project, shots, repo.characters(s, project.id))
        except ValidationError as exc:
            message = exc.errors()[0]["msg"]
            raise errors.Conflict(f"the storyboard is inconsistent: {message}") from exc


@router.post("/projects/{project_id}/storyboard", status_code=202, response_model=TaskOut)
def regenerate_storyboard(
    project_id: str,
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Write the storyboard again from the story; it replaces the shots and characters."""

    def create(s: Session) -> TaskOut:
        project = project_for(s, user, project_id, write=True)
        owner = owner_of(s, project, user)
        if project.auto:  # the new storyboard plans a whole video again
            check_quota(s, state, owner, project, images=1, videos=1)
        task = pipeline.regenerate_storyboard(
            s, kinds_of(state), project, priority=priority_of(state, owner)
        )
        return task_out(state, task)

    return run_once(
        db, user, idempotency_key, fingerprint("storyboard", project_id), create, status_code=202
    )
