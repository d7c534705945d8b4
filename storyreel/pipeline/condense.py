"""Condensing a story that is too long for the film (``make --condense``, upload ``condense``).

The target is the film's: the narration that ``target_seconds`` holds (without a target, what
``max_shots`` shots of about ``IDEAL_SHOT_SECONDS`` hold), never more than the story limit. A
story within a quarter of it is left alone. Otherwise it goes through the storyboard route
(``ProviderRouter``, capability ``storyboard``): a chat-model writer (``openai``) condenses it
map → reduce (``providers.llm.condense``); a writer without a model (``rules``), no configured
model, or a model that fails, condenses it offline (``domain.condense``), which always works.
"""

from __future__ import annotations

from dataclasses import replace

from storyreel.domain.condense import Condensed, chars_for_seconds, condense
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import Provider, ProviderError
from storyreel.providers.llm.condense import LlmCondenser
from storyreel.providers.llm.rules import CONDENSE_TOLERANCE, IDEAL_SHOT_SECONDS
from storyreel.providers.router import CallScope, layered_route

#: Shots a project may have by default (``ProjectOptions.max_shots``).
DEFAULT_MAX_SHOTS = 60


def target_chars(text: str, target_seconds: float | None, max_chars: int, max_shots: int) -> int:
    """Characters of ``text`` the film tells: its target length's worth, within the limit."""
    seconds = target_seconds or max_shots * IDEAL_SHOT_SECONDS
    return max(1, min(max_chars, chars_for_seconds(text, seconds)))


def condense_offline(text: str, goal: int, note: str = "") -> Condensed:
    story = text.strip()
    short = condense(story, goal)
    return Condensed(short, len(story), len(short), "offline", note=note)


def condense_story(
    ctx: PipelineContext,
    text: str,
    *,
    target_seconds: float | None,
    max_chars: int,
    max_shots: int = DEFAULT_MAX_SHOTS,
    scope: CallScope | None = None,
) -> Condensed:
    """``text`` condensed to what the film needs when it is longer (see the module)."""
    story = text.strip()
    goal = target_chars(story, target_seconds, max_chars, max_shots)
    if len(story) <= max_chars and len(story) <= goal * (1 + CONDENSE_TOLERANCE):
        return Condensed(story, len(story), len(story), "none")
    scope = scope or CallScope()
    route = layered_route("storyboard", ctx.settings, *scope.layers)

    def call(provider: Provider) -> Condensed:
        condenser = LlmCondenser.of(provider)
        if condenser is None:
            return condense_offline(story, goal)
        return condenser.condense(story, goal)

    try:
        done = ctx.router.run(
            "storyboard",
            route,
            call,
            before_paid_call=scope.before_paid_call,
            registry=scope.registry,
        ).value
    except ProviderError as err:
        # Condensing must not be what stops a film: the offline method always serves.
        return condense_offline(story, goal, note=f"the LLM did not serve ({err})")
    if len(done.text) > max_chars:  # a model that ignored the limit: cut, still its words
        short = condense(done.text, goal)
        return replace(done, text=short, after=len(short), note="cut to the limit offline")
    return done
