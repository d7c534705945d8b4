"""Translation: whether this server can translate, and a project translated by the LLM into a
new project (same shots and pictures, narration in the other language, its default voice)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyreel.api import errors
from storyreel.api.deps import (
    Creator,
    CurrentUser,
    DbDep,
    StateDep,
    check_quota,
    check_spending,
    kinds_of,
    priority_of,
    project_for,
)
from storyreel.api.idempotency import IdempotencyKey, fingerprint, run_once
from storyreel.api.views.projects import ProjectOut, project_out
from storyreel.domain.project import VOICE_PATTERN
from storyreel.pipeline.costs import usage_record
from storyreel.pipeline.translate import (
    TARGETS,
    check_available,
    make_translated_copy,
    translate,
    translation_cost_estimate,
    translation_request,
)
from storyreel.providers.base import ProviderError
from storyreel.providers.llm.translate import LANGUAGE_NAMES, OpenAIChatTranslator
from storyreel.providers.llm.translate import unavailable_reason as llm_unavailable

router = APIRouter(tags=["translations"])


class TranslationLanguage(BaseModel):
    code: str = Field(examples=["en"])
    name: str = Field(examples=["English"])


class TranslationCapability(BaseModel):
    available: bool = Field(description="An LLM is configured on this server to translate with.")
    reason: str | None = Field(
        description="Why not (naming the settings to set), when it is not available."
    )
    languages: list[TranslationLanguage]


class TranslateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(description=f"The language to translate into: {', '.join(TARGETS)}.")
    bilingual_subtitles: bool = Field(
        False,
        description="Subtitles in both languages: each cue's original narration drawn smaller "
        "under the translation (and a second line in the SRT).",
    )
    voice: str = Field(
        "auto",
        pattern=VOICE_PATTERN,
        description="The copy's voice; auto: the target language's default voice.",
    )


@router.get("/translation", response_model=TranslationCapability)
def get_translation_capability(_: CurrentUser, state: StateDep) -> TranslationCapability:
    """Whether projects can be translated here (an LLM is configured), and into what."""
    reason = llm_unavailable(state.settings)
    return TranslationCapability(
        available=reason is None,
        reason=reason,
        languages=[TranslationLanguage(code=c, name=n) for c, n in LANGUAGE_NAMES.items()],
    )


@router.post("/projects/{project_id}/translate", status_code=201, response_model=ProjectOut)
def translate_project(
    project_id: str,
    body: TranslateIn,
    user: Creator,
    state: StateDep,
    db: DbDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Translate a project you can read into a new project: the same shots (ids, order,
    pictures, visual prompts), each shot's narration translated by the LLM, spoken again by the
    target language's default voice; an `auto` project's copy is rendered. 409 when this server
    has no LLM (the message names the settings), when the storyboard is not written yet, or
    when the model gave no valid translation."""
    check_available(state.settings)
    with db.read() as s:
        original = project_for(s, user, project_id)
        request = translation_request(s, original, body.to)
        if original.auto:  # the copy renders a whole video (its pictures come from the cache)
            check_quota(s, state, user, original, videos=1)
        check_spending(s, state, user, None, translation_cost_estimate(state.settings, request))
    # The model is asked outside any transaction: the database is not held while it writes.
    try:
        translation = translate(OpenAIChatTranslator(state.settings), request)
    except ProviderError as exc:
        raise errors.Conflict(f"the translation failed: {exc}") from exc
    key = fingerprint("translate", project_id, body.to, body.bilingual_subtitles, body.voice)

    def create(s: Session) -> ProjectOut:
        original = project_for(s, user, project_id)
        s.refresh(original, with_for_update={"read": True})  # see delete_project
        copy, _ = make_translated_copy(
            s,
            kinds_of(state),
            original,
            request,
            translation,
            owner_id=user.id,
            bilingual=body.bilingual_subtitles,
            voice=body.voice,
            priority=priority_of(state, user),
        )
        # What the model cost counts against the account's budget, on the copy's bill.
        s.add(
            usage_record(
                translation.usage,
                capability="storyboard",
                task_id=None,
                owner_id=user.id,
                project_id=copy.id,
            )
        )
        return project_out(s, state, copy, user)

    return run_once(db, user, idempotency_key, key, create)
