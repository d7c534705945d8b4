"""The pipeline's task kinds: which handler runs each, with what policy (resource class,
attempts, timeout, quota units), and how the pipeline's own errors become task failures.

``register`` binds each handler to the process's ``PipelineServices``, so the engine carries no
untyped services slot: a handler is ``(services, ctx) -> result``, the engine calls ``(ctx)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from storyreel.domain.timeline import TimelineError
from storyreel.media.ffmpeg import FFmpegError
from storyreel.pipeline import generations
from storyreel.pipeline.context import PipelineServices
from storyreel.pipeline.costs import BudgetExceeded
from storyreel.pipeline.handlers import music, render, shot_steps, storyboard
from storyreel.pipeline.ingest import StoryError
from storyreel.providers.base import ProviderError, ProviderNotConfigured
from storyreel.providers.router import NoProviderAvailable
from storyreel.storage.base import StorageUnavailable
from storyreel.tasks.kinds import KindPolicy, KindRegistry
from storyreel.tasks.model import PermanentError, RetryableError, ServiceUnavailable, TaskFailure
from storyreel.tasks.runner import TaskContext

ServicesHandler = Callable[[PipelineServices, TaskContext], dict[str, Any] | None]

IMAGE_UNITS = (("images", 1),)
VIDEO_UNITS = (("videos", 1),)

#: kind → (handler, policy)
KINDS: dict[str, tuple[ServicesHandler, KindPolicy]] = {
    "storyboard": (
        storyboard.storyboard,
        KindPolicy(resource="llm", max_attempts=3, timeout_s=600),
    ),
    "image": (
        shot_steps.image,
        KindPolicy(resource="gpu", max_attempts=3, timeout_s=600, quota_units=IMAGE_UNITS),
    ),
    "voice": (shot_steps.voice, KindPolicy(resource="cpu", max_attempts=3, timeout_s=300)),
    "motion": (shot_steps.motion, KindPolicy(resource="gpu", max_attempts=3, timeout_s=1200)),
    "music": (music.music, KindPolicy(resource="cpu", max_attempts=3, timeout_s=300)),
    "render": (
        render.render,
        KindPolicy(
            resource="cpu",
            max_attempts=3,
            # Started early (below), a render also waits out the pictures still being made.
            timeout_s=3 * 3600,
            quota_units=VIDEO_UNITS,
            # It encodes each shot as its picture and move land (``render_as_ready``).
            starts_before=frozenset({"image", "motion"}),
        ),
    ),
    generations.IMAGE_KIND: (
        generations.generate_image,
        KindPolicy(resource="gpu", max_attempts=3, timeout_s=600, quota_units=IMAGE_UNITS),
    ),
}


def register(kinds: KindRegistry, services: PipelineServices) -> KindRegistry:
    """Every pipeline kind into ``kinds``, each handler bound to ``services``."""
    for name, (handler, policy) in KINDS.items():
        if not services.pipeline.settings.render_as_ready:
            policy = replace(policy, starts_before=frozenset())
        kinds.register(name, partial(handler, services), policy)
    return kinds


def classify(exc: BaseException) -> TaskFailure | None:
    """Map the pipeline's own errors to retryable or permanent task failures."""
    if isinstance(exc, ProviderNotConfigured):
        return PermanentError(str(exc), code="provider_not_configured")
    if isinstance(exc, BudgetExceeded):
        return PermanentError(str(exc), code="budget_exceeded")
    if isinstance(exc, NoProviderAvailable):
        return TaskFailure(str(exc), code="no_provider", retryable=exc.retryable)
    if isinstance(exc, ProviderError):
        return TaskFailure(str(exc), code="provider_error", retryable=exc.retryable)
    if isinstance(exc, StorageUnavailable):
        return ServiceUnavailable(str(exc))
    if isinstance(exc, FFmpegError):
        return RetryableError(str(exc).splitlines()[0], code="ffmpeg_failed")
    if isinstance(exc, StoryError | TimelineError):
        return PermanentError(str(exc))
    return None
