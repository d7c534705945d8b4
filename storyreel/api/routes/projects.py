"""Projects: create (from story text or an uploaded document), list, read, update, delete,
duplicate, and share read-only with other accounts."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from storyreel.api import errors, uploads
from storyreel.api.deps import (
    AppState,
    Creator,
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    kinds_of,
    owner_of,
    pipeline_of,
    priority_of,
    project_for,
    providers_of,
    within_quota,
)
from storyreel.api.errors import field_error
from storyreel.api.feeds import documents_feeds
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.routes.auth import EMAIL
from storyreel.api.routing import RoutingIn, checked_routing
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.api.views.members import MemberOut, member_out
from storyreel.api.views.projects import (
    ProjectOut,
    ProjectStatus,
    ProjectSummary,
    project_out,
    project_summaries,
)
from storyreel.auth import quotas
from storyreel.db.models import ProjectMember, User
from storyreel.db.repositories import accounts as accounts_repo
from storyreel.db.repositories import projects as repo
from storyreel.documents import Document, DocumentError
from storyreel.domain.blob_keys import project_cache_prefix
from storyreel.domain.condense import Condensed
from storyreel.domain.feeds import PROJECT_FEEDS
from storyreel.domain.project import VOICE_PATTERN, ProjectOptions, Quality
from storyreel.domain.storyboard import Aspect
from storyreel.domain.styles import STYLES, UnknownStyle, get_style
from storyreel.pipeline import project as pipeline
from storyreel.pipeline.condense import condense_story
from storyreel.pipeline.ingest import ChapterNeeded, StoryError, check_story, chosen_text
from storyreel.pipeline.timeline import CANVAS_SIZES
from storyreel.providers.base import ProviderError
from storyreel.storage.base import InvalidKey, StorageError

log = logging.getLogger(__name__)

CHAPTER_PATTERN = r"^\s*\d{1,6}\s*(?:-\s*\d{1,6}\s*)?$"

# Bodies are bounded by the upload limit while they arrive (uploads.BoundedBody).
router = APIRouter(tags=["projects"], route_class=uploads.BoundedBody, responses=uploads.TOO_LARGE)


def _style(value: str) -> str:
    try:
        return get_style(value).name
    except UnknownStyle as exc:
        raise ValueError(str(exc)) from None


class ProjectFields(ProjectOptions):
    """Everything about a project but its story."""


CONDENSED_HEADER = "Storyreel-Condensed"
CONDENSE_DESCRIPTION = (
    "Condense a text longer than the film needs (or than the story limit) to the target "
    "length instead of refusing it: by the LLM of the storyboard route when one is "
    f"configured, else offline. The `{CONDENSED_HEADER}` response header says what was done."
)


class ProjectIn(ProjectFields):
    story: str = Field(description="The story text (plain text or Markdown).")
    condense: bool = Field(False, description=CONDENSE_DESCRIPTION)


class ProjectUpload(ProjectFields):
    file: UploadFile = Field(
        description="The story document: plain text (.txt, any common encoding), Markdown, "
        "Word (.docx), PDF (with a text layer), EPUB (without DRM) or HTML, recognised by its "
        "content. See `POST /documents/inspect` for its chapters."
    )
    chapter: str | None = Field(
        None,
        pattern=CHAPTER_PATTERN,
        examples=["3", "2-3"],
        description="Chapter N or range N-M (1-based) of the document to make the story of; "
        "unset: the whole document, when it fits the story limit.",
    )
    condense: bool = Field(False, description=CONDENSE_DESCRIPTION)


class ProjectPatch(BaseModel):
    """The settings a project's owner may change; anything else is refused. Each field's
    `x-feeds` names the step a change to it runs again for every shot (`false`: none); the
    budget and routes apply to the work still to come."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=documents_feeds(PROJECT_FEEDS))

    title: str | None = Field(None, min_length=1, max_length=200)
    style: str | None = Field(None, max_length=64, description=f"One of: {', '.join(STYLES)}.")
    aspect: Aspect | None = None
    voice: str | None = Field(None, pattern=VOICE_PATTERN)
    voice_rate: float | None = Field(None, ge=0.25, le=4.0, allow_inf_nan=False)
    music: str | None = Field(None, max_length=64)
    target_seconds: float | None = Field(None, gt=0, le=24 * 3600, allow_inf_nan=False)
    quality: Quality | None = None
    budget: float | None = Field(
        None,
        ge=0,
        le=1_000_000,
        allow_inf_nan=False,
        description="The most this project's provider calls may cost in all; null: no limit.",
    )
    routing: RoutingIn | None = Field(
        None,
        description="Provider routes for this project only ({} to follow the account's).",
    )
    bilingual_subtitles: bool | None = Field(
        None,
        description="Subtitles in two languages: each shot's original narration (a translated "
        "project's) as a second, smaller line. Only the render is made again.",
    )

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str | None) -> str | None:
        return _style(value) if value is not None else None


# Fields that may be sent as null: the rest must have a value when given.
_NULLABLE = {"music", "target_seconds", "budget"}


class DuplicateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(pattern=EMAIL, max_length=320, examples=["bob@example.com"])


# --- checks ---------------------------------------------------------------------------------


def _story(state: AppState, text: str) -> str:
    """The story as the pipeline takes it: 413 when too long, 422 when unusable."""
    limit = state.settings.max_story_chars
    if len(text) > limit and len(text.strip()) > limit:
        raise errors.PayloadTooLarge(
            f"the story is {len(text.strip()):,} characters; the limit is {limit:,} "
            "(STORYREEL_MAX_STORY_CHARS)",
            details={"limit_chars": limit},
        )
    try:
        return check_story(text, limit)
    except StoryError as exc:
        raise field_error("story", str(exc)) from exc


def _condensed(
    state: AppState, text: str, fields: ProjectFields, *, condense: bool
) -> tuple[str, Condensed | None]:
    """The story of a new project, typed or uploaded: ``text`` condensed to what the film needs
    when asked (up to the document limit), then checked as any story (413, 422)."""
    if not condense:
        return _story(state, text), None
    limit = state.settings.max_document_chars
    if len(text) > limit and len(text.strip()) > limit:
        raise errors.PayloadTooLarge(
            f"the text is {len(text.strip()):,} characters; even condensed, the limit is "
            f"{limit:,} (STORYREEL_MAX_DOCUMENT_CHARS)",
            details={"limit_chars": limit},
        )
    condensed = condense_story(
        pipeline_of(state),
        text,
        target_seconds=fields.target_seconds,
        max_chars=state.settings.max_story_chars,
        max_shots=fields.max_shots,
    )
    return _story(state, condensed.text), condensed


def _said(response: Response, condensed: Condensed | None) -> Response:
    """``response`` with the ``Storyreel-Condensed`` header when the story was condensed (an
    ASCII line: "condensed 31,204 -> 1,950 characters (offline, extractive)")."""
    if condensed is not None:
        response.headers[CONDENSED_HEADER] = (
            condensed.describe().replace("→", "->").encode("ascii", "replace").decode()
        )
    return response


#: The created project's response, documenting the header a condensed story comes with.
CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "headers": {
            CONDENSED_HEADER: {
                "description": "Sent when `condense` was asked: what was done, e.g. "
                "`condensed 31,204 -> 1,950 characters (offline, extractive)` or "
                "`not condensed: 1,204 characters already fit`.",
                "schema": {"type": "string"},
            }
        }
    }
}


def _chosen(
    state: AppState, document: Document, chapter: str | None, *, condensing: bool = False
) -> str:
    """The text of the chapters chosen (422 naming `chapter` when it must be or cannot be)."""
    try:
        return chosen_text(document, chapter, state.settings.max_story_chars, condensing=condensing)
    except DocumentError as exc:
        raise uploads.document_refusal(exc) from exc
    except ChapterNeeded as exc:
        raise field_error("chapter", str(exc)) from exc


def _music(state: AppState, value: str | None) -> str | None:
    """``auto``, ``none``, or a mood the configured music provider knows (422 listing them)."""
    if value is None:
        return None
    mood = value.strip().lower()
    if mood in ("auto", "none"):
        return mood
    try:
        moods = providers_of(state).music().moods()
    except ProviderError:
        moods = []  # a provider that cannot be asked checks the mood when it runs
    if moods and mood not in moods:
        raise field_error(
            "music",
            f"unknown music mood {value!r}; choose auto, none or one of: {', '.join(moods)}",
        )
    return mood


def _resolution(aspect: str) -> int:
    """The video's shorter side (the ``max_resolution`` quota's measure)."""
    return min(CANVAS_SIZES[aspect])


def create_from_story(
    s: Session, state: AppState, user: User, fields: ProjectFields, story: str
) -> ProjectOut:
    """A project of ``story`` (already checked: ``_story``) with ``fields``, in ``s``: the
    owner's quotas are checked and its storyboard task is queued. Shared by every create route
    (typed text, upload, the assistant)."""
    check_quota(
        s,
        state,
        user,
        images=1,
        videos=1 if fields.auto else 0,
        duration_s=fields.target_seconds,
        resolution=_resolution(fields.aspect),
    )
    options = ProjectOptions.model_validate(
        fields.model_dump(include=set(ProjectOptions.model_fields))
    )
    project, _ = pipeline.create_project(
        s, kinds_of(state), story, options, owner_id=user.id, priority=priority_of(state, user)
    )
    return project_out(s, state, project, user)


# --- create ---------------------------------------------------------------------------------


@router.post("/projects", status_code=201, response_model=ProjectOut, responses=CREATED)
def create_project(
    body: ProjectIn,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a project from story text (condensed first with `condense`); its storyboard
    starts being written at once."""
    body.music = _music(state, body.music)
    story, condensed = _condensed(state, body.story, body, condense=body.condense)
    fields = ProjectFields.model_validate(body.model_dump(exclude={"story", "condense"}))
    response = run_once(
        db,
        user,
        idempotency_key,
        # As before `condense` existed when it is not asked.
        fingerprint(
            "projects",
            body.model_dump(mode="json", exclude={"condense"}),
            *(["condense"] * body.condense),
        ),
        lambda s: create_from_story(s, state, user, fields, story),
    )
    return _said(response, condensed)


@router.post(
    "/projects/upload",
    status_code=201,
    response_model=ProjectOut,
    responses={**uploads.UNSUPPORTED, **CREATED},
)
def upload_project(
    data: Annotated[ProjectUpload, Form(media_type="multipart/form-data")],
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a project from an uploaded document — .txt, .md, .docx, .pdf, .epub or .html,
    recognised by its content — or the chapters of it that `chapter` names."""
    raw = uploads.read_upload(data.file, state.settings.upload_max_bytes)
    document = uploads.story_document(raw, data.file.filename, state.settings)
    fields = ProjectFields.model_validate(data.model_dump(exclude={"file", "chapter", "condense"}))
    fields.music = _music(state, fields.music)
    text = _chosen(state, document, data.chapter, condensing=data.condense)
    story, condensed = _condensed(state, text, fields, condense=data.condense)
    response = run_once(
        db,
        user,
        idempotency_key,
        fingerprint("projects/upload", fields, data.chapter, raw, *(["condense"] * data.condense)),
        lambda s: create_from_story(s, state, user, fields, story),
    )
    return _said(response, condensed)


# --- read -----------------------------------------------------------------------------------


@router.get("/projects", response_model=Page[ProjectSummary])
def list_projects(
    user: CurrentUser,
    state: StateDep,
    db: DbDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    status: ProjectStatus | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the title.")] = None,
    everyone: Annotated[
        bool, Query(alias="all", description="Administrators: every account's projects.")
    ] = False,
) -> Page[ProjectSummary]:
    """Your projects and those shared with you, newest first, with their shot counts and the
    poster and length of their latest render."""
    if everyone and user.role != "admin":
        raise errors.Forbidden("only administrators may list every account's projects")
    with db.read() as s:
        rows, total = repo.page(
            s,
            visible_to=None if everyone else user.id,
            status=status,
            search=q or None,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        items = project_summaries(s, state, rows, user)
    return Page(items=items, page=page, page_size=page_size, total=total)


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> ProjectOut:
    """A project with its shots, characters, latest render, status and task counts."""
    with db.read() as s:
        return project_out(s, state, project_for(s, user, project_id), user)


# --- change ---------------------------------------------------------------------------------


@router.patch("/projects/{project_id}", response_model=ProjectOut)
def update_project(
    project_id: str, body: ProjectPatch, user: CurrentUser, state: StateDep, db: DbDep
) -> ProjectOut:
    """Change a project's settings; the steps they feed run again."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in _NULLABLE:
            raise field_error(name, f"{name} cannot be null")
    if "music" in changes:
        changes["music"] = _music(state, changes["music"])
    # Neither feeds a step: nothing runs again when they change.
    own = {name: changes.pop(name) for name in ("budget", "routing") if name in changes}
    if own.get("routing") is not None:
        own["routing"] = checked_routing(state, body.routing)
    with db.write() as s:
        project = project_for(s, user, project_id, write=True)
        for name, value in own.items():
            setattr(project, name, value)
        aspect = changes.get("aspect", project.aspect)
        if "target_seconds" in changes or "aspect" in changes:
            check_quota(
                s,
                state,
                owner_of(s, project, user),
                project,
                images=0,
                videos=0,
                duration_s=changes.get("target_seconds"),
                resolution=_resolution(aspect),
            )
        owner = owner_of(s, project, user)
        pipeline.update_project(
            s, kinds_of(state), project, priority=priority_of(state, owner), **changes
        )
        within_quota(s, state, owner, project)  # a new style redraws every picture
        return project_out(s, state, project, user)


@router.delete("/projects/{project_id}", status_code=204, response_class=Response)
def delete_project(project_id: str, user: CurrentUser, state: StateDep, db: DbDep) -> Response:
    """Delete a project: its work stops and its files are removed."""
    with db.write() as s:
        project = project_for(s, user, project_id, write=True)
        # Row lock: a duplicate being made now (it takes a share lock) either finishes first,
        # so its references keep the blobs, or waits and finds the project gone.
        s.refresh(project, with_for_update=True)
        quotas.carry_over(s, project)  # deleting a project does not give its usage back
        keys = pipeline.delete_project(s, project)
    state.access_changed("project deleted", project_id=project_id)
    # After the commit: a rollback must not leave rows pointing at deleted files.
    # What is left behind here (the store unreachable) the orphan sweep finds later.
    for key in keys:
        try:
            state.store.delete(key)
        except (InvalidKey, OSError, StorageError) as exc:
            log.warning("could not delete blob %s of deleted project %s: %s", key, project_id, exc)
    try:  # its provider results and shared render files: nothing of it stays behind
        state.store.delete_prefix(project_cache_prefix(project_id))
    except (OSError, StorageError, NotImplementedError) as exc:
        log.warning("could not delete the caches of deleted project %s: %s", project_id, exc)
    return Response(status_code=204)


@router.post("/projects/{project_id}/duplicate", status_code=201, response_model=ProjectOut)
def duplicate_project(
    project_id: str,
    user: Creator,
    state: StateDep,
    db: DbDep,
    body: DuplicateIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Copy a project you can read, with its shots, characters and generated media."""
    title = body.title if body is not None else None

    def create(s: Session) -> ProjectOut:
        original = project_for(s, user, project_id)
        s.refresh(original, with_for_update={"read": True})  # see delete_project
        copy = pipeline.duplicate_project(s, original, owner_id=user.id, title=title)
        return project_out(s, state, copy, user)

    return run_once(db, user, idempotency_key, fingerprint("duplicate", project_id, title), create)


# --- sharing --------------------------------------------------------------------------------


@router.get("/projects/{project_id}/members", response_model=list[MemberOut])
def list_project_members(project_id: str, user: CurrentUser, db: DbDep) -> list[MemberOut]:
    """The accounts a project is shared with (read-only)."""
    with db.read() as s:
        project_for(s, user, project_id)
        out = []
        for member in accounts_repo.members(s, project_id):
            account = accounts_repo.user(s, member.user_id)
            if account is not None:
                out.append(member_out(member, account))
        return out


@router.post("/projects/{project_id}/members", status_code=201, response_model=MemberOut)
def add_project_member(
    project_id: str,
    body: MemberIn,
    user: CurrentUser,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Share a project read-only with another account, by email."""

    def create(s: Session) -> MemberOut:
        project = project_for(s, user, project_id, write=True)
        account = accounts_repo.user_by_email(s, body.email)
        if account is None:
            raise errors.NotFound(f"no account with the email {body.email}")
        if account.id == project.owner_id:
            raise field_error("email", "that account owns the project")
        member = accounts_repo.membership(s, project.id, account.id)
        if member is None:
            member = ProjectMember(project_id=project.id, user_id=account.id, role="viewer")
            s.add(member)
            s.flush()
        return member_out(member, account)

    return run_once(
        db, user, idempotency_key, fingerprint("members", project_id, body.email.lower()), create
    )


@router.delete("/projects/{project_id}/members/{user_id}", status_code=204, response_class=Response)
def remove_project_member(
    project_id: str, user_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> Response:
    """Stop sharing a project with an account (members may also remove themselves); the
    account's open WebSockets stop receiving the project's events within seconds."""
    with db.write() as s:
        project_for(s, user, project_id, write=user_id != user.id)
        if not repo.remove_member(s, project_id, user_id):
            raise errors.NotFound(f"project {project_id} is not shared with {user_id}")
    state.access_changed("removed from a project", user_id=user_id, project_id=project_id)
    return Response(status_code=204)
