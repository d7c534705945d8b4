"""A project translated into another language: a copy with the same shots and pictures, each
shot's narration translated by the LLM and spoken by the target language's default voice.

Two phases, so no transaction is held open while the model writes: ``translation_request``
reads what to translate (in a read session), ``translator.translate`` asks the model, and
``make_translated_copy`` (in a write session) duplicates the project — pictures, clips and
characters shared by reference — and sets each shot's narration as an edit would, which makes
its voice (and the render) stale. The copy keeps the original narration per shot for bilingual
subtitles. An ``auto`` project's copy plans its render at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from storyreel.db.models import Project, Task
from storyreel.db.repositories import projects as projects_repo
from storyreel.domain.storyboard import Language
from storyreel.pipeline.errors import Conflict, InvalidInput
from storyreel.pipeline.project import duplicate_project, edit_shot, plan_render
from storyreel.pipeline.project.dag import storyboard_pending
from storyreel.providers.llm.translate import LANGUAGE_NAMES, Translation, unavailable_reason
from storyreel.settings import Settings
from storyreel.tasks.kinds import KindRegistry

TARGETS: tuple[Language, ...] = tuple(LANGUAGE_NAMES)


class TranslationUnavailable(Conflict):
    """This server has no LLM to translate with; the message names the settings to set."""


class Translator(Protocol):
    def translate(
        self, title: str, shots: list[tuple[str, str]], to: Language, source: Language
    ) -> Translation: ...


@dataclass(frozen=True)
class TranslationRequest:
    """What a translation of one project reads: its title, language and shots' narrations."""

    project_id: str
    title: str
    source: Language
    to: Language
    shots: list[tuple[str, str]]  # (storyboard shot id, narration), in order


def translation_cost_estimate(settings: Settings, request: TranslationRequest) -> float:
    """What the translation should cost at the LLM's prices: the narrations in (with the
    prompt's own words) and about as much out (tokens ≈ characters / 4)."""
    chars = sum(len(n) for _, n in request.shots) + len(request.title)
    return settings.llm.cost_of((chars + 1_500) / 4, chars / 4 * 1.5)


def check_available(settings: Settings) -> None:
    """Refuse at once, naming the settings, when no LLM is configured."""
    reason = unavailable_reason(settings)
    if reason is not None:
        raise TranslationUnavailable(reason)


def target_language(to: str) -> Language:
    if to not in TARGETS:
        raise InvalidInput(
            f"cannot translate into {to!r}; languages: {', '.join(TARGETS)}", field="to"
        )
    return to


def translation_request(session: Session, project: Project, to: str) -> TranslationRequest:
    """What to send to the model; refuses a project without a storyboard or already in ``to``."""
    target = target_language(to)
    if storyboard_pending(session, project):
        raise Conflict("the storyboard is still being written; translate it when it is done")
    shots = projects_repo.shots(session, project.id)
    if not shots:
        raise Conflict("the project has no storyboard yet; write it first")
    source: Language = "zh" if project.detected_language == "zh" else "en"
    if source == target:
        raise InvalidInput(
            f"the project is already in {LANGUAGE_NAMES[target]}; choose another language",
            field="to",
        )
    return TranslationRequest(
        project_id=project.id,
        title=project.title,
        source=source,
        to=target,
        shots=[(s.key, s.narration) for s in shots],
    )


def translate(translator: Translator, request: TranslationRequest) -> Translation:
    """The model's translation; it keeps the shots' number and order (checked again here)."""
    result = translator.translate(request.title, request.shots, request.to, request.source)
    if len(result.narrations) != len(request.shots):  # the provider checks it; a plugin may not
        raise Conflict(
            f"the translation has {len(result.narrations)} narrations for "
            f"{len(request.shots)} shots"
        )
    return result


def make_translated_copy(
    session: Session,
    kinds: KindRegistry,
    project: Project,
    request: TranslationRequest,
    translation: Translation,
    *,
    owner_id: str | None,
    bilingual: bool = False,
    voice: str = "auto",
    priority: int = 0,
) -> tuple[Project, list[Task]]:
    """The translated copy of ``project`` and the tasks planned for it (its render when it is
    an ``auto`` project). Refused when the shots changed since the translation was asked for."""
    current = [(s.key, s.narration) for s in projects_repo.shots(session, project.id)]
    if current != request.shots:
        raise Conflict("the shots changed while they were being translated; translate again")
    suffix = LANGUAGE_NAMES[request.to]
    title = translation.title or f"{project.title} ({suffix})"
    copy = duplicate_project(session, project, owner_id=owner_id, title=title)
    copy.language = request.to
    copy.detected_language = request.to
    # The target language's default voice: ``auto`` picks it per provider from the language.
    copy.voice = voice
    copy.bilingual_subtitles = bilingual
    session.flush()
    shots = projects_repo.shots(session, copy.id)
    for shot, (_, original), text in zip(shots, request.shots, translation.narrations, strict=True):
        shot.original_narration = original
        edit_shot(session, kinds, shot.id, narration=text)
        # The copied voice speaks the other language: the voice step must run for the new text.
        shot.voice_asset_id = None
        shot.voice_seconds = None
        shot.words = None
    session.flush()
    planned: list[Task] = []
    if copy.auto:
        planned.append(plan_render(session, kinds, copy, priority=priority))
    return copy, planned
