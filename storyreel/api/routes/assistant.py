"""The assistant: from an idea to a brief, a script and a project, in a conversation kept per
person (docs/assistant.md). Reading the request, refining the brief, choosing a template and
checking the brief work offline; writing the script needs an LLM (409 naming the settings when
there is none — a person may always give their own script). Admins add templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import AdminUser, Creator, CurrentUser, DbDep, StateDep, check_spending
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.routes.projects import ProjectFields, create_from_story
from storyreel.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, Page
from storyreel.api.views.projects import ProjectOut
from storyreel.db.models import AssistantConversation, AssistantTemplate
from storyreel.db.repositories import assistant as repo
from storyreel.domain.assistant.conversation import (
    MAX_MESSAGE_CHARS,
    plan_aspect,
    plan_length,
    plan_moods,
    plan_music,
    plan_style,
    to_ask,
)
from storyreel.domain.assistant.model import Brief, Issue, Turn
from storyreel.domain.assistant.templates import Template, builtin_templates
from storyreel.pipeline import assistant as service
from storyreel.pipeline.costs import usage_record
from storyreel.providers.llm.script import OpenAIChatScriptWriter, unavailable_reason

router = APIRouter(tags=["assistant"])

Message = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        examples=["a 60-second sci-fi short about a lighthouse keeper's robot, warm, for children"],
    ),
]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Message


class ScriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=200)
    text: str = Field(min_length=1, max_length=service.MAX_SCRIPT_CHARS)


class MakeProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto: bool = Field(True, description="Make the whole video; false: stop at the storyboard.")
    title: str | None = Field(None, min_length=1, max_length=200)


class TemplateOut(BaseModel):
    id: str
    version: int
    source: str = Field(description="builtin (a file in the repository) or custom (an admin's).")
    tasks: list[str]
    genre: str
    title: str
    title_zh: str
    default_length_s: float
    default_style: str
    default_moods: list[str]
    required: list[str]
    beats: list[str]
    beats_zh: list[str]


class Plan(BaseModel):
    """What the brief comes to with the template's defaults where it is silent."""

    template: TemplateOut
    length_s: float
    style: str
    aspect: str
    moods: list[str]
    music: str
    beats: list[str] = Field(description="The story's steps, in the brief's language.")


class ScriptOut(BaseModel):
    title: str | None
    text: str


class ScriptWriting(BaseModel):
    available: bool = Field(description="An LLM is configured here to write scripts.")
    reason: str | None = Field(description="Why not, naming the settings to set.")


class ConversationSummary(BaseModel):
    id: str
    title: str
    has_script: bool
    project_id: str | None
    created_at: datetime
    updated_at: datetime


class ConversationOut(ConversationSummary):
    brief: Brief
    issues: list[Issue]
    questions: list[str] = Field(description="What the assistant asks now (at most two).")
    turns: list[Turn]
    plan: Plan
    script: ScriptOut | None
    script_writing: ScriptWriting


class AssistantCapability(BaseModel):
    script_writing: ScriptWriting
    languages: list[str]
    templates: int


def _template_out(t: Template) -> TemplateOut:
    return TemplateOut.model_validate(t.model_dump(exclude={"guidance", "guidance_zh"}))


def _writing(state: StateDep) -> ScriptWriting:
    reason = unavailable_reason(state.settings)
    return ScriptWriting(available=reason is None, reason=reason)


def _summary(row: AssistantConversation) -> ConversationSummary:
    return ConversationSummary(
        id=row.id,
        title=row.title,
        has_script=bool(row.script),
        project_id=row.project_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _out(s: Session, state: StateDep, row: AssistantConversation) -> ConversationOut:
    conversation = service.state_of(row)
    brief = conversation.brief
    template = service.library(s).choose(brief.task, brief.genre)
    plan = Plan(
        template=_template_out(template),
        length_s=plan_length(brief, template),
        style=plan_style(brief, template),
        aspect=plan_aspect(brief),
        moods=plan_moods(brief, template),
        music=plan_music(brief, template),
        beats=template.beats_in(brief.language),
    )
    return ConversationOut(
        **_summary(row).model_dump(),
        brief=brief,
        issues=conversation.issues,
        questions=[i.question for i in to_ask(conversation.issues) if i.question],
        turns=conversation.turns,
        plan=plan,
        script=ScriptOut(title=row.script_title, text=row.script) if row.script else None,
        script_writing=_writing(state),
    )


@router.get("/assistant", response_model=AssistantCapability)
def get_assistant(_: CurrentUser, state: StateDep, db: DbDep) -> AssistantCapability:
    """What the assistant can do here: scripts need an LLM; the rest works offline."""
    with db.read() as s:
        count = len(service.library(s).all())
    return AssistantCapability(
        script_writing=_writing(state), languages=["zh", "en"], templates=count
    )


@router.get("/assistant/templates", response_model=list[TemplateOut])
def list_templates(_: CurrentUser, db: DbDep) -> list[TemplateOut]:
    """The template library: built-in (versioned files) and the admins' own."""
    with db.read() as s:
        return [_template_out(t) for t in service.library(s).all()]


@router.post("/assistant/conversations", status_code=201, response_model=ConversationOut)
def start_conversation(
    body: MessageIn,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Start a conversation from a request in Chinese or English ("a 60-second sci-fi short
    about a lighthouse keeper's robot, warm, for children"): the brief read from it, what is
    missing or contradictory, and the assistant's reply with its questions."""

    def create(s: Session) -> ConversationOut:
        row = service.start_conversation(s, user.id, body.message)
        return _out(s, state, row)

    return run_once(db, user, idempotency_key, fingerprint("assistant", body), create)


@router.get("/assistant/conversations", response_model=Page[ConversationSummary])
def list_conversations(
    user: CurrentUser,
    db: DbDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Page[ConversationSummary]:
    """Your conversations, the latest first."""
    with db.read() as s:
        rows, total = repo.owned_page(s, user.id, (page - 1) * page_size, page_size)
        return Page(items=[_summary(r) for r in rows], page=page, page_size=page_size, total=total)


@router.get("/assistant/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(
    conversation_id: str, user: CurrentUser, state: StateDep, db: DbDep
) -> ConversationOut:
    with db.read() as s:
        return _out(s, state, service.get_owned(s, user.id, conversation_id))


@router.delete("/assistant/conversations/{conversation_id}", status_code=204)
def delete_conversation(conversation_id: str, user: CurrentUser, db: DbDep) -> Response:
    """Delete a conversation (a project made from it stays)."""
    with db.write() as s:
        s.delete(service.get_owned(s, user.id, conversation_id))
    return Response(status_code=204)


@router.post("/assistant/conversations/{conversation_id}/messages", response_model=ConversationOut)
def send_message(
    conversation_id: str, body: MessageIn, user: Creator, state: StateDep, db: DbDep
) -> ConversationOut:
    """Refine the brief ("make it darker", "add a cat", "call the robot Bolt", "30 seconds",
    or an answer to the question asked)."""
    with db.write() as s:
        row = service.get_owned(s, user.id, conversation_id)
        s.refresh(row, with_for_update=True)  # two messages at once: one after the other
        service.continue_conversation(s, row, body.message)
        s.flush()
        return _out(s, state, row)


@router.post("/assistant/conversations/{conversation_id}/script", response_model=ConversationOut)
def write_script(
    conversation_id: str, user: Creator, state: StateDep, db: DbDep
) -> ConversationOut:
    """Have the LLM write the script from the brief (its length, language, names and beats).
    409 when no LLM is configured here (the message names the settings) or the model gave no
    usable script; a person can always give their own with PUT."""
    service.check_script_available(state.settings)
    with db.read() as s:
        request = service.script_request(s, service.get_owned(s, user.id, conversation_id))
        check_spending(s, state, user, None, service.script_cost_estimate(state.settings, request))
    # The model is asked outside any transaction.
    script = service.write_script(OpenAIChatScriptWriter(state.settings), request)
    with db.write() as s:
        row = service.get_owned(s, user.id, conversation_id)
        service.set_script(row, script.title, script.text)
        # What it cost counts against the account's daily budget like any provider call.
        s.add(
            usage_record(
                script.usage,
                capability="storyboard",
                task_id=None,
                owner_id=user.id,
                project_id=None,
            )
        )
        s.flush()
        return _out(s, state, row)


@router.put("/assistant/conversations/{conversation_id}/script", response_model=ConversationOut)
def put_script(
    conversation_id: str, body: ScriptIn, user: Creator, state: StateDep, db: DbDep
) -> ConversationOut:
    """Set the script yourself (edited from the LLM's, or your own story)."""
    with db.write() as s:
        row = service.get_owned(s, user.id, conversation_id)
        service.set_script(row, body.title, body.text)
        s.flush()
        return _out(s, state, row)


@router.post(
    "/assistant/conversations/{conversation_id}/project",
    status_code=201,
    response_model=ProjectOut,
)
def make_project(
    conversation_id: str,
    body: MakeProjectIn,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Make a project from the conversation's script with the brief's settings (style, frame,
    language, music, length); its storyboard starts being written at once."""

    def create(s: Session) -> ProjectOut:
        row = service.get_owned(s, user.id, conversation_id)
        story = service.script_of(row)
        fields = {**service.project_fields(s, row), "auto": body.auto}
        if body.title:
            fields["title"] = body.title
        try:
            options = ProjectFields.model_validate(fields)
        except ValidationError as exc:
            raise errors.Conflict(f"the brief does not make a valid project: {exc}") from exc
        out = create_from_story(s, state, user, options, story)
        row.project_id = out.id
        return out

    key = fingerprint("assistant-project", conversation_id, body)
    return run_once(db, user, idempotency_key, key, create)


# --- admins' templates ------------------------------------------------------------------------


class TemplateIn(BaseModel):
    """A template's body (the shape of the built-in TOML files)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    tasks: list[str] = Field(min_length=1)
    genre: str
    title: str = Field(min_length=1, max_length=100)
    title_zh: str = Field(min_length=1, max_length=100)
    default_length_s: float = 60
    default_style: str = "cinematic"
    default_moods: list[str] = []
    required: list[str] = []
    beats: list[str] = Field(min_length=1, max_length=12)
    beats_zh: list[str] = Field(min_length=1, max_length=12)
    guidance: str = Field("", max_length=2000)
    guidance_zh: str = Field("", max_length=2000)


@router.put("/admin/assistant/templates/{template_id}", response_model=TemplateOut, tags=["admin"])
def put_template(template_id: str, body: TemplateIn, admin: AdminUser, db: DbDep) -> TemplateOut:
    """Add a template, or replace one (a built-in's id replaces the built-in for everyone);
    its version must grow."""
    try:
        template = Template.model_validate({**body.model_dump(), "id": template_id})
    except ValidationError as exc:
        raise errors.Unprocessable(_first_error(exc)) from exc
    with db.write() as s:
        row = repo.get_template(s, template_id)
        builtin = next((t for t in builtin_templates() if t.id == template_id), None)
        floor = max(row.version if row else 0, builtin.version if builtin else 0)
        if template.version <= floor:
            raise errors.Conflict(
                f"template {template_id!r} is at version {floor}; send version {floor + 1} or more"
            )
        stored = template.model_dump(exclude={"source"})
        if row is None:
            s.add(
                AssistantTemplate(
                    id=template_id, version=template.version, body=stored, created_by=admin.id
                )
            )
        else:
            row.version, row.body = template.version, stored
    return _template_out(template.model_copy(update={"source": "custom"}))


@router.delete("/admin/assistant/templates/{template_id}", status_code=204, tags=["admin"])
def delete_template(template_id: str, _: AdminUser, db: DbDep) -> Response:
    """Remove an admin's template (a built-in it replaced comes back)."""
    with db.write() as s:
        row = repo.get_template(s, template_id)
        if row is None:
            raise errors.NotFound(f"no custom template {template_id!r}")
        s.delete(row)
    return Response(status_code=204)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
