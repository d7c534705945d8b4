"""The assistant (DESIGN.md: intent → entities → template → brief → script), one service for the
CLI, the API and the studio.

The rules of a turn are pure (``storyreel.domain.assistant``): they read the message, refine the
brief, choose a template and check the brief, offline. This module keeps each person's
conversations in the database (their whole state as JSON), builds the template library from the
built-in files and the templates admins add, has the LLM write the script
(``providers.llm.script``; offline, ``ScriptUnavailable`` names the settings to set) and says
what a project made from the conversation is made with (``project_fields``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.orm import Session

from storyreel.db.models import AssistantConversation
from storyreel.db.repositories import assistant as repo
from storyreel.domain.assistant.conversation import (
    ConversationFull,
    brief_text,
    names_of,
    plan_aspect,
    plan_length,
    plan_music,
    plan_style,
    reply,
    script_size,
    start,
)
from storyreel.domain.assistant.model import Conversation
from storyreel.domain.assistant.templates import Template, TemplateLibrary
from storyreel.domain.storyboard import Language
from storyreel.pipeline.errors import Conflict, InvalidInput, NotFound
from storyreel.providers.base import ProviderError
from storyreel.providers.llm.script import Script, unavailable_reason
from storyreel.settings import Settings

#: Conversations one person keeps (the oldest must be deleted before more are started).
MAX_CONVERSATIONS = 200
MAX_SCRIPT_CHARS = 20_000


class ScriptUnavailable(Conflict):
    """No LLM is configured here to write a script; the message names the settings."""


class ScriptWriter(Protocol):
    def write(self, brief: str, language: Language, size: int, names: list[str]) -> Script: ...


def library(session: Session) -> TemplateLibrary:
    """The built-in templates and the admins' own (which replace a built-in of the same id)."""
    custom: list[Template] = []
    for row in repo.custom_templates(session):
        try:
            custom.append(Template.model_validate({**row.body, "source": "custom"}))
        except ValidationError:
            continue  # a template the current rules no longer accept is skipped, not fatal
    return TemplateLibrary.builtin(custom)


def state_of(row: AssistantConversation) -> Conversation:
    return Conversation.model_validate(row.state)


def _title(conversation: Conversation) -> str:
    idea = conversation.brief.idea
    return idea if len(idea) <= 80 else idea[:79] + "…"


def _turn(session: Session, conversation: Conversation | None, message: str) -> Conversation:
    lib = library(session)
    try:
        return start(message, lib) if conversation is None else reply(conversation, message, lib)
    except ConversationFull as exc:
        raise Conflict(str(exc)) from exc
    except ValueError as exc:
        raise InvalidInput(str(exc), field="message") from exc


def start_conversation(session: Session, owner_id: str, message: str) -> AssistantConversation:
    if repo.count_owned(session, owner_id) >= MAX_CONVERSATIONS:
        raise Conflict(
            f"you have {MAX_CONVERSATIONS} conversations, the most kept; delete old ones first"
        )
    conversation = _turn(session, None, message)
    return repo.add(session, owner_id, _title(conversation), conversation.model_dump(mode="json"))


def continue_conversation(
    session: Session, row: AssistantConversation, message: str
) -> AssistantConversation:
    conversation = _turn(session, state_of(row), message)
    row.state = conversation.model_dump(mode="json")
    return row


def get_owned(session: Session, owner_id: str, conversation_id: str) -> AssistantConversation:
    row = repo.get(session, conversation_id)
    if row is None or row.owner_id != owner_id:  # another's conversation does not exist for you
        raise NotFound(f"no conversation {conversation_id!r}")
    return row


@dataclass(frozen=True)
class ScriptRequest:
    """What the script writer is sent: read in a session, sent outside it."""

    brief: str
    language: Language
    size: int
    names: list[str]


def script_request(session: Session, row: AssistantConversation) -> ScriptRequest:
    return request_for(state_of(row), library(session))


def request_for(conversation: Conversation, templates: TemplateLibrary) -> ScriptRequest:
    """What the script writer is sent for ``conversation`` (a stored one, or the CLI's)."""
    brief = conversation.brief
    template = templates.choose(brief.task, brief.genre)
    size, _unit = script_size(brief, template)
    return ScriptRequest(brief_text(brief, template), brief.language, size, names_of(brief))


#: Characters of a script request beyond the brief (the prompts' own words).
PROMPT_CHARS = 1_200
#: Tokens a script's unit (a Chinese character, an English word) takes, with room for a repair.
TOKENS_PER_UNIT = 2.0


def script_cost_estimate(settings: Settings, request: ScriptRequest) -> float:
    """What writing the script should cost at the LLM's prices (tokens ≈ characters / 4)."""
    chars_in = len(request.brief) + PROMPT_CHARS
    return settings.llm.cost_of(chars_in / 4, request.size * TOKENS_PER_UNIT)


def check_script_available(settings: Settings) -> None:
    reason = unavailable_reason(settings)
    if reason is not None:
        raise ScriptUnavailable(reason)


def write_script(writer: ScriptWriter, request: ScriptRequest) -> Script:
    """The LLM's script (no transaction is held while it writes)."""
    try:
        return writer.write(request.brief, request.language, request.size, request.names)
    except ProviderError as exc:
        raise Conflict(f"the script could not be written: {exc}") from exc


def set_script(row: AssistantConversation, title: str | None, text: str) -> None:
    """The conversation's script: the LLM's, or the person's own (edited or typed)."""
    story = text.strip()
    if not story:
        raise InvalidInput("the script is empty: write the story to film", field="text")
    if len(story) > MAX_SCRIPT_CHARS:
        raise InvalidInput(
            f"the script has {len(story)} characters; the most is {MAX_SCRIPT_CHARS}",
            field="text",
        )
    row.script = story
    row.script_title = (title or "").strip()[:200] or None


def project_fields(session: Session, row: AssistantConversation) -> dict[str, Any]:
    """The settings of a project made from the conversation: the brief's, with the template's
    defaults where it is silent (``ProjectOptions`` field names)."""
    conversation = state_of(row)
    brief = conversation.brief
    template = library(session).choose(brief.task, brief.genre)
    title = row.script_title or row.title or None
    return {
        "title": title[:200] if title else None,
        "style": plan_style(brief, template),
        "aspect": plan_aspect(brief),
        "language": brief.language,
        "music": plan_music(brief, template),
        "target_seconds": plan_length(brief, template),
    }


def script_of(row: AssistantConversation) -> str:
    if not row.script:
        raise Conflict(
            "the conversation has no script yet: write it (POST …/script, which needs an LLM) "
            "or give your own (PUT …/script)"
        )
    return row.script
